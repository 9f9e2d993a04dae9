// Lint of a Kubernetes audit policy: the mistakes that silently lose or leak data, and a coverage
// table of which sensitive actions are logged at which level. Pure: takes the policy text.
import { LineCounter, parseDocument, isMap, isSeq, type Node } from 'yaml';
import type { Severity } from '../../core/types.js';
import { decide, LEVELS, levelRank, type AuditPolicy, type GroupResources, type Level, type PolicyRule, type RequestAttributes, type Stage, STAGES } from './evaluate.js';

export interface LintFinding {
  id: string;
  severity: Severity;
  message: string;
  line?: number;
  /** 0-based index of the policy rule concerned. */
  rule?: number;
}

export interface CoverageRow {
  probe: string;
  title: string;
  level: Level;
  /** 0-based index of the rule that decided, -1 for none. */
  rule: number;
  line?: number;
  verdict: 'ok' | 'not-logged' | 'too-low' | 'leaks';
  expected: string;
}

export interface LintResult {
  file: string;
  findings: LintFinding[];
  coverage: CoverageRow[];
  errors: Array<{ line?: number; message: string }>;
}

/** A request an attacker or an admin makes that the audit log must show. */
export interface Probe {
  id: string;
  title: string;
  attrs: RequestAttributes;
  /** Lowest acceptable level. */
  min: Level;
  /** Highest acceptable level (bodies beyond it would write credentials into the log). */
  max?: Level;
  why: string;
}

const ALICE = { user: 'alice@example.com', groups: ['system:authenticated'] };
const r = (apiGroup: string, resource: string, subresource?: string, namespace = 'default', name?: string) => ({ apiGroup, resource, subresource, namespace, name });

