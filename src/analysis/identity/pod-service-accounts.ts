// Which pods run as which Kubernetes service account. Pure, over ClusterState.
import type { LoadedObject } from '../../core/types.js';
import type { ClusterState, PodTemplateView } from '../../model/cluster-state.js';

/** The service account a pod spec runs as (serviceAccountName, the deprecated serviceAccount, else "default"). */
export function podServiceAccount(pod: PodTemplateView): string {
  const n = pod.spec.serviceAccountName ?? pod.spec.serviceAccount;
  return typeof n === 'string' && n !== '' ? n : 'default';
}

/** "namespace/name" -> pod specs (top-level ones: Pods not owned by a loaded controller, and workload templates). */
export function podsByServiceAccount(state: ClusterState): Map<string, PodTemplateView[]> {
  const m = new Map<string, PodTemplateView[]>();
  for (const pod of state.podTemplates()) {
    if (pod.controller) continue;
    const k = `${pod.namespace}/${podServiceAccount(pod)}`;
    const l = m.get(k);
    if (l) l.push(pod);
    else m.set(k, [pod]);
  }
  return m;
}

/** "Deployment shop/api" — how a pod's owner is named in chains. */
export function podLabel(pod: PodTemplateView): string {
  return `${pod.owner.ref.kind} ${pod.namespace}/${pod.owner.ref.name}`;
}

/** At most `max` labels, then "and N more". */
export function listPods(pods: readonly PodTemplateView[], max = 3): string {
  if (pods.length === 0) return 'no loaded pod';
  const names = pods.slice(0, max).map(podLabel);
  return pods.length > max ? `${names.join(', ')} and ${pods.length - max} more` : names.join(', ');
}

/** ServiceAccount objects carrying an annotation, with its value. */
export function annotatedServiceAccounts(state: ClusterState, annotation: string): Array<{ sa: LoadedObject; namespace: string; name: string; value: string }> {
  const out: Array<{ sa: LoadedObject; namespace: string; name: string; value: string }> = [];
  for (const sa of state.ofKind('ServiceAccount')) {
    const v = sa.obj.metadata?.annotations?.[annotation];
    if (typeof v === 'string' && v.trim() !== '') out.push({ sa, namespace: sa.ref.namespace ?? 'default', name: sa.ref.name, value: v.trim() });
  }
  return out;
}
