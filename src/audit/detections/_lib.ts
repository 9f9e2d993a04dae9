// Helpers shared by detections: outcome, bodies, pod specs, exec commands, RBAC rules, windows.
import { effectiveUser, eventTimeMs, type AuditEvent } from '../event.js';

type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export const MUTATING_VERBS: ReadonlySet<string> = new Set(['create', 'update', 'patch']);
export const WRITE_VERBS: ReadonlySet<string> = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

/**
 * The request was carried out: not the RequestReceived copy (no outcome yet), no 4xx/5xx, not
 * denied. Records without a status (some exporters drop it) count as carried out.
 */
export function succeeded(ev: AuditEvent): boolean {
  if (ev.stage === 'RequestReceived') return false;
  if (ev.code !== undefined && ev.code >= 400) return false;
  return ev.decision !== 'forbid';
}

/** Denied: 401 or 403, or the authorizer said forbid. */
export function denied(ev: AuditEvent): boolean {
  return ev.code === 401 || ev.code === 403 || (ev.decision === 'forbid' && ev.code === undefined);
}

const isStatus = (o: unknown): boolean => isObj(o) && (o.kind === 'Status' || o.status === 'Failure');

/**
 * The object as stored after the request, as far as the log shows it: for patch the response
 * (the patched object, at RequestResponse level) and else the request (a patch document);
 * for create/update the request, else the response.
 */
export function bodyOf(ev: AuditEvent): Obj | undefined {
  const req = isObj(ev.requestObject) ? ev.requestObject : undefined;
  const resp = isObj(ev.responseObject) && !isStatus(ev.responseObject) ? ev.responseObject : undefined;
  if (ev.verb === 'patch' || ev.verb === 'apply') return resp ?? req;
  return req ?? resp;
}

export const POD_CONTROLLERS: readonly string[] = ['pods', 'deployments', 'daemonsets', 'statefulsets', 'replicasets', 'jobs', 'cronjobs', 'replicationcontrollers'];

/** The pod spec inside a Pod, a pod controller or a CronJob body. */
export function podSpecOf(body: Obj | undefined, resource: string | undefined): Obj | undefined {
  if (!body) return undefined;
  const spec = isObj(body.spec) ? body.spec : undefined;
  if (!spec) return undefined;
  if (resource === 'pods' || body.kind === 'Pod') return spec;
  if (resource === 'cronjobs' || body.kind === 'CronJob') {
    const jt = isObj(spec.jobTemplate) && isObj(spec.jobTemplate.spec) ? spec.jobTemplate.spec : undefined;
    return jt && isObj(jt.template) && isObj(jt.template.spec) ? jt.template.spec : undefined;
  }
  return isObj(spec.template) && isObj(spec.template.spec) ? spec.template.spec : undefined;
}

export interface ContainerRef {
  c: Obj;
  /** "containers[0]", "initContainers[1]", "ephemeralContainers[0]" */
  where: string;
  name: string;
}

export function containersOf(spec: Obj): ContainerRef[] {
  const out: ContainerRef[] = [];
  for (const k of ['containers', 'initContainers', 'ephemeralContainers']) {
    arr(spec[k]).forEach((c, i) => {
      if (isObj(c)) out.push({ c, where: `${k}[${i}]`, name: typeof c.name === 'string' ? c.name : `#${i}` });
    });
  }
  return out;
}

/**
 * The pod spec a workload request creates or changes: creates and updates of pods and pod
 * controllers, and `kubectl debug` (pods/ephemeralcontainers: then only the ephemeral containers
 * are new, `ephemeralOnly`).
 */
export function podSpecOfRequest(ev: AuditEvent): { spec: Obj; kind: string; ephemeralOnly: boolean } | undefined {
  const ref = ev.objectRef;
  if (!ref || !ref.resource) return undefined;
  const ephemeralOnly = ref.resource === 'pods' && ref.subresource === 'ephemeralcontainers';
  if (ref.subresource && !ephemeralOnly) return undefined;
  if (!MUTATING_VERBS.has(ev.verb)) return undefined;
  const body = bodyOf(ev);
  const spec = podSpecOf(body, ref.resource);
  if (!spec) return undefined;
  const kind = typeof body?.kind === 'string' && body.kind !== '' ? body.kind : KIND_OF[ref.resource] ?? ref.resource;
  return { spec, kind, ephemeralOnly };
}

