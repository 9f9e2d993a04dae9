// `kubeward rbac`: ask the RBAC model questions, offline or against a live cluster's objects.
//   can-i VERB RESOURCE[/SUB] [NAME] --as USER      yes/no, exit 0/1, like kubectl auth can-i
//   who-can VERB RESOURCE[/SUB] [NAME]              every subject and the (binding, role) that grants it
//   explain SUBJECT                                 everything a subject can do, risks first
//   paths [--subject S]                             shortest escalation paths to cluster-admin
// Answers come from src/analysis/rbac (the API server's exact semantics); this file only parses
// arguments and prints.
import { Command, Option } from 'commander';
import type { CommandEnv } from '../main.js';
import { UserError, type InputError } from '../../core/types.js';
import type { ClusterState } from '../../model/cluster-state.js';
import { addInputOptions, gatherInputs, type InputOpts } from '../inputs.js';
import { formatInputError } from '../../reporters/text.js';
import { registerRbacSuggest } from './rbac-suggest.js';
import {
  actionText,
  chainText,
  describePath,
  describeRef,
  describeSubjectRef,
  escalationFor,
  holdingChain,
  holdingEvidence,
  holdingSeverity,
  keyOfSubject,
  nodeLabel,
  parseResourceArg,
  rbacFor,
  refString,
  riskFor,
  scopeText,
  stepCount,
  stepsEvidence,
  coveredByFull,
  splitServiceAccountUsername,
  subjectOfKey,
  type AuthzRequest,
  type EscalationStep,
  type GrantedRule,
  type PolicyRule,
  type RbacEvaluator,
  type SubjectRef,
  type WhoCanQuery,
} from '../../analysis/rbac/index.js';

const RBAC_KINDS = ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].map((k) => `rbac.authorization.k8s.io/${k}`);

/** Built-in resources that have no namespace ("group/resource", core group as ""). */
const CLUSTER_SCOPED_RESOURCES = new Set([
  '/namespaces', '/nodes', '/persistentvolumes', '/componentstatuses', '/users', '/groups',
  'rbac.authorization.k8s.io/clusterroles', 'rbac.authorization.k8s.io/clusterrolebindings',
  'apiextensions.k8s.io/customresourcedefinitions', 'apiregistration.k8s.io/apiservices',
  'storage.k8s.io/storageclasses', 'storage.k8s.io/csidrivers', 'storage.k8s.io/csinodes', 'storage.k8s.io/volumeattachments',
  'storage.k8s.io/volumeattributesclasses', 'scheduling.k8s.io/priorityclasses', 'node.k8s.io/runtimeclasses',
  'networking.k8s.io/ingressclasses', 'networking.k8s.io/ipaddresses', 'networking.k8s.io/servicecidrs',
  'admissionregistration.k8s.io/mutatingwebhookconfigurations', 'admissionregistration.k8s.io/validatingwebhookconfigurations',
  'admissionregistration.k8s.io/validatingadmissionpolicies', 'admissionregistration.k8s.io/validatingadmissionpolicybindings',
  'admissionregistration.k8s.io/mutatingadmissionpolicies', 'admissionregistration.k8s.io/mutatingadmissionpolicybindings',
  'certificates.k8s.io/certificatesigningrequests', 'certificates.k8s.io/clustertrustbundles', 'certificates.k8s.io/signers',
  'flowcontrol.apiserver.k8s.io/flowschemas', 'flowcontrol.apiserver.k8s.io/prioritylevelconfigurations',
  'authentication.k8s.io/tokenreviews', 'authentication.k8s.io/selfsubjectreviews', 'authentication.k8s.io/uids', 'authentication.k8s.io/userextras',
  'authorization.k8s.io/subjectaccessreviews', 'authorization.k8s.io/selfsubjectaccessreviews', 'authorization.k8s.io/selfsubjectrulesreviews',
  'resource.k8s.io/deviceclasses', 'resource.k8s.io/resourceslices',
]);

interface Common extends InputOpts {
  format?: string;
}

interface CanIOpts extends Common {
  namespace?: string;
  allNamespaces?: boolean;
  as?: string;
  asGroup: string[];
  verbose?: boolean;
}