export const PROBES: readonly Probe[] = [
  { id: 'exec', title: 'exec into a pod', attrs: { ...ALICE, verb: 'create', resource: r('', 'pods', 'exec', 'default', 'web') }, min: 'Metadata', why: 'the command is in the requestURI, visible from Metadata' },
  { id: 'attach', title: 'attach to a pod', attrs: { ...ALICE, verb: 'create', resource: r('', 'pods', 'attach', 'default', 'web') }, min: 'Metadata', why: 'interactive access to a container' },
  { id: 'portforward', title: 'port-forward to a pod', attrs: { ...ALICE, verb: 'create', resource: r('', 'pods', 'portforward', 'default', 'web') }, min: 'Metadata', why: 'tunnels into the cluster network' },
  { id: 'ephemeral', title: 'add an ephemeral (debug) container', attrs: { ...ALICE, verb: 'patch', resource: r('', 'pods', 'ephemeralcontainers', 'default', 'web') }, min: 'Request', why: 'the body shows the image and security context of the debug container' },
  { id: 'pod-create', title: 'create a pod', attrs: { ...ALICE, verb: 'create', resource: r('', 'pods') }, min: 'Request', why: 'the body shows privileged settings, host mounts and the service account' },
  { id: 'deployment-create', title: 'create a deployment', attrs: { ...ALICE, verb: 'create', resource: r('apps', 'deployments') }, min: 'Request', why: 'workloads carry the same risky settings as pods' },
  { id: 'daemonset-create', title: 'create a daemonset', attrs: { ...ALICE, verb: 'create', resource: r('apps', 'daemonsets') }, min: 'Request', why: 'a DaemonSet runs on every node' },
  { id: 'secret-get', title: 'read a secret', attrs: { ...ALICE, verb: 'get', resource: r('', 'secrets', undefined, 'default', 'db') }, min: 'Metadata', max: 'Metadata', why: 'RequestResponse would write the secret into the log' },
  { id: 'secret-list', title: 'list secrets in every namespace', attrs: { ...ALICE, verb: 'list', resource: { apiGroup: '', resource: 'secrets', namespace: '' } }, min: 'Metadata', max: 'Metadata', why: 'RequestResponse would write every secret into the log' },
  { id: 'secret-write', title: 'create or update a secret', attrs: { ...ALICE, verb: 'update', resource: r('', 'secrets', undefined, 'default', 'db') }, min: 'Metadata', max: 'Metadata', why: 'Request would write the new secret value into the log' },
  { id: 'configmap-write', title: 'create or update a configmap', attrs: { ...ALICE, verb: 'create', resource: r('', 'configmaps') }, min: 'Metadata', max: 'Metadata', why: 'configmaps often hold credentials by mistake' },
  { id: 'token-request', title: 'mint a service-account token', attrs: { ...ALICE, verb: 'create', resource: r('', 'serviceaccounts', 'token', 'default', 'app') }, min: 'Metadata', max: 'Metadata', why: 'the response is a bearer token' },
  { id: 'tokenreview', title: 'token review', attrs: { ...ALICE, verb: 'create', resource: { apiGroup: 'authentication.k8s.io', resource: 'tokenreviews', namespace: '' } }, min: 'None', max: 'Metadata', why: 'the request body is a bearer token' },
  { id: 'rbac-crb', title: 'bind a ClusterRole cluster-wide', attrs: { ...ALICE, verb: 'create', resource: { apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings', namespace: '' } }, min: 'RequestResponse', why: 'the body shows who was granted what' },
  { id: 'rbac-rb', title: 'create a RoleBinding', attrs: { ...ALICE, verb: 'create', resource: r('rbac.authorization.k8s.io', 'rolebindings') }, min: 'RequestResponse', why: 'the body shows who was granted what' },
  { id: 'rbac-role', title: 'change a ClusterRole', attrs: { ...ALICE, verb: 'patch', resource: { apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles', namespace: '', name: 'view' } }, min: 'RequestResponse', why: 'the response shows the rules after the patch' },
  { id: 'webhook', title: 'change an admission webhook', attrs: { ...ALICE, verb: 'create', resource: { apiGroup: 'admissionregistration.k8s.io', resource: 'mutatingwebhookconfigurations', namespace: '' } }, min: 'RequestResponse', why: 'a mutating webhook can rewrite every pod' },
  { id: 'csr-approve', title: 'approve a certificate signing request', attrs: { ...ALICE, verb: 'update', resource: { apiGroup: 'certificates.k8s.io', resource: 'certificatesigningrequests', subresource: 'approval', namespace: '', name: 'x' } }, min: 'Metadata', why: 'an approved CSR is a new credential' },
  { id: 'nodes-proxy', title: 'use nodes/proxy (kubelet API)', attrs: { ...ALICE, verb: 'get', resource: { apiGroup: '', resource: 'nodes', subresource: 'proxy', namespace: '', name: 'node-1' } }, min: 'Metadata', why: 'the kubelet API runs commands in any pod of the node' },
  { id: 'events-delete', title: 'delete events', attrs: { ...ALICE, verb: 'delete', resource: r('', 'events', undefined, 'default', 'x') }, min: 'Metadata', why: 'covering tracks' },
  { id: 'anonymous', title: 'anonymous request', attrs: { user: 'system:anonymous', groups: ['system:unauthenticated'], verb: 'list', resource: { apiGroup: '', resource: 'namespaces', namespace: '' } }, min: 'Metadata', why: 'anonymous access should never go unseen' },
  { id: 'crd-create', title: 'create a CustomResourceDefinition', attrs: { ...ALICE, verb: 'create', resource: { apiGroup: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', namespace: '' } }, min: 'Request', why: 'new API types change what the cluster accepts' },
];

/** Where each built-in resource lives; a resource listed under another group never matches. */
const RESOURCE_GROUP: Readonly<Record<string, string[]>> = {
  pods: [''], services: [''], secrets: [''], configmaps: [''], serviceaccounts: [''], namespaces: [''], nodes: [''],
  endpoints: [''], persistentvolumes: [''], persistentvolumeclaims: [''], replicationcontrollers: [''], limitranges: [''],
  resourcequotas: [''], bindings: [''], podtemplates: [''], componentstatuses: [''], events: ['', 'events.k8s.io'],
  deployments: ['apps'], daemonsets: ['apps'], statefulsets: ['apps'], replicasets: ['apps'], controllerrevisions: ['apps'],
  jobs: ['batch'], cronjobs: ['batch'],
  roles: ['rbac.authorization.k8s.io'], rolebindings: ['rbac.authorization.k8s.io'], clusterroles: ['rbac.authorization.k8s.io'], clusterrolebindings: ['rbac.authorization.k8s.io'],
  networkpolicies: ['networking.k8s.io'], ingresses: ['networking.k8s.io'], ingressclasses: ['networking.k8s.io'],
  mutatingwebhookconfigurations: ['admissionregistration.k8s.io'], validatingwebhookconfigurations: ['admissionregistration.k8s.io'],
  validatingadmissionpolicies: ['admissionregistration.k8s.io'], validatingadmissionpolicybindings: ['admissionregistration.k8s.io'],
  customresourcedefinitions: ['apiextensions.k8s.io'], certificatesigningrequests: ['certificates.k8s.io'],
  tokenreviews: ['authentication.k8s.io'], selfsubjectreviews: ['authentication.k8s.io'],
  subjectaccessreviews: ['authorization.k8s.io'], selfsubjectaccessreviews: ['authorization.k8s.io'], selfsubjectrulesreviews: ['authorization.k8s.io'], localsubjectaccessreviews: ['authorization.k8s.io'],
  leases: ['coordination.k8s.io'], poddisruptionbudgets: ['policy'], horizontalpodautoscalers: ['autoscaling'],
  priorityclasses: ['scheduling.k8s.io'], storageclasses: ['storage.k8s.io'], csidrivers: ['storage.k8s.io'], csinodes: ['storage.k8s.io'], volumeattachments: ['storage.k8s.io'],
  runtimeclasses: ['node.k8s.io'], apiservices: ['apiregistration.k8s.io'], flowschemas: ['flowcontrol.apiserver.k8s.io'], endpointslices: ['discovery.k8s.io'],
};

const SUBRESOURCE_PROBES = ['exec', 'attach', 'portforward', 'ephemeral'];

export function parsePolicy(text: string): { policy?: AuditPolicy; errors: LintResult['errors']; lineOfRule: (i: number) => number | undefined } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, logLevel: 'error' });
  const errors: LintResult['errors'] = [];
  const ruleLines: number[] = [];
  const lineOfRule = (i: number) => ruleLines[i];
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    errors.push({ line: e.pos ? lc.linePos(e.pos[0]).line : undefined, message: `invalid YAML: ${e.message.split('\n')[0]}` });
    return { errors, lineOfRule };
  }
  const data = doc.toJS() as unknown;
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    errors.push({ line: 1, message: 'not an audit policy (expected a mapping with kind: Policy)' });
    return { errors, lineOfRule };
  }
  const d = data as Record<string, unknown>;
  if (d.kind !== 'Policy' || typeof d.apiVersion !== 'string' || !/^audit\.k8s\.io\/v1/.test(d.apiVersion)) {
    errors.push({ line: 1, message: `not an audit policy: expected apiVersion audit.k8s.io/v1 and kind Policy, got ${String(d.apiVersion)} ${String(d.kind)}` });
    return { errors, lineOfRule };
  }
  const contents = doc.contents;
  if (isMap(contents)) {
    const rulesNode = contents.items.find((p) => String((p.key as { value?: unknown })?.value) === 'rules')?.value;
    if (isSeq(rulesNode)) for (const it of rulesNode.items) ruleLines.push((it as Node).range ? lc.linePos((it as Node).range![0]).line : 0);
  }
  if (!Array.isArray(d.rules)) {
    errors.push({ line: 1, message: 'the policy has no rules list' });
    return { errors, lineOfRule };
  }
  const rules: PolicyRule[] = [];
  (d.rules as unknown[]).forEach((raw, i) => {
    const rr = raw as PolicyRule;
    if (!rr || typeof rr !== 'object' || !(LEVELS as readonly string[]).includes(rr.level)) {
      errors.push({ line: ruleLines[i], message: `rule ${i + 1}: level must be one of ${LEVELS.join(', ')}` });
      return;
    }
    for (const s of rr.omitStages ?? []) if (!(STAGES as readonly string[]).includes(s)) errors.push({ line: ruleLines[i], message: `rule ${i + 1}: unknown stage ${s}` });
    rules.push(rr);
  });
  for (const s of (d.omitStages as Stage[] | undefined) ?? []) if (!(STAGES as readonly string[]).includes(s)) errors.push({ line: 1, message: `unknown stage ${s} in omitStages` });
  if (errors.length > 0) return { errors, lineOfRule };
  return { policy: { ...(d as object), rules } as AuditPolicy, errors, lineOfRule };
}

export function lintPolicy(text: string, file: string): LintResult {
  const out: LintResult = { file, findings: [], coverage: [], errors: [] };
  const { policy, errors, lineOfRule } = parsePolicy(text);
  out.errors.push(...errors);
  if (!policy) return out;
  const add = (f: LintFinding) => out.findings.push(f);

  if (policy.rules.length === 0) {
    add({ id: 'empty-policy', severity: 'critical', message: 'the policy has no rules: every request is logged at level None (nothing is audited)' });
  }

  // Rules that can never match.
  policy.rules.forEach((rule, i) => {
    const line = lineOfRule(i);
    for (let j = 0; j < i; j++) {
      if (subsumes(policy.rules[j], rule)) {
        add({ id: 'unreachable-rule', severity: 'medium', rule: i, line, message: `rule ${i + 1} never matches: rule ${j + 1} (line ${lineOfRule(j)}) already matches every request it would (first match wins)` });
        break;
      }
    }
    if (rule.nonResourceURLs?.length && (rule.resources?.length || rule.namespaces?.length)) {
      add({ id: 'mixed-nonresource', severity: 'medium', rule: i, line, message: `rule ${i + 1} mixes nonResourceURLs with resources/namespaces: its nonResourceURLs never match (a rule with resources only matches resource requests)` });
    }
    for (const gr of rule.resources ?? []) {
      const group = gr.group ?? '';
      if (group === '*') continue;
      for (const res of gr.resources ?? []) {
        const base = res.split('/')[0];
        const homes = RESOURCE_GROUP[base];
        if (base !== '*' && homes && !homes.includes(group)) {
          add({ id: 'wrong-api-group', severity: 'high', rule: i, line, message: `rule ${i + 1} lists "${res}" under group "${group}", but it lives in ${homes.map((h) => `"${h}"`).join(' or ')}: this entry never matches` });
        }
      }
      if (group === '' && (gr.resources ?? []).includes('pods') && !(gr.resources ?? []).some((x) => x === '*' || x.startsWith('pods/') || x.startsWith('*/'))) {
        const missing = SUBRESOURCE_PROBES.filter((p) => decide(policy, PROBES.find((x) => x.id === p)!.attrs).ruleIndex !== i);
        if (missing.length > 0) {
          add({
            id: 'pods-without-subresources',
            severity: 'medium',
            rule: i,
            line,
            message: `rule ${i + 1} lists "pods" without its subresources: ${missing.map((m) => `pods/${m === 'ephemeral' ? 'ephemeralcontainers' : m}`).join(', ')} fall through to later rules ("pods" does not match "pods/exec"; list them or use "pods/*")`,
          });
        }
      }
    }
  });

  // Coverage of sensitive actions.
  for (const p of PROBES) {
    const d = decide(policy, p.attrs);
    const line = d.ruleIndex >= 0 ? lineOfRule(d.ruleIndex) : undefined;
    let verdict: CoverageRow['verdict'] = 'ok';
    if (p.max && levelRank(d.level) > levelRank(p.max)) verdict = 'leaks';
    else if (levelRank(d.level) < levelRank(p.min)) verdict = d.level === 'None' ? 'not-logged' : 'too-low';
    out.coverage.push({ probe: p.id, title: p.title, level: d.level, rule: d.ruleIndex, line, verdict, expected: p.max ? `${p.min}..${p.max}` : `>= ${p.min}` });
    const by = d.ruleIndex >= 0 ? `rule ${d.ruleIndex + 1}` : 'no rule (default None)';
    if (verdict === 'leaks') {
      const sev: Severity = /secret|token/.test(p.id) ? 'high' : 'medium';
      add({ id: 'credentials-logged', severity: sev, rule: d.ruleIndex, line, message: `${p.title} is logged at ${d.level} by ${by}: ${p.why}; use Metadata` });
    } else if (verdict === 'not-logged') {
      add({ id: 'sensitive-not-logged', severity: /rbac|webhook|exec|attach|token|anonymous|nodes-proxy|csr/.test(p.id) ? 'high' : 'medium', rule: d.ruleIndex, line, message: `${p.title} is not logged (level None, ${by}): ${p.why}` });
    } else if (verdict === 'too-low') {
      add({ id: 'bodies-missing', severity: 'low', rule: d.ruleIndex, line, message: `${p.title} is logged at ${d.level} by ${by}; ${p.min} is needed because ${p.why}` });
    }
  }

  // Volume and hygiene.
  const everyRuleOmitsRR = policy.rules.length > 0 && policy.rules.every((rr) => (rr.omitStages ?? []).includes('RequestReceived'));
  if (!(policy.omitStages ?? []).includes('RequestReceived') && !everyRuleOmitsRR) {
    add({ id: 'request-received-not-omitted', severity: 'low', line: 1, message: 'RequestReceived is not in omitStages: every request is logged twice (RequestReceived and ResponseComplete), doubling volume for no information' });
  }
  const omitsMF = policy.omitManagedFields === true || (policy.rules.length > 0 && policy.rules.every((rr) => rr.omitManagedFields === true || rr.level === 'None' || rr.level === 'Metadata'));
  if (!omitsMF) {
    add({ id: 'managed-fields-not-omitted', severity: 'info', line: 1, message: 'omitManagedFields is not set: Request and RequestResponse events carry metadata.managedFields, which is large and says nothing about security' });
  }
  out.findings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || a.id.localeCompare(b.id));
  return out;
}

/** Does rule a match every request that rule b matches? (Conservative: false when unsure.) */
export function subsumes(a: PolicyRule, b: PolicyRule): boolean {
  if (!coversSet(a.users, b.users)) return false;
  if (!coversSet(a.userGroups, b.userGroups)) return false;
  if (!coversSet(a.verbs, b.verbs)) return false;
  const aRes = Boolean(a.resources?.length || a.namespaces?.length);
  const bRes = Boolean(b.resources?.length || b.namespaces?.length);
  const aNon = !aRes && Boolean(a.nonResourceURLs?.length);
  const bNon = !bRes && Boolean(b.nonResourceURLs?.length);
  if (aRes) {
    if (!bRes) return false;
    if (!coversSet(a.namespaces, b.namespaces)) return false;
    if (!a.resources?.length) return true;
    if (!b.resources?.length) return false;
    return b.resources.every((gb) => (gb.resources?.length ? gb.resources.every((res) => a.resources!.some((ga) => grCovers(ga, gb, res))) : a.resources!.some((ga) => grCoversAll(ga, gb))));
  }
  if (aNon) {
    if (!bNon) return false;
    return b.nonResourceURLs!.every((u) => a.nonResourceURLs!.some((s) => s === '*' || s === u || (s.endsWith('*') && u.replace(/\*+$/, '').startsWith(s.replace(/\*+$/, '')))));
  }
  return true; // a has no request filter
}

/** An empty list matches anything; otherwise a must contain all of b (and b must be non-empty). */
function coversSet(a: string[] | undefined, b: string[] | undefined): boolean {
  if (!a?.length) return true;
  if (!b?.length) return false;
  return b.every((x) => a.includes(x));
}

function grCoversAll(ga: GroupResources, gb: GroupResources): boolean {
  if (ga.group !== '*' && (ga.group ?? '') !== (gb.group ?? '')) return false;
  if (ga.resourceNames?.length) return false;
  return !ga.resources?.length || ga.resources.includes('*');
}

function grCovers(ga: GroupResources, gb: GroupResources, res: string): boolean {
  if (ga.group !== '*' && (ga.group ?? '') !== (gb.group ?? '')) return false;
  if (ga.resourceNames?.length) {
    if (!gb.resourceNames?.length || !gb.resourceNames.every((n) => ga.resourceNames!.includes(n))) return false;
  }
  if (!ga.resources?.length) return true;
  return ga.resources.some((s) => {
    if (s === '*' || s === res) return true;
    const [base, sub] = res.split('/');
    if (sub && s.startsWith('*/') && s.slice(2) === sub) return true;
    if (s.endsWith('/*') && s.slice(0, -2) === base) return true;
    return false;
  });
}