/** Kind of each workload resource (plural) that carries a pod spec. */
export const KIND_OF: Readonly<Record<string, string>> = {
  pods: 'Pod',
  deployments: 'Deployment',
  daemonsets: 'DaemonSet',
  statefulsets: 'StatefulSet',
  replicasets: 'ReplicaSet',
  jobs: 'Job',
  cronjobs: 'CronJob',
  replicationcontrollers: 'ReplicationController',
};

/** "created", "updated", "patched"... for messages. */
export function did(ev: AuditEvent): string {
  switch (ev.verb) {
    case 'create':
      return 'created';
    case 'update':
      return 'updated';
    case 'patch':
      return 'patched';
    case 'delete':
      return 'deleted';
    case 'deletecollection':
      return 'deleted all of';
    default:
      return ev.verb;
  }
}

export const SYSTEM_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease', 'gke-system', 'gke-managed-system'];

/** "alice", or "alice (as bob)" when impersonating. */
export function who(ev: AuditEvent): string {
  const u = ev.user.username || '(unknown user)';
  const eff = effectiveUser(ev);
  return eff !== ev.user ? `${u} (as ${eff.username})` : u;
}

/** "default/nginx" or "nginx" or "(unnamed)" */
export function target(ev: AuditEvent): string {
  const r = ev.objectRef;
  const name = r?.name ?? bodyName(ev) ?? '(unnamed)';
  return r?.namespace ? `${r.namespace}/${name}` : name;
}

function bodyName(ev: AuditEvent): string | undefined {
  const b = bodyOf(ev);
  const m = b && isObj(b.metadata) ? b.metadata : undefined;
  return typeof m?.name === 'string' ? m.name : undefined;
}

export function isServiceAccount(name: string): boolean {
  return name.startsWith('system:serviceaccount:');
}

// ---------------------------------------------------------------------------------------------
// exec / attach commands

export interface ExecCall {
  argv: string[];
  container?: string;
  tty?: boolean;
  stdin?: boolean;
}

function decodeQueryValue(v: string): string {
  try {
    return decodeURIComponent(v.replace(/\+/g, ' '));
  } catch {
    return v;
  }
}

/** The command of an exec (from requestURI `command=` parameters, or a logged request body). */
export function execCall(ev: AuditEvent): ExecCall {
  const out: ExecCall = { argv: [] };
  const uri = ev.requestURI;
  const q = uri ? uri.indexOf('?') : -1;
  if (uri && q >= 0) {
    for (const part of uri.slice(q + 1).split('&')) {
      const eq = part.indexOf('=');
      const k = eq < 0 ? part : part.slice(0, eq);
      const v = eq < 0 ? '' : decodeQueryValue(part.slice(eq + 1));
      if (k === 'command') out.argv.push(v);
      else if (k === 'container') out.container = v;
      else if (k === 'tty') out.tty = v === 'true' || v === '1';
      else if (k === 'stdin') out.stdin = v === 'true' || v === '1';
    }
  }
  if (out.argv.length === 0) {
    const b = isObj(ev.requestObject) ? ev.requestObject : undefined;
    if (b) {
      out.argv = strs(b.command);
      if (typeof b.container === 'string') out.container ??= b.container;
      if (typeof b.tty === 'boolean') out.tty ??= b.tty;
      if (typeof b.stdin === 'boolean') out.stdin ??= b.stdin;
    }
  }
  return out;
}

const SECRET_FLAG = /^-{1,2}(password|passwd|pass|token|secret|api[-_]?key|access[-_]?key|secret[-_]?key|auth|key)$/i;
const SECRET_ASSIGN = /((?:password|passwd|pwd|token|secret|api[-_]?key|access[-_]?key|secret[-_]?key|credentials?)[\w-]*\s*[=:]\s*)(\S+)/gi;

/** A command line fit for a report: values of password/token flags and assignments, keys and long blobs are masked. */
export function redactCommand(argv: readonly string[]): string {
  const out: string[] = [];
  let maskNext = false;
  for (const a0 of argv) {
    if (maskNext) {
      out.push('***');
      maskNext = false;
      continue;
    }
    let a = a0;
    if (SECRET_FLAG.test(a)) maskNext = true;
    a = a.replace(/^(-p)(\S+)$/, '$1***'); // mysql -pSECRET
    a = a.replace(/^(-{1,2}(?:password|passwd|token|secret|api[-_]?key)=)\S+$/i, '$1***');
    a = a.replace(SECRET_ASSIGN, '$1***');
    a = a.replace(/(Bearer\s+)\S+/gi, '$1***');
    a = a.replace(/\bA(KIA|SIA)[0-9A-Z]{16}\b/g, 'A$1****************');
    a = a.replace(/[A-Za-z0-9+/_=-]{40,}/g, (m) => `${m.slice(0, 4)}***`);
    out.push(/\s/.test(a) ? JSON.stringify(a) : a);
  }
  const s = out.join(' ');
  return s.length > 300 ? s.slice(0, 300) + '...' : s;
}

