// The normalised audit event: one shape for kube-apiserver events however they were delivered
// (log file, webhook EventList, EKS CloudWatch, AKS diagnostic export, GKE Cloud Logging) and for
// AWS CloudTrail records. Readers in ./formats/ build it; detections in ./detections/ read it.
// No I/O here.

export const AUDIT_PROVIDERS = ['kubernetes', 'eks', 'aks', 'gke', 'cloudtrail'] as const;
export type AuditProvider = (typeof AUDIT_PROVIDERS)[number];

export interface AuditUser {
  /** "" when the record names nobody. */
  username: string;
  uid?: string;
  groups: readonly string[];
  extra?: Readonly<Record<string, readonly string[]>>;
}

export interface AuditObjectRef {
  /** "" for the core group. */
  apiGroup: string;
  apiVersion?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** CloudTrail fields kept as they are (the event's k8s-shaped fields are filled too, see cloudtrail.ts). */
export interface CloudTrailFields {
  eventSource: string;
  eventName: string;
  awsRegion?: string;
  eventID?: string;
  eventType?: string;
  readOnly?: boolean;
  recipientAccountId?: string;
  sourceIPAddress?: string;
  userIdentity?: Readonly<Record<string, unknown>>;
  requestParameters?: unknown;
  responseElements?: unknown;
  errorCode?: string;
  errorMessage?: string;
}

/** Small provider fields kept as evidence (never request/response bodies). */
export type Envelope = Readonly<Record<string, string | number | boolean | undefined>>;

export interface AuditEvent {
  provider: AuditProvider;
  /** Name of the format (registry key in formats/index.ts) that produced the event. */
  format: string;
  /** auditID (k8s), insertId (GKE), eventID (CloudTrail); "" when absent. */
  auditID: string;
  stage?: string;
  level?: string;
  /** As written in the record (RFC 3339 after normalisation of "YYYY-MM-DD hh:mm:ss" forms); "" when absent. */
  time: string;
  /** k8s verb (get, list, create, ...); CloudTrail eventName. "" when absent. */
  verb: string;
  user: AuditUser;
  impersonatedUser?: AuditUser;
  sourceIPs: readonly string[];
  userAgent?: string;
  /** Absent for non-resource requests (/healthz, /version, ...) and CloudTrail. */
  objectRef?: AuditObjectRef;
  requestURI?: string;
  /** responseStatus.code (HTTP); undefined when the record does not say (RequestReceived, some providers). */
  code?: number;
  /** authorization.k8s.io/decision */
  decision?: 'allow' | 'forbid';
  /** authorization.k8s.io/reason */
  reason?: string;
  annotations?: Readonly<Record<string, string>>;
  requestObject?: unknown;
  responseObject?: unknown;
  /** The provider dropped the bodies (GKE audit.k8s.io/truncated, AKS skipped-too-big-size-object). */
  bodiesOmitted?: boolean;
  cloudtrail?: CloudTrailFields;
  envelope?: Envelope;
  /** Where the record was read: file name and 1-based line (of the record, or of its enclosing record). */
  file: string;
  line: number;
}

/** The identity whose permissions the request used: the impersonated user when there is one. */
export function effectiveUser(ev: AuditEvent): AuditUser {
  return ev.impersonatedUser && ev.impersonatedUser.username ? ev.impersonatedUser : ev.user;
}

const timeCache = new WeakMap<AuditEvent, number>();

/** Event time in epoch milliseconds, NaN when unknown. Parsed lazily (only windowed detections need it). */
export function eventTimeMs(ev: AuditEvent): number {
  let t = timeCache.get(ev);
  if (t === undefined) {
    t = ev.time ? Date.parse(ev.time) : NaN;
    timeCache.set(ev, t);
  }
  return t;
}

/**
 * Normalises timestamps to RFC 3339: "2022-11-29 00:09:04.38" (Panther, Log Analytics exports) becomes
 * "2022-11-29T00:09:04.38Z"; epoch milliseconds (CloudWatch) become ISO strings.
 */
export function normaliseTime(v: unknown): string {
  if (typeof v === 'number' && Number.isFinite(v)) {
    const ms = v > 1e14 ? v / 1000 : v < 1e11 ? v * 1000 : v; // µs, s or ms
    const d = new Date(ms);
    return Number.isNaN(d.getTime()) ? '' : d.toISOString();
  }
  if (typeof v !== 'string' || v === '') return '';
  // Fast path: already "YYYY-MM-DDThh:mm:ss...Z" or with an offset.
  if (v.length > 19 && v.charCodeAt(10) === 84 /* T */) return v;
  if (v.length >= 19 && v.charCodeAt(10) === 32 /* space */ && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(v)) {
    const rest = v.slice(19);
    return `${v.slice(0, 10)}T${v.slice(11)}${/[zZ]|[+-]\d\d:?\d\d$/.test(rest) ? '' : 'Z'}`;
  }
  return v;
}

/** "ns/name", "name" or "" for messages. */
export function objectName(ref: AuditObjectRef | undefined): string {
  if (!ref) return '';
  if (ref.namespace && ref.name) return `${ref.namespace}/${ref.name}`;
  return ref.name ?? (ref.namespace ? `${ref.namespace}/*` : '');
}

/** "pods/exec", "deployments.apps", "clusterroles.rbac.authorization.k8s.io" style resource label. */
export function resourceLabel(ref: AuditObjectRef | undefined): string {
  if (!ref || !ref.resource) return '';
  const r = ref.subresource ? `${ref.resource}/${ref.subresource}` : ref.resource;
  return ref.apiGroup ? `${r}.${ref.apiGroup}` : r;
}

export const EMPTY_USER: AuditUser = Object.freeze({ username: '', groups: Object.freeze([]) as readonly string[] });
