// Helpers for the Pod Security Standards baseline rules: which containers inherit a pod-level
// setting, and the kinds every pod-spec rule reads.
import type { ContainerView, PodTemplateView } from '../../model/cluster-state.js';
import { containerLabel } from './_lib.js';

/** Kinds whose pod specs the pod-template rules read (for "not assessed" reporting). */
export const POD_SPEC_KINDS = [
  'Pod',
  'apps/Deployment',
  'apps/StatefulSet',
  'apps/DaemonSet',
  'apps/ReplicaSet',
  'batch/Job',
  'batch/CronJob',
  'ReplicationController',
];

export const PSS_BASELINE_URL = 'https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline';

/**
 * Containers (init, regular, ephemeral) that take a pod-level securityContext value because they
 * do not set their own. `overrides(c)` says whether the container sets its own value.
 */
export function inheritingContainers(pod: PodTemplateView, overrides: (c: ContainerView) => boolean): ContainerView[] {
  return pod.containers.filter((c) => !overrides(c));
}

/** "init container \"a\", container \"b\"" (at most `max` names, then "and N more"). */
export function listContainers(cs: readonly ContainerView[], max = 4): string {
  const names = cs.slice(0, max).map(containerLabel);
  if (cs.length > max) names.push(`and ${cs.length - max} more`);
  return names.join(', ');
}

/** A plain object or undefined (never null, never an array). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function objectAt(v: unknown): Record<string, any> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export interface PodLevelReach {
  /** Containers that take the pod-level value. */
  inheriting: ContainerView[];
  /** For the message: which containers it applies to, or why it still matters when none does. */
  note: string;
  /** 'low' when every container overrides the pod-level value, else undefined (the rule's default). */
  severity: 'low' | undefined;
}

/**
 * Where a pod-level securityContext value takes effect. Pod Security admission rejects a bad
 * pod-level value even when every container overrides it, and ephemeral containers added later
 * (kubectl debug) inherit it, so it is reported either way, at low severity when nothing inherits it.
 */
export function podLevelReach(pod: PodTemplateView, overrides: (c: ContainerView) => boolean): PodLevelReach {
  const inheriting = inheritingContainers(pod, overrides);
  if (inheriting.length > 0) return { inheriting, note: `applies to ${listContainers(inheriting)}`, severity: undefined };
  return {
    inheriting,
    note: 'every container overrides it, but Pod Security admission still rejects the pod and ephemeral containers added later inherit it',
    severity: 'low',
  };
}

/** The container a per-container annotation (`prefix/<name>`) names, if the pod has it. */
export function containerNamed(pod: PodTemplateView, name: string): ContainerView | undefined {
  return pod.containers.find((c) => c.name === name);
}
