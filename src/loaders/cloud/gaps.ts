// Shared by the providers' gap checks: collect "not assessed" entries once each, skipping gaps that
// live collection already recorded, over the cloud objects and the Kubernetes objects loaded beside.
import type { NotAssessed } from '../../core/types.js';
import { ClusterState } from '../../model/cluster-state.js';
import type { GapInput } from './index.js';

export function gapCollector(input: GapInput): { out: NotAssessed[]; add: (what: string, reason: string) => void; state: ClusterState } {
  const out: NotAssessed[] = [];
  const known = new Set(input.known.map((n) => n.what));
  const add = (what: string, reason: string): void => {
    if (known.has(what) || out.some((o) => o.what === what)) return;
    out.push({ what, reason });
  };
  return { out, add, state: new ClusterState({ objects: [...input.kube, ...input.objects] }) };
}

/** The provider JSON of a cloud object. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const cloudSpec = (o: { obj: unknown }): Record<string, any> => ((o.obj as { spec?: Record<string, unknown> }).spec ?? {}) as Record<string, any>;
