// kubectl debug: an ephemeral container added to a running pod shares its namespaces, volumes
// and service account, and can run any image.
import { defineDetection } from '../types.js';
import { arr, bodyOf, isObj, succeeded, target, who } from '../_lib.js';

export default defineDetection({
  meta: {
    id: 'ephemeral-container',
    title: 'Ephemeral (debug) container added to a pod',
    severity: 'medium',
    mitre: ['T1609', 'T1610'],
    description:
      'A user added an ephemeral container to a running pod (kubectl debug). It runs an arbitrary image with the pod\'s network, volumes and service account, and can target another container\'s process namespace.',
    allowList: 'platform',
    needs: 'Metadata',
  },
  on: { resources: ['pods'] },
  check(ev, ctx) {
    if (ev.objectRef?.subresource !== 'ephemeralcontainers' || (ev.verb !== 'update' && ev.verb !== 'patch')) return;
    if (!succeeded(ev) || ctx.allowed(ev)) return;
    const spec = bodyOf(ev)?.spec;
    const ecs = isObj(spec) ? arr(spec.ephemeralContainers).filter(isObj) : [];
    const last = ecs[ecs.length - 1];
    const image = typeof last?.image === 'string' ? last.image : undefined;
    const targetContainer = typeof last?.targetContainerName === 'string' ? last.targetContainerName : undefined;
    ctx.report(ev, {
      message: `${who(ev)} added an ephemeral container to ${target(ev)}${image ? ` (image ${image}${targetContainer ? `, targeting ${targetContainer}` : ''})` : ''}`,
      evidence: { ...(image ? { image } : {}), ...(targetContainer ? { targetContainer } : {}), ...(last && typeof last.name === 'string' ? { container: last.name } : {}) },
    });
  },
});