interface WhoCanOpts extends Common {
  namespace?: string;
  allNamespaces?: boolean;
}

export function registerRbac(program: Command, env: CommandEnv): void {
  const rbac = program
    .command('rbac')
    .description('ask the RBAC model: can-i, who-can, explain a subject, escalation paths (offline or live, exact API-server semantics)')
    .addHelpText(
      'after',
      `
Every subcommand reads its input like scan: files and folders (-f, repeatable), a kubeward snapshot,
or a live cluster (--live, --kubeconfig, --context). Bootstrap ClusterRoles (cluster-admin, admin,
edit, view, system:*) that the input references but does not define are taken as kube-apiserver
defines them.

Examples:
  kubeward rbac can-i create pods -n shop --as system:serviceaccount:shop:storefront -f examples/shop
  kubeward rbac who-can get secrets -n shop -f examples/shop
  kubeward rbac explain sa:tools/ci-deployer examples/shop
  kubeward rbac paths --context prod-eks`,
    );
  registerRbacSuggest(rbac, env);

  // ------------------------------------------------------------------ can-i
  addInputOptions(
    rbac
      .command('can-i')
      .description('is a request allowed? prints yes or no and exits 0 or 1, like kubectl auth can-i')
      .argument('<verb>', 'verb: get, list, create, update, patch, delete, impersonate, bind, escalate, * ...')
      .argument('<resource>', 'RESOURCE[.GROUP][/SUBRESOURCE] (pods, deployments.apps/scale, pods/exec), or a non-resource URL starting with / (/metrics, /apis/*)')
      .argument('[name]', 'object name (resourceNames); omit for create, list, watch'),
  )
    .option('-n, --namespace <ns>', 'namespace of the request (default: default; ignored for cluster-scoped resources)')
    .option('-A, --all-namespaces', 'ask in all namespaces at once (no namespace: only ClusterRoleBindings count)')
    .option('--as <user>', 'the user to ask for (system:serviceaccount:NS:NAME for a service account); required')
    .option('--as-group <group>', 'a group of the user (repeatable); the groups an authenticator adds are added too', (v: string, p: string[]) => [...p, v], [])
    .option('-v, --verbose', 'say which binding and role allow it, or why not')
    .addHelpText(
      'after',
      `
The identity carries the groups a real request would: system:authenticated, and for service
accounts system:serviceaccounts and system:serviceaccounts:<namespace>. Members of system:masters
are allowed everything without any binding.

Exit codes: 0 yes, 1 no, 2 usage or input errors (the answer is still printed, but may be wrong).

Examples:
  kubeward rbac can-i list secrets -n shop --as system:serviceaccount:shop:storefront -f examples/shop
  kubeward rbac can-i create pods/exec -n shop --as alice --as-group devs -v --context prod
  kubeward rbac can-i get nodes --as bob -f cluster.json          # cluster-scoped: no namespace
  kubeward rbac can-i get /metrics --as system:serviceaccount:monitoring:prometheus -f rbac/`,
    )
    .action(async (verb: string, resource: string, name: string | undefined, opts: CanIOpts) => {
      if (!opts.as) throw new UserError('can-i needs --as USER (there is no "current user" offline); e.g. --as system:serviceaccount:shop:web');
      const { state, errors } = await gatherInputs([], opts, env.io);
      warnInputs(env, state, errors);
      const e = rbacFor(state);
      const req = buildRequest(state, verb, resource, name, opts);
      const d = e.authorize({ ...req, user: opts.as, groups: opts.asGroup } as AuthzRequest);
      env.io.out(d.allowed ? 'yes\n' : 'no\n');
      if (opts.verbose) {
        const lines: string[] = [];
        const where = 'path' in req ? `${req.verb} ${req.path}` : `${req.verb} ${describeResource(req)}${req.name ? ` ${JSON.stringify(req.name)}` : ''}${req.namespace ? ` in namespace ${req.namespace}` : ' (no namespace: ClusterRoleBindings only)'}`;
        lines.push(`request: ${where}`);
        lines.push(`identity: user ${JSON.stringify(d.identity.user)}, groups ${d.identity.groups.map((g) => JSON.stringify(g)).join(', ') || '(none)'}`);
        if (d.superuser) lines.push('allowed: member of system:masters (the built-in superuser authorizer, before RBAC; no binding needed)');
        for (const g of d.via) {
          lines.push(`allowed by ${describeRef(g.binding)} -> ${describeRef(g.role)} rules[${g.ruleIndex}] ${ruleText(g.rule)}${g.subject.kind === 'Group' ? ` (as member of Group ${g.subject.name})` : ''}`);
        }
        if (!d.allowed) lines.push(...whyNot(e, d.identity, req));
        for (const err of d.errors) lines.push(`note: ${err} (a binding applying to this identity references it)`);
        env.io.out(lines.map((l) => `  ${l}\n`).join(''));
      }
      env.setExit(errors.length > 0 ? 2 : d.allowed ? 0 : 1);
    });

  // ------------------------------------------------------------------ who-can
  addInputOptions(
    rbac
      .command('who-can')
      .description('every subject that may make a request, with the bindings and roles that allow it')
      .argument('<verb>', 'verb')
      .argument('<resource>', 'RESOURCE[.GROUP][/SUBRESOURCE], or a non-resource URL starting with /')
      .argument('[name]', 'object name (resourceNames)'),
  )
    .option('-n, --namespace <ns>', 'namespace of the request (default: default; ignored for cluster-scoped resources)')
    .option('-A, --all-namespaces', 'count the RoleBindings of every namespace (each grant says where it applies)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      `
Subjects are listed as bound: members of a listed group are not expanded. Group system:masters is
always listed: it is allowed everything by the built-in superuser authorizer, without a binding.

--format json prints {"subjects": [{"kind", "name", "namespace"?, "via": [{"binding", "role"}]}]}
with binding and role as "Kind/name" or "Kind/namespace/name" strings ("RoleBinding/shop/x",
"ClusterRole/view"); system:masters has "via": [].

Examples:
  kubeward rbac who-can get secrets -n shop -f examples/shop
  kubeward rbac who-can create pods/exec -A --context prod --format json
  kubeward rbac who-can update configmaps aws-auth -n kube-system --context prod-eks`,
    )
    .action(async (verb: string, resource: string, name: string | undefined, opts: WhoCanOpts) => {
      const { state, errors } = await gatherInputs([], opts, env.io);
      warnInputs(env, state, errors);
      const e = rbacFor(state);
      const req = buildRequest(state, verb, resource, name, opts);
      const q: WhoCanQuery = 'path' in req ? req : { ...req, ...(opts.allNamespaces ? { allNamespaces: true } : {}) };
      const r = e.whoCan(q);
      if (opts.format === 'json') {
        const subjects = r.subjects.map((s) => ({
          kind: s.kind,
          name: s.name,
          ...(s.namespace !== undefined ? { namespace: s.namespace } : {}),
          via: s.via.map((v) => ({ binding: refString(v.binding), role: refString(v.role) })),
        }));
        env.io.out(JSON.stringify({ subjects }, null, 2) + '\n');
      } else {
        const rows: Array<[string, string]> = [];
        for (const s of r.subjects) {
          const who = describeSubjectRef(s);
          if (s.superuser) rows.push([who, '(system:masters: allowed everything by the built-in superuser authorizer, no binding)']);
          s.via.forEach((v, i) => rows.push([i === 0 ? who : '', `${describeRef(v.binding)} -> ${describeRef(v.role)}${v.aggregatedFrom ? ` (aggregated from ClusterRole ${v.aggregatedFrom.name})` : ''}`]));
        }
        const w = Math.max(7, ...rows.map(([a]) => a.length));
        env.io.out(`${'SUBJECT'.padEnd(w)}  VIA\n${rows.map(([a, b]) => `${a.padEnd(w)}  ${b}`).join('\n')}\n`);
      }
      env.setExit(errors.length > 0 ? 2 : 0);
    });

  // ------------------------------------------------------------------ explain
  addInputOptions(
    rbac
      .command('explain')
      .description('everything a subject can do, grouped by risk (the catalogue of techniques first), with the bindings and roles that grant it')
      .argument('<subject>', 'USER, user:NAME, group:NAME, system:serviceaccount:NS:NAME or sa:NS/NAME')
      .argument('[paths...]', 'files or folders to read (like scan)'),
  )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      `
Users and service accounts are explained with the groups a real request carries
(system:authenticated; system:serviceaccounts[:<ns>] for service accounts): grants to those groups
are theirs too. A group is explained alone.

Examples:
  kubeward rbac explain sa:shop/storefront examples/shop
  kubeward rbac explain system:serviceaccount:tools:ci-deployer -f examples/shop --format json
  kubeward rbac explain group:system:authenticated --context prod`,
    )
    .action(async (subjectArg: string, paths: string[], opts: Common) => {
      const subject = parseSubject(subjectArg);
      const { state, errors } = await gatherInputs(paths, opts, env.io);
      warnInputs(env, state, errors);
      const out = explain(rbacFor(state), subject, opts.format === 'json');
      env.io.out(out);
      env.setExit(errors.length > 0 ? 2 : 0);
    });

  // ------------------------------------------------------------------ paths
  addInputOptions(
    rbac
      .command('paths')
      .description('shortest escalation paths from subjects to cluster-admin (create pods as a stronger service account, mint tokens, bind, impersonate, nodes/proxy, webhooks...)')
      .argument('[paths...]', 'files or folders to read (like scan)'),
  )
    .option('--subject <subject>', 'only this subject (USER, group:NAME, system:serviceaccount:NS:NAME or sa:NS/NAME)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      `
Without --subject: every subject bound in the input (and every service account a pod runs as)
that can reach cluster-admin without holding it directly; platform identities last, marked.

Examples:
  kubeward rbac paths examples/shop
  kubeward rbac paths --subject sa:ci/builder -f rbac/ --format json
  kubeward rbac paths --context prod-eks`,
    )
    .action(async (paths: string[], opts: Common & { subject?: string }) => {
      const only = opts.subject !== undefined ? parseSubject(opts.subject) : undefined;
      const { state, errors } = await gatherInputs(paths, opts, env.io);
      warnInputs(env, state, errors);
      const graph = escalationFor(rbacFor(state));
      let list: Array<{ subject: SubjectRef; platform: boolean; steps: readonly EscalationStep[] }>;
      if (only) {
        const steps = graph.pathFrom(keyOfSubject(only));
        list = steps && steps.length > 0 ? [{ subject: only, platform: subjectOfKey(keyOfSubject(only)).platform !== undefined, steps }] : [];
      } else {
        list = [...graph.paths()].sort((a, b) => Number(a.platform) - Number(b.platform));
      }
      if (opts.format === 'json') {
        env.io.out(JSON.stringify({ paths: list.map((p) => ({ subject: subjectJson(p.subject), platform: p.platform, steps: stepsEvidence(p.steps) })) }, null, 2) + '\n');
      } else if (list.length === 0) {
        env.io.out(only ? `${describeSubjectRef(only)} has no path to cluster-admin in this input.\n` : 'No subject can reach cluster-admin in this input (other than those bound to it).\n');
      } else {
        env.io.out(list.map((p) => renderPath(p.subject, p.steps, p.platform)).join('\n'));
      }
      env.setExit(errors.length > 0 ? 2 : 0);
    });
}

// ------------------------------------------------------------------ requests
type Req = { verb: string; path: string } | { verb: string; apiGroup: string; resource: string; subresource?: string; name?: string; namespace?: string };

function buildRequest(state: ClusterState, verb: string, resource: string, name: string | undefined, opts: { namespace?: string; allNamespaces?: boolean }): Req {
  if (verb === '') throw new UserError('the verb is empty');
  if (opts.namespace !== undefined && opts.allNamespaces) throw new UserError('give either --namespace or --all-namespaces, not both');
  if (resource.startsWith('/')) {
    if (name !== undefined) throw new UserError(`a non-resource URL (${resource}) takes no object name`);
    return { verb, path: resource };
  }
  if (resource === '') throw new UserError('the resource is empty');
  const r = parseResourceArg(resource);
  if (r.resource === '') throw new UserError(`cannot read resource "${resource}": expected RESOURCE[.GROUP][/SUBRESOURCE]`);
  const clusterScoped = isClusterScoped(state, r.apiGroup, r.resource);
  const namespace = clusterScoped || opts.allNamespaces ? undefined : (opts.namespace ?? 'default');
  return {
    verb,
    apiGroup: r.apiGroup,
    resource: r.resource,
    ...(r.subresource !== undefined ? { subresource: r.subresource } : {}),
    ...(name !== undefined && name !== '' ? { name } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
  };
}

/** Built-in table, then the CustomResourceDefinitions of the input. */
function isClusterScoped(state: ClusterState, group: string, resource: string): boolean {
  if (CLUSTER_SCOPED_RESOURCES.has(`${group}/${resource}`)) return true;
  for (const crd of state.ofKind('apiextensions.k8s.io/CustomResourceDefinition')) {
    const spec = crd.obj.spec as { group?: string; scope?: string; names?: { plural?: string } } | undefined;
    if (spec?.group === group && spec.names?.plural === resource) return spec.scope === 'Cluster';
  }
  return false;
}

function describeResource(r: { apiGroup: string; resource: string; subresource?: string }): string {
  return `${r.resource}${r.apiGroup ? `.${r.apiGroup}` : ''}${r.subresource ? `/${r.subresource}` : ''}`;
}

function whyNot(e: RbacEvaluator, id: { user: string | undefined; groups: readonly string[] }, req: Req): string[] {
  const namespace = 'path' in req ? '' : (req.namespace ?? '');
  const keys = [...(id.user !== undefined ? [`u:${id.user}`] : []), ...id.groups.map((g) => `g:${g}`)];
  const bindings = new Set<string>();
  for (const k of keys) {
    for (const b of e.model.bySubject.get(k) ?? []) {
      if (b.kind === 'RoleBinding' && b.namespace !== namespace) continue;
      bindings.add(`${describeRef(b.ref)} -> ${b.role ? describeRef(b.role.ref) : `${b.roleRef?.kind ?? '?'} ${b.roleRef?.name ?? '?'} (missing)`}`);
    }
  }
  const lines = ['denied: no RBAC rule allows it (RBAC has no deny rules: nothing granted it)'];
  if ('path' in req) lines.push('note: non-resource URLs are granted only by ClusterRoleBindings');
  else if (namespace === '') lines.push('note: a request without a namespace is granted only by ClusterRoleBindings');
  if (bindings.size === 0) lines.push('no binding in the input applies to this identity' + (namespace ? ` cluster-wide or in ${namespace}` : ' cluster-wide'));
  else for (const b of [...bindings].sort()) lines.push(`applies but does not allow it: ${b}`);
  return lines;
}

// ------------------------------------------------------------------ subjects
/** USER, user:NAME, group:NAME, system:serviceaccount:NS:NAME, sa:NS/NAME (serviceaccount:NS/NAME). */
export function parseSubject(arg: string): SubjectRef {
  const s = arg.trim();
  if (s === '') throw new UserError('the subject is empty: give USER, group:NAME, system:serviceaccount:NS:NAME or sa:NS/NAME');
  if (s.startsWith('system:serviceaccount:')) {
    const sa = splitServiceAccountUsername(s);
    if (!sa) throw new UserError(`"${s}" is not a service-account username (system:serviceaccount:NAMESPACE:NAME)`);
    return { kind: 'ServiceAccount', namespace: sa.namespace, name: sa.name };
  }
  const m = /^(sa|serviceaccount|group|user):(.*)$/i.exec(s);
  if (!m) return { kind: 'User', name: s };
  const kind = m[1].toLowerCase();
  const rest = m[2];
  if (rest === '') throw new UserError(`"${s}" names no ${kind}`);
  if (kind === 'group') return { kind: 'Group', name: rest };
  if (kind === 'user') return { kind: 'User', name: rest };
  const sa = /^([^/]+)\/([^/]+)$/.exec(rest);
  if (!sa) throw new UserError(`"${s}": write a service account as sa:NAMESPACE/NAME`);
  return { kind: 'ServiceAccount', namespace: sa[1], name: sa[2] };
}

function subjectJson(s: SubjectRef): Record<string, string> {
  return { kind: s.kind, name: s.name, ...(s.namespace !== undefined ? { namespace: s.namespace } : {}) };
}

// ------------------------------------------------------------------ explain
function explain(e: RbacEvaluator, subject: SubjectRef, json: boolean): string {
  const risk = riskFor(e);
  const key = keyOfSubject(subject);
  const rules = e.rulesFor(subject);
  // A group alone (as rulesFor explains it); users and service accounts with their implied groups.
  const holdings = subject.kind === 'Group' ? risk.directHoldings(key) : risk.effective(key.slice(2)).holdings;
  const pods = subject.kind === 'ServiceAccount' ? (risk.podsBySa().get(key.slice(2)) ?? []) : [];
  const path = escalationFor(e).pathFrom(key);
  const platform = subjectOfKey(key).platform;
  if (json) {
    const grant = (g: GrantedRule) => ({
      binding: refString(g.binding),
      role: refString(g.role),
      rule: g.ruleIndex,
      ...ruleJson(g.rule),
      ...(g.subject.kind === 'Group' ? { viaGroup: g.subject.name } : {}),
      ...(g.aggregatedFrom ? { aggregatedFrom: `ClusterRole/${g.aggregatedFrom.name}` } : {}),
      ...(g.inert ? { inert: g.inert } : {}),
    });
    return (
      JSON.stringify(
        {
          subject: subjectJson(subject),
          ...(platform ? { platform } : {}),
          identity: rules.identity,
          superuser: rules.superuser,
          risks: holdings.map((h) => ({ severity: holdingSeverity(h), action: `${actionText(h)}${scopeText(h)}`, ...holdingEvidence(h) })),
          escalationPath: path ? stepsEvidence(path) : null,
          rules: { clusterWide: rules.clusterWide.map(grant), namespaces: Object.fromEntries(Object.entries(rules.namespaces).map(([ns, l]) => [ns, l.map(grant)])) },
          errors: rules.errors,
          pods: pods.map((p) => ({ workload: refString({ kind: p.pod.owner.ref.kind, namespace: p.pod.owner.ref.namespace, name: p.pod.owner.ref.name }), tokenMounted: p.tokenMounted })),
        },
        null,
        2,
      ) + '\n'
    );
  }
  const out: string[] = [];
  out.push(`${describeSubjectRef(subject)}${platform ? ` (platform identity: ${platform})` : ''}`);
  out.push(`  identity: user ${JSON.stringify(rules.identity.user ?? null)}, groups ${rules.identity.groups.join(', ') || '(none)'}`);
  if (rules.superuser) out.push('  member of system:masters: allowed everything (built-in superuser authorizer, no binding)');
  if (pods.length > 0) out.push(`  runs: ${pods.map((p) => `${describeRef({ kind: p.pod.owner.ref.kind, namespace: p.pod.owner.ref.namespace, name: p.pod.owner.ref.name })}${p.tokenMounted ? '' : ' (token not mounted)'}`).join(', ')}`);
  out.push('');
  out.push(holdings.length > 0 ? 'Risky permissions (most dangerous first):' : 'Risky permissions: none of the catalogue.');
  const sorted = [...holdings].filter((h) => !coveredByFull(h, holdings)).sort((a, b) => rank(holdingSeverity(b)) - rank(holdingSeverity(a)));
  for (const h of sorted) {
    const implied = h.technique.id === 'cluster-admin' ? ` (and so every other technique${h.scope === '' ? '' : ` in ${h.scope}`})` : '';
    out.push(`  [${holdingSeverity(h)}] ${actionText(h)}${scopeText(h)}${implied}${h.platform ? ' (platform)' : ''}`);
    out.push(`      ${h.technique.effect}`);
    out.push(`      via ${holdingChain(h, key)}`);
  }
  out.push('');
  if (path && path.length > 0) out.push(`Escalation path to cluster-admin (${stepCount(path)} step${stepCount(path) === 1 ? '' : 's'}):`, `  ${describePath(describeSubjectRef(subject), path, key)}`);
  else out.push('Escalation path to cluster-admin: none in this input.');
  out.push('');
  const section = (title: string, list: readonly GrantedRule[]) => {
    out.push(`${title}:`);
    if (list.length === 0) out.push('  (nothing)');
    let last = '';
    for (const g of list) {
      const head = `${describeRef(g.binding)} -> ${describeRef(g.role)}${g.subject.kind === 'Group' ? ` (as member of Group ${g.subject.name})` : ''}`;
      if (head !== last) out.push(`  ${head}`);
      last = head;
      out.push(`      ${ruleText(g.rule)}${g.inert ? `   [inert: ${g.inert}]` : ''}`);
    }
  };
  out.push('All permissions:');
  section('cluster-wide (ClusterRoleBindings)', rules.clusterWide);
  for (const [ns, list] of Object.entries(rules.namespaces)) section(`namespace ${ns} (RoleBindings)`, list);
  for (const err of rules.errors) out.push(`note: ${err}`);
  return out.join('\n') + '\n';
}

function rank(s: string): number {
  return ['info', 'low', 'medium', 'high', 'critical'].indexOf(s);
}

/** "get, list on pods, configmaps in core (names: a, b)", "* on * in *", "get on URLs /healthz, /metrics". */
export function ruleText(r: PolicyRule): string {
  const verbs = r.verbs.join(', ') || '(no verbs)';
  const parts: string[] = [];
  if (r.resources.length > 0) {
    const groups = r.apiGroups.map((g) => (g === '' ? 'core' : g)).join(', ') || '(no API group: matches nothing)';
    parts.push(`${verbs} on ${r.resources.join(', ')} in ${groups}${r.resourceNames.length > 0 ? ` (names: ${r.resourceNames.join(', ')})` : ''}`);
  }
  if (r.nonResourceURLs.length > 0) parts.push(`${verbs} on URLs ${r.nonResourceURLs.join(', ')}`);
  return parts.join('; ') || `${verbs} on nothing`;
}

function ruleJson(r: PolicyRule): Record<string, readonly string[]> {
  const o: Record<string, readonly string[]> = { verbs: r.verbs };
  if (r.apiGroups.length) o.apiGroups = r.apiGroups;
  if (r.resources.length) o.resources = r.resources;
  if (r.resourceNames.length) o.resourceNames = r.resourceNames;
  if (r.nonResourceURLs.length) o.nonResourceURLs = r.nonResourceURLs;
  return o;
}

// ------------------------------------------------------------------ paths
function renderPath(subject: SubjectRef, steps: readonly EscalationStep[], platform: boolean): string {
  const count = stepCount(steps);
  const lines = [`${describeSubjectRef(subject)}${platform ? ' [platform]' : ''}: ${count} step${count === 1 ? '' : 's'} to cluster-admin`];
  let n = 0;
  for (const s of steps) {
    if (s.grants.length > 0 || s.objects.length > 0) {
      n++;
      lines.push(`  ${n}. ${s.action}`);
      const via = chainText(s.grants, n === 1 ? keyOfSubject(subject) : s.from);
      if (via) lines.push(`     via ${via}`);
    }
    if (!/^(anysa|exec|tokens|nsadmin):\*$/.test(s.to)) lines.push(`     => ${nodeLabel(s.to)}`);
  }
  return lines.join('\n') + '\n';
}

// ------------------------------------------------------------------ input warnings
function warnInputs(env: CommandEnv, state: ClusterState, errors: readonly InputError[]): void {
  for (const e of errors) env.io.err(`kubeward: ${formatInputError(e, env.io.cwd)}\n`);
  for (const n of state.notAssessed) {
    if (RBAC_KINDS.includes(n.what) || n.what === 'ServiceAccount') env.io.err(`kubeward: warning: ${n.what} could not be read (${n.reason}): answers may miss grants\n`);
  }
  if (RBAC_KINDS.every((k) => state.ofKind(k).length === 0)) {
    env.io.err('kubeward: warning: the input has no Role, ClusterRole, RoleBinding or ClusterRoleBinding: only system:masters is allowed anything\n');
  }
}
