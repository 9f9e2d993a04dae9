// Workload policy violations found in the audit log: the scan's workload rules (src/rules, pillar
// "workload") run on the objects that create/update/patch requests stored, taken from the event's
// responseObject (the object as stored) or requestObject (create/update bodies). A privileged pod
// that lived ten minutes is still found, with who created it, when, and the auditID. There are no
// file positions: the auditID is the location. Pure: no I/O.
import type { Finding, Severity } from '../core/types.js';
import type { Rule } from '../core/rule.js';
import { runRules } from '../core/engine.js';
import { ClusterState } from '../model/cluster-state.js';
import { objectsFromData } from '../loaders/manifest.js';
import { workloadRules } from '../rules/workload/index.js';
import { AllowList, PLATFORM_ALLOW_LIST } from './allow-list.js';
import { effectiveUser, type AuditEvent } from './event.js';

/** Resource -> kind of the objects whose pod specs the rules read. */
const WORKLOAD_RESOURCES: Readonly<Record<string, { kind: string; group: string }>> = {
  pods: { kind: 'Pod', group: '' },
  replicationcontrollers: { kind: 'ReplicationController', group: '' },
  podtemplates: { kind: 'PodTemplate', group: '' },
  deployments: { kind: 'Deployment', group: 'apps' },
  daemonsets: { kind: 'DaemonSet', group: 'apps' },
  statefulsets: { kind: 'StatefulSet', group: 'apps' },
  replicasets: { kind: 'ReplicaSet', group: 'apps' },
  jobs: { kind: 'Job', group: 'batch' },
  cronjobs: { kind: 'CronJob', group: 'batch' },
};

export const POLICY_RULE_SETS = ['baseline', 'restricted', 'workload', 'none'] as const;
export type PolicyRuleSet = (typeof POLICY_RULE_SETS)[number];

/** Rules that only read one pod spec at a time (they need no other object of the cluster). */
function podOnly(r: Rule): boolean {
  const h = r.handlers;
  return Boolean(h.podTemplate || h.container) && !h.objects && !h.cluster;
}

/**
 * The rules for a set name or a list of rule ids: "baseline" (Pod Security Standards baseline: the
 * default), "restricted" (baseline + restricted), "workload" (every per-pod workload rule), "none".
 * Unknown ids are returned in `unknown`.
 */
export function policyRules(spec: PolicyRuleSet | readonly string[]): { rules: Rule[]; unknown: string[] } {
  const all = (Object.values(workloadRules) as Rule[]).filter(podOnly);
  if (typeof spec === 'string') {
    if (spec === 'none') return { rules: [], unknown: [] };
    if (spec === 'workload') return { rules: all, unknown: [] };
    const levels = spec === 'baseline' ? ['baseline'] : ['baseline', 'restricted'];
    return { rules: all.filter((r) => r.meta.compliance.pss !== undefined && levels.includes(r.meta.compliance.pss)), unknown: [] };
  }
  const byId = new Map(all.map((r) => [r.meta.id, r]));
  const rules: Rule[] = [];
  const unknown: string[] = [];
  for (const id of spec) {
    const r = byId.get(id);
    if (r) rules.push(r);
    else unknown.push(id);
  }
  return { rules, unknown };
}

export interface PolicyViolation {
  /** "policy/<rule-id>" (the id detections and violations share in the store and in alerts). */
  id: string;
  ruleId: string;
  title: string;
  severity: Severity;
  message: string;
  /** The offending field, e.g. spec.containers[0].securityContext.privileged. */
  path?: string;
  kind: string;
  apiVersion: string;
  namespace?: string;
  name: string;
  /** Who made the request, when, and its auditID: the location of the violation. */
  user: string;
  impersonatedUser?: string;
  verb: string;
  time: string;
  auditID: string;
  sourceIP?: string;
  userAgent?: string;
  /** Requests that (re)stored the same violation by the same identity; the first is reported. */
  occurrences: number;
  lastTime?: string;
  lastAuditID?: string;
  remediation: string;
}

export interface WorkloadCheckStats {
  /** Create/update/patch requests of workload objects looked at. */
  checked: number;
  /** Patches logged without a responseObject (Request level): the resulting object is unknown. */
  patchesWithoutObject: number;
  /** Requests by allow-listed (platform) identities, not checked. */
  allowListed: number;
  /** Violations not itemised: more than `maxViolations` distinct ones (present only then). */
  notKept?: number;
}

