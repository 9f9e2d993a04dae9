// Who changes the workloads of a namespace is stable: a CI or GitOps service account, a few people.
// After a learning period at the start of the log, the first workload change by anyone else in a
// namespace is reported, with who changed that namespace before: a person editing what GitOps owns,
// a pod's service account deploying (a stolen token), an account that never deployed there.
// Deterministic: it depends only on the order of the events in the log.
import { eventTimeMs } from '../../event.js';
import type { Severity } from '../../../core/types.js';
import { defineDetection } from '../types.js';
import { isDryRun, isServiceAccount, isoOrEmpty, KIND_OF, MUTATING_VERBS, POD_CONTROLLERS, succeeded, target, who } from '../_lib.js';

/** Namespaces tracked; further ones are neither learned nor judged. */
const MAX_NAMESPACES = 20_000;
/** Identities remembered per namespace; a namespace changed by more is too busy to call anyone unusual. */
const MAX_ACTORS = 50;
/** Earlier identities named in a report. */
const SHOWN = 5;

interface Namespace {
  /** Identities that changed workloads here, in order of first change; `learned`: during the learning period. */
  actors: Array<{ user: string; learned: boolean }>;
  /** People and service accounts learned during the learning period: the namespace's usual writers. */
  learnedUsers: number;
  learnedServiceAccounts: number;
}

interface State {
  /** Time of the first workload event seen (start of the learning period), NaN until one has a time. */
  t0: number;
  learningOver: boolean;
  namespaces: Map<string, Namespace>;
}

type Reason = 'new-namespace' | 'user-in-automated-namespace' | 'new-service-account' | 'new-user';

/** "kube-system" for "system:serviceaccount:kube-system:x". */
const saNamespace = (user: string): string => user.split(':')[2] ?? '';

export default defineDetection({
  meta: {
    id: 'unusual-workload-change',
    title: 'Workload changed by an identity that does not normally change workloads there',
    severity: 'medium',
    mitre: ['T1610', 'T1078'],
    description:
      'A Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or ReplicationController was created, updated or patched in a namespace by an identity that had not changed workloads there before in the log. The first `learningMinutes` of the log (from the first workload event) are learning only: who changes what where. Afterwards each new identity is reported once per namespace, with the identities seen before: medium for a person changing a namespace that only service accounts (CI, GitOps) changed during the learning period, and for a service account new to the namespace (a pod\'s stolen token deploying); low for a person new to a namespace others change by hand, and for a namespace without earlier changes. Platform identities (controllers creating pods) are neither learned nor reported; dry runs and subresources (status, scale) are skipped.',
    allowList: 'platform',
    needs: 'Metadata',
  },
  on: { resources: POD_CONTROLLERS },
  options: { learningMinutes: 60 },
  init: (): State => ({ t0: NaN, learningOver: false, namespaces: new Map() }),
  check(ev, ctx, st) {
    const ref = ev.objectRef;
    if (Number.isNaN(st.t0)) st.t0 = eventTimeMs(ev);
    if (!ref || !ref.resource || ref.subresource || !ref.namespace || !MUTATING_VERBS.has(ev.verb)) return;
    if (!succeeded(ev) || isDryRun(ev) || ctx.allowed(ev)) return;
    const t = eventTimeMs(ev);
    const user = ev.user.username;
    if (!user) return;
    const learningMs = ctx.options.learningMinutes * 60_000;
    let learning: boolean;
    if (Number.isNaN(t)) learning = !st.learningOver;
    else {
      learning = t - st.t0 < learningMs;
      if (!learning) st.learningOver = true;
    }

    const nsName = ref.namespace;
    let ns = st.namespaces.get(nsName);
    if (ns?.actors.some((a) => a.user === user)) return;
    if (ns && ns.actors.length >= MAX_ACTORS) return;
    const sa = isServiceAccount(user);
    if (!learning && !(ns === undefined && st.namespaces.size >= MAX_NAMESPACES)) {
      const before = (ns?.actors ?? []).map((a) => a.user);
      let reason: Reason;
      let severity: Severity;
      if (before.length === 0) [reason, severity] = ['new-namespace', 'low'];
      else if (sa) [reason, severity] = ['new-service-account', 'medium'];
      else if (ns!.learnedUsers === 0 && ns!.learnedServiceAccounts > 0) [reason, severity] = ['user-in-automated-namespace', 'medium'];
      else [reason, severity] = ['new-user', 'low'];
      const kind = KIND_OF[ref.resource] ?? ref.resource;
      const verb = ev.verb === 'create' ? 'created' : ev.verb === 'update' ? 'updated' : 'patched';
      const list = (xs: readonly string[]): string => xs.slice(0, SHOWN).join(', ') + (xs.length > SHOWN ? `, and ${xs.length - SHOWN} more` : '');
      const shown = list(before);
      const foreign = sa && saNamespace(user) !== nsName ? ` (a service account of namespace ${saNamespace(user)})` : '';
      const history =
        reason === 'new-namespace'
          ? `no earlier workload change in ${nsName} except by the platform`
          : reason === 'user-in-automated-namespace'
            ? `during learning ${nsName} was changed only by service accounts (${list(ns!.actors.filter((a) => a.learned).map((a) => a.user))}): a manual change to a namespace managed by automation`
            : `previously only ${shown}`;
      ctx.report(ev, {
        message: `${who(ev)} ${verb} ${kind} ${target(ev)}: first workload change by ${user}${foreign} in namespace ${nsName}; ${history}`,
        severity,
        evidence: {
          namespace: nsName,
          kind,
          reason,
          actorKind: sa ? 'serviceaccount' : 'user',
          previously: before.slice(0, 20),
          previousCount: before.length,
          learningEnded: isoOrEmpty(st.t0 + learningMs),
        },
      });
    }
    if (!ns) {
      if (st.namespaces.size >= MAX_NAMESPACES) return;
      ns = { actors: [], learnedUsers: 0, learnedServiceAccounts: 0 };
      st.namespaces.set(nsName, ns);
    }
    ns.actors.push({ user, learned: learning });
    if (learning) {
      if (sa) ns.learnedServiceAccounts++;
      else ns.learnedUsers++;
    }
  },
});
