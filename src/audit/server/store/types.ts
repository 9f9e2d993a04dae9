// What `kubeward audit serve` stores and `kubeward audit query` reads: one table of audit events
// (de-duplicated by auditID + stage) and one of detections, the same in SQLite and PostgreSQL
// (see schema.ts). Stores are opened lazily (store/index.ts) so that no other command loads a
// database driver.

/** One audit event ready to store: indexed columns plus the event's full JSON. */
export interface EventRow {
  auditId: string;
  stage: string;
  /** stageTimestamp (or requestReceivedTimestamp) as sent; "" when absent. */
  eventTime: string;
  /** The same as epoch milliseconds; null when absent or unparseable. */
  eventMs: number | null;
  receivedMs: number;
  level: string | null;
  verb: string;
  username: string;
  impersonated: string | null;
  sourceIp: string | null;
  userAgent: string | null;
  apiGroup: string | null;
  resource: string | null;
  subresource: string | null;
  namespace: string | null;
  name: string | null;
  requestUri: string | null;
  code: number | null;
  decision: string | null;
  /** requestObject/responseObject were dropped because the event was over --max-event-bytes. */
  bodiesOmitted: boolean;
  /** The audit Event JSON (without bodies when bodiesOmitted). */
  event: string;
}

/** A detection (or a workload policy violation) found in stored events. */
export interface DetectionRow {
  /** Detection id, or "policy/<rule-id>" for a workload rule violated by an object in the log. */
  detectionId: string;
  auditId: string;
  /** Distinguishes several findings of one id on one event (the object path of a policy violation); "" for detections. */
  detail: string;
  severity: string;
  eventTime: string;
  eventMs: number | null;
  username: string;
  resource: string | null;
  namespace: string | null;
  name: string | null;
  message: string;
  /** The full detection / violation as JSON. */
  json: string;
}

export interface WriteResult {
  /** Index (in the rows given) of each row newly stored; the others were already there. */
  stored: number[];
  duplicates: number;
}

/**
 * Called inside the transaction with the rows that are new: returns the detections to store in the
 * same transaction (so an acknowledged batch never lacks its detections, and a retried one never
 * doubles them).
 */
export type OnNewRows = (rows: readonly EventRow[], indexes: readonly number[]) => DetectionRow[];

export interface WriteOutcome extends WriteResult {
  /** Detections newly stored (an already stored one is not returned again). */
  detections: DetectionRow[];
}

export interface EventFilter {
  sinceMs?: number;
  untilMs?: number;
  /** Exact username, or a glob with * and ?. */
  user?: string;
  /** Resource (plural, lower case), namespace, name; each optional. */
  resource?: string;
  namespace?: string;
  name?: string;
  /** Only denied requests: HTTP 401/403 or authorization decision forbid. */
  denied?: boolean;
  /** Only system:anonymous requests. */
  anonymous?: boolean;
  verbs?: string[];
  limit?: number;
}

export interface DetectionFilter {
  sinceMs?: number;
  untilMs?: number;
  user?: string;
  /** Detection id, "policy/<rule>", or a glob ("policy/*"). */
  detectionId?: string;
  resource?: string;
  namespace?: string;
  name?: string;
  limit?: number;
}

/** A stored event as read back (without the JSON unless asked). */
export interface StoredEvent extends Omit<EventRow, 'event' | 'bodiesOmitted'> {
  id: number;
  bodiesOmitted: boolean;
  event?: string;
}

export interface StoredDetection extends Omit<DetectionRow, 'json'> {
  id: number;
  storedMs: number;
  json: string;
}

export interface StoreCounts {
  events: number;
  detections: number;
  firstMs: number | null;
  lastMs: number | null;
}

/** What to prune: events (and detections) older than a time, and/or all but the newest events. */
export interface PruneOptions {
  /** Delete events whose time is before this (epoch ms; events without a time: by arrival), and their detections. */
  beforeMs?: number;
  /** Keep at most this many events (the oldest stored go first); detections older than the oldest event left go too. */
  maxEvents?: number;
  /** Rows deleted per statement (default 2,000): the longest ingestion ever waits is one batch. */
  batchSize?: number;
  /** Asked between batches: true stops early (shutdown). */
  stop?: () => boolean;
}

export interface PruneResult {
  events: number;
  detections: number;
}

export interface AuditStore {
  /** "sqlite" | "postgresql" */
  readonly kind: string;
  /** Where it is, without credentials (for logs). */
  readonly where: string;
  /** Stores rows and their detections in one durable transaction; resolves after the commit. */
  write(rows: readonly EventRow[], onNew?: OnNewRows): Promise<WriteOutcome>;
  /** Events in time order (then insertion order), filtered, in pages (memory stays bounded). */
  events(filter: EventFilter, withJson?: boolean): AsyncIterable<StoredEvent>;
  detections(filter: DetectionFilter): Promise<StoredDetection[]>;
  counts(): Promise<StoreCounts>;
  /** Deletes old rows in batches (see PruneOptions); ingestion goes on in between. */
  prune(opts: PruneOptions): Promise<PruneResult>;
  close(): Promise<void>;
}