export interface WorkloadCheckOptions {
  rules: readonly Rule[];
  allowUsers?: readonly string[];
  /** Skip platform identities (controllers creating pods from templates already checked). Default true. */
  platformAllowList?: boolean;
  /** Candidate objects checked together (default 256). */
  chunk?: number;
  /** Distinct (aggregated) violations kept by the streaming use (default 10,000); more are counted in stats.notKept. */
  maxViolations?: number;
}

interface Candidate {
  ev: AuditEvent;
  obj: Record<string, unknown>;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The object a request stored, when the event tells it fully; undefined otherwise. */
export function storedObject(ev: AuditEvent): { obj: Record<string, unknown> } | { patchOnly: true } | undefined {
  if (ev.provider === 'cloudtrail') return undefined;
  const ref = ev.objectRef;
  if (!ref?.resource || !(ref.resource in WORKLOAD_RESOURCES)) return undefined;
  if (ref.subresource !== undefined && ref.subresource !== 'ephemeralcontainers') return undefined;
  const verb = ev.verb;
  if (verb !== 'create' && verb !== 'update' && verb !== 'patch') return undefined;
  if (ev.stage !== undefined && ev.stage !== 'ResponseComplete') return undefined;
  if (ev.code !== undefined && (ev.code < 200 || ev.code >= 300)) return undefined;
  const w = WORKLOAD_RESOURCES[ref.resource];
  const fits = (o: unknown): o is Record<string, unknown> => {
    if (!isObj(o) || (o.kind !== undefined && o.kind !== w.kind)) return false;
    return w.kind === 'PodTemplate' ? isObj(o.template) : isObj(o.spec);
  };
  if (fits(ev.responseObject)) return { obj: ev.responseObject };
  if (ref.subresource === undefined && verb !== 'patch' && fits(ev.requestObject)) return { obj: ev.requestObject };
  if (verb === 'patch' || ref.subresource !== undefined) return { patchOnly: true };
  return undefined;
}

/** Fills apiVersion, kind and name from the event when the body lacks them (generateName, old clients). */
function completeObject(ev: AuditEvent, o: Record<string, unknown>): Record<string, unknown> {
  const ref = ev.objectRef!;
  const w = WORKLOAD_RESOURCES[ref.resource!];
  const meta = isObj(o.metadata) ? o.metadata : {};
  const name = typeof meta.name === 'string' && meta.name ? meta.name : ref.name ?? (typeof meta.generateName === 'string' ? `${meta.generateName}*` : `(unnamed ${ev.auditID})`);
  const namespace = typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : ref.namespace;
  return {
    ...o,
    apiVersion: typeof o.apiVersion === 'string' && o.apiVersion ? o.apiVersion : w.group ? `${w.group}/${ref.apiVersion ?? 'v1'}` : ref.apiVersion ?? 'v1',
    kind: w.kind,
    metadata: { ...meta, name, ...(namespace ? { namespace } : {}) },
  };
}

export class WorkloadPolicyChecker {
  readonly stats: WorkloadCheckStats = { checked: 0, patchesWithoutObject: 0, allowListed: 0 };
  private readonly pending: Candidate[] = [];
  private readonly found = new Map<string, PolicyViolation>();
  private readonly allow: AllowList;
  private readonly chunk: number;

  constructor(private readonly o: WorkloadCheckOptions) {
    this.allow = new AllowList([...(o.platformAllowList === false ? [] : PLATFORM_ALLOW_LIST), ...(o.allowUsers ?? [])]);
    this.chunk = o.chunk ?? 256;
  }

  get active(): boolean {
    return this.o.rules.length > 0;
  }

  /** Streaming use (audit analyze): violations are aggregated per rule, object, field and identity. */
  push(ev: AuditEvent): void {
    if (!this.active) return;
    const c = this.candidate(ev);
    if (!c) return;
    this.pending.push(c);
    if (this.pending.length >= this.chunk) this.flush();
  }

  /** Every violation found so far (aggregated), most severe first. */
  results(): PolicyViolation[] {
    this.flush();
    return [...this.found.values()];
  }

  /** Batch use (audit serve): one violation per event, rule and field; nothing is kept. */
  check(events: readonly AuditEvent[]): PolicyViolation[] {
    if (!this.active) return [];
    const cands: Candidate[] = [];
    for (const ev of events) {
      const c = this.candidate(ev);
      if (c) cands.push(c);
    }
    const out: PolicyViolation[] = [];
    for (let i = 0; i < cands.length; i += this.chunk) out.push(...this.run(cands.slice(i, i + this.chunk)));
    return out;
  }

