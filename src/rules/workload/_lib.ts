// Helpers shared by workload rules: effective security settings of a container within its pod.
import type { ObjPath } from '../../core/types.js';
import type { ContainerView, PodTemplateView } from '../../model/cluster-state.js';

export interface Effective<T> {
  value: T | undefined;
  /** Where the effective value is set (container first, then pod), or undefined when unset. */
  path: ObjPath | undefined;
  from: 'container' | 'pod' | 'unset';
}

/** A securityContext field as the kubelet sees it: the container's value wins over the pod's. */
export function effectiveSecurityContext<T = unknown>(c: ContainerView, pod: PodTemplateView, field: string): Effective<T> {
  const cv = c.spec.securityContext?.[field];
  if (cv !== undefined && cv !== null) return { value: cv as T, path: [...c.path, 'securityContext', field], from: 'container' };
  const pv = pod.spec.securityContext?.[field];
  if (pv !== undefined && pv !== null) return { value: pv as T, path: [...pod.specPath, 'securityContext', field], from: 'pod' };
  return { value: undefined, path: undefined, from: 'unset' };
}

/** Windows pods do not get Linux-only controls (PSS exempts them when spec.os.name is windows). */
export function isWindows(pod: PodTemplateView): boolean {
  return pod.spec.os?.name === 'windows';
}

export function containerLabel(c: ContainerView): string {
  const k = c.kind === 'container' ? 'container' : c.kind === 'initContainer' ? 'init container' : 'ephemeral container';
  return `${k} "${c.name}"`;
}