// ---------------------------------------------------------------------------------------------
// RBAC rules

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

/** The rules of a Role/ClusterRole body (missing fields are empty lists). */
export function rulesOf(body: Obj | undefined): PolicyRule[] {
  if (!body) return [];
  return arr(body.rules)
    .filter(isObj)
    .map((r) => ({
      apiGroups: strs(r.apiGroups),
      resources: strs(r.resources),
      verbs: strs(r.verbs),
      resourceNames: strs(r.resourceNames),
      nonResourceURLs: strs(r.nonResourceURLs),
    }));
}

/** A rule's resources cover `resource` ("pods/exec"): exact, "*", "pods/*", "*\/exec". */
export function coversResource(rule: PolicyRule, resource: string): boolean {
  const slash = resource.indexOf('/');
  const base = slash < 0 ? resource : resource.slice(0, slash);
  const sub = slash < 0 ? undefined : resource.slice(slash + 1);
  return rule.resources.some((r) => r === resource || r === '*' || (sub !== undefined && (r === `${base}/*` || r === `*/${sub}`)));
}

/** A rule's apiGroups cover `group`; a rule without apiGroups (malformed or exporter-trimmed) is taken as covering. */
export function coversGroup(rule: PolicyRule, group: string): boolean {
  return rule.apiGroups.length === 0 || rule.apiGroups.includes('*') || rule.apiGroups.includes(group);
}

export function coversVerb(rule: PolicyRule, verbs: readonly string[]): boolean {
  return rule.verbs.includes('*') || verbs.some((v) => rule.verbs.includes(v));
}

// ---------------------------------------------------------------------------------------------
// Windows for bursts

/** Counting window per key: restarts when an event falls outside it. Events without a time share the current window. */
export class Windows<V> {
  private readonly m = new Map<string, { start: number; value: V; reported: boolean }>();
  /** Latest event time seen (ms), to tell finished windows. */
  private latest = -Infinity;
  /** `latest` at the last sweep of finished windows. */
  private swept = -Infinity;
  constructor(
    private readonly windowMs: number,
    private readonly fresh: () => V,
    private readonly maxKeys = 100_000,
  ) {}

  /**
   * At the bound: windows that ended before the latest event go (the next event of their key would
   * start a new one anyway); if that frees less than a tenth, all go (bursts in progress are lost).
   */
  private evict(): void {
    const before = this.latest - this.windowMs;
    for (const [k, w] of this.m) if (w.start < before) this.m.delete(k);
    if (this.m.size > this.maxKeys * 0.9) this.m.clear();
  }

  /** The window state for `key` at the event's time. */
  at(key: string, ev: AuditEvent): { value: V; reported: boolean; start: number; mark(): void } {
    const t = eventTimeMs(ev);
    if (t > this.latest) this.latest = t;
    let w = this.m.get(key);
    if (!w || (!Number.isNaN(t) && !Number.isNaN(w.start) && (t - w.start > this.windowMs || t < w.start - this.windowMs))) {
      if (!w && this.m.size >= this.maxKeys) this.evict();
      else if (!w && this.m.size >= 1024 && this.latest - this.swept > this.windowMs) {
        // Once per window length of log time: finished windows go, so the map holds about the
        // keys active within one window rather than every key ever seen.
        this.swept = this.latest;
        const before = this.latest - this.windowMs;
        for (const [k, x] of this.m) if (x.start < before) this.m.delete(k);
      }
      w = { start: t, value: this.fresh(), reported: false };
      this.m.set(key, w);
    } else if (Number.isNaN(w.start) && !Number.isNaN(t)) w.start = t;
    const cur = w;
    return {
      value: cur.value,
      reported: cur.reported,
      start: cur.start,
      mark: () => {
        cur.reported = true;
      },
    };
  }
}

export function isoOrEmpty(ms: number): string {
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString();
}

/** A dry run (`kubectl apply --dry-run=server`): admitted and logged, but nothing was stored. */
export function isDryRun(ev: AuditEvent): boolean {
  const uri = ev.requestURI;
  return uri !== undefined && /[?&]dryRun=/.test(uri);
}