  private candidate(ev: AuditEvent): Candidate | undefined {
    const s = storedObject(ev);
    if (!s) return undefined;
    if (this.allow.has(ev.user.username, ev.userAgent)) {
      this.stats.allowListed++;
      return undefined;
    }
    if ('patchOnly' in s) {
      this.stats.patchesWithoutObject++;
      return undefined;
    }
    this.stats.checked++;
    return { ev, obj: s.obj };
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending.splice(0);
    for (const v of this.run(batch)) {
      const key = `${v.ruleId}\u0000${v.kind}\u0000${v.namespace ?? ''}\u0000${v.name}\u0000${v.path ?? ''}\u0000${v.message}\u0000${v.user}`;
      const prev = this.found.get(key);
      if (!prev) {
        if (this.found.size >= (this.o.maxViolations ?? 10_000)) this.stats.notKept = (this.stats.notKept ?? 0) + 1;
        else this.found.set(key, v);
      } else {
        prev.occurrences++;
        prev.lastTime = v.time;
        prev.lastAuditID = v.auditID;
      }
    }
  }

  private run(cands: readonly Candidate[]): PolicyViolation[] {
    const byFile = new Map<string, AuditEvent>();
    const items: unknown[] = [];
    cands.forEach((c, i) => {
      items.push(completeObject(c.ev, c.obj));
      byFile.set(String(i), c.ev);
    });
    const objects = items.flatMap((it, i) => objectsFromData([it], String(i)).objects);
    if (objects.length === 0) return [];
    const state = new ClusterState({ objects, origin: 'audit' });
    const { findings } = runRules(state, this.o.rules, { includeControlled: true });
    const out: PolicyViolation[] = [];
    for (const f of findings) {
      const ev = byFile.get(f.location?.file ?? '');
      if (ev) out.push(toViolation(f, ev, this.o.rules));
    }
    return out;
  }
}

function toViolation(f: Finding, ev: AuditEvent, rules: readonly Rule[]): PolicyViolation {
  const eff = effectiveUser(ev);
  return {
    id: `policy/${f.ruleId}`,
    ruleId: f.ruleId,
    title: f.title,
    severity: f.severity,
    message: f.message,
    ...(f.path ? { path: f.path } : {}),
    kind: f.resource.kind,
    apiVersion: f.resource.apiVersion,
    ...(f.resource.namespace ? { namespace: f.resource.namespace } : {}),
    name: f.resource.name,
    user: ev.user.username,
    ...(eff !== ev.user ? { impersonatedUser: eff.username } : {}),
    verb: ev.verb,
    time: ev.time,
    auditID: ev.auditID,
    ...(ev.sourceIPs[0] ? { sourceIP: ev.sourceIPs[0] } : {}),
    ...(ev.userAgent ? { userAgent: ev.userAgent } : {}),
    occurrences: 1,
    remediation: f.remediation ?? rules.find((r) => r.meta.id === f.ruleId)?.meta.remediation ?? '',
  };
}

const RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

/** Most severe first, then by time. */
export function sortViolations(vs: PolicyViolation[]): PolicyViolation[] {
  return vs.sort((a, b) => RANK[b.severity] - RANK[a.severity] || (a.time < b.time ? -1 : a.time > b.time ? 1 : 0) || (a.auditID < b.auditID ? -1 : 1));
}

/** Text section for `audit analyze`. */
export function renderViolations(vs: readonly PolicyViolation[], stats: WorkloadCheckStats): string {
  const out: string[] = [];
  out.push(`Workload policy violations: ${vs.length} (objects created or changed in the log, checked with the scan's workload rules; ${stats.checked} checked)`);
  for (const v of vs) {
    const obj = `${v.kind} ${v.namespace ? v.namespace + '/' : ''}${v.name}`;
    out.push(`${v.severity.toUpperCase().padEnd(8)} ${v.ruleId}  ${obj}  ${v.time || '(no time)'}  audit:${v.auditID}`);
    out.push(`         ${v.message}${v.path ? ` (${v.path})` : ''}`);
    const more = v.occurrences > 1 ? `  (${v.occurrences} requests; last ${v.lastTime ?? ''} audit:${v.lastAuditID ?? ''})` : '';
    out.push(`         ${v.verb} by ${v.user || '(unknown)'}${v.impersonatedUser ? ` as ${v.impersonatedUser}` : ''}${v.sourceIP ? ` from ${v.sourceIP}` : ''}${more}`);
  }
  if (stats.notKept) out.push(`(state capped: ${stats.notKept} more requests with violations not itemised, past the ${vs.length} distinct violations kept in memory)`);
  if (stats.patchesWithoutObject > 0) out.push(`(${stats.patchesWithoutObject} patch requests were logged without a responseObject: the objects they made are unknown; log workload writes at RequestResponse to check them)`);
  return out.join('\n') + '\n';
}
