import { defineRule } from '../../../core/rule.js';
import type { ClusterState, PodTemplateView } from '../../../model/cluster-state.js';
import { containerLabel } from '../_lib.js';
import { POD_SPEC_KINDS } from '../_pss.js';

type Resource = 'memory' | 'cpu';

// Containers without limits can starve their node. A limit may come from the container, from pod-level
// resources (spec.resources), or from a LimitRange default in the namespace.
export default defineRule({
  meta: {
    id: 'missing-resource-limits',
    title: 'Container without resource limits',
    pillar: 'workload',
    severity: 'low',
    description:
      'A container without a memory or CPU limit can consume the whole node (a runaway process, a memory leak, or a cryptominer after compromise) and starve every other pod on it; without a memory request the scheduler places it blindly and it is evicted first.',
    remediation:
      'Set `resources.limits.memory` and `resources.limits.cpu` (and `resources.requests.memory`) on every container, or give the namespace a LimitRange with defaults.',
    references: [
      'https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/',
      'https://kubernetes.io/docs/concepts/policy/limit-range/',
      'https://attack.mitre.org/techniques/T1496/',
    ],
    compliance: { mitre: ['T1496', 'T1499'], nsa: ['Resource policies'] },
    messages: {
      limits: '{container} has no {missing} limit',
      memoryRequest: '{container} has no memory request',
    },
    reads: [...POD_SPEC_KINDS, 'LimitRange'],
  },
  handlers: {
    container(c, pod, ctx) {
      // Ephemeral containers cannot declare resources (the API rejects them).
      if (c.kind === 'ephemeralContainer') return;
      const res = c.spec.resources;
      const limits = res?.limits;
      const requests = res?.requests;
      const defaults = limitRangeDefaults(ctx.state, pod);
      const podRes = pod.spec.resources;
      const hasLimit = (r: Resource): boolean => present(limits?.[r]) || present(podRes?.limits?.[r]) || defaults.limit.has(r);
      const missing = (['memory', 'cpu'] as const).filter((r) => !hasLimit(r));
      const data = { container: containerLabel(c) };
      if (missing.length > 0) {
        ctx.report({
          object: pod.owner,
          messageId: 'limits',
          data: { ...data, missing: missing.map((r) => (r === 'cpu' ? 'CPU' : r)).join(' or ') },
          path: limits && typeof limits === 'object' ? [...c.path, 'resources', 'limits'] : res && typeof res === 'object' ? [...c.path, 'resources'] : c.path,
          evidence: { missing },
        });
      }
      // A memory limit without a request defaults the request to the limit.
      const hasMemoryRequest =
        present(requests?.memory) ||
        present(limits?.memory) ||
        present(podRes?.requests?.memory) ||
        present(podRes?.limits?.memory) ||
        defaults.request.has('memory');
      if (!hasMemoryRequest) {
        ctx.report({
          object: pod.owner,
          messageId: 'memoryRequest',
          data,
          path: requests && typeof requests === 'object' ? [...c.path, 'resources', 'requests'] : res && typeof res === 'object' ? [...c.path, 'resources'] : c.path,
        });
      }
    },
  },
});

function present(v: unknown): boolean {
  return (typeof v === 'string' && v.trim() !== '') || typeof v === 'number';
}

/**
 * Resources a LimitRange in the pod's namespace fills in for containers (LimitRanger admission):
 * the limit is `default`, else `max`; the request is `defaultRequest`, else the default limit, else `min`.
 */
function limitRangeDefaults(state: ClusterState, pod: PodTemplateView): { limit: Set<Resource>; request: Set<Resource> } {
  const limit = new Set<Resource>();
  const request = new Set<Resource>();
  for (const lr of state.ofKind('LimitRange')) {
    if (lr.ref.namespace !== pod.namespace) continue;
    const items: unknown = (lr.obj.spec as { limits?: unknown } | undefined)?.limits;
    if (!Array.isArray(items)) continue;
    for (const item of items) {
      if (!item || typeof item !== 'object' || (item as { type?: unknown }).type !== 'Container') continue;
      const it = item as Record<string, Record<string, unknown> | undefined>;
      for (const r of ['memory', 'cpu'] as const) {
        if (present(it.default?.[r]) || present(it.max?.[r])) limit.add(r);
        if (present(it.defaultRequest?.[r]) || present(it.default?.[r]) || present(it.max?.[r]) || present(it.min?.[r])) request.add(r);
      }
    }
  }
  return { limit, request };
}
