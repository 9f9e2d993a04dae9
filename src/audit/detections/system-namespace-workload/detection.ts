// Pods and service accounts created in kube-system, kube-public and other platform namespaces by
// someone who is not the platform: a hiding place with privileged neighbours. A pod there that
// runs as a controller's service account inherits that controller's permissions.
import { globToRegExp } from '../../allow-list.js';
import { defineDetection } from '../types.js';
import { bodyOf, isObj, succeeded, SYSTEM_NAMESPACES, target, who } from '../_lib.js';

/** Service accounts of kube-controller-manager controllers (--use-service-account-credentials) and similar. */
const CONTROLLER_SA = /-controller$|^generic-garbage-collector$|^persistent-volume-binder$|^pod-garbage-collector$|^horizontal-pod-autoscaler$|^clusterrole-aggregation-controller$|^attachdetach-controller$|^certificate-controller$/;

export default defineDetection({
  meta: {
    id: 'system-namespace-workload',
    title: 'Pod or service account created in a system namespace',
    severity: 'medium',
    mitre: ['T1610', 'T1036.005'],
    description:
      'A pod or service account was created in kube-system, kube-public, kube-node-lease or a provider-managed namespace by an identity that is not the platform. Attackers hide there among privileged components; a pod using a controller\'s service account gets that controller\'s permissions (reported high).',
    allowList: 'platform',
    needs: 'Metadata',
  },
  on: { resources: ['pods', 'serviceaccounts'] },
  options: { namespaces: SYSTEM_NAMESPACES as readonly string[] },
  init: (o) => o.namespaces.map((n) => globToRegExp(n)),
  check(ev, ctx, namespaces) {
    const ref = ev.objectRef;
    if (!ref || ref.subresource || ev.verb !== 'create' || !ref.namespace) return;
    if (!namespaces.some((r) => r.test(ref.namespace!))) return;
    if (!succeeded(ev) || ctx.allowed(ev)) return;
    const kind = ref.resource === 'pods' ? 'pod' : 'service account';
    let sa: string | undefined;
    if (ref.resource === 'pods') {
      const spec = bodyOf(ev)?.spec;
      if (isObj(spec)) sa = typeof spec.serviceAccountName === 'string' ? spec.serviceAccountName : typeof spec.serviceAccount === 'string' ? spec.serviceAccount : undefined;
    }
    const controllerSA = sa !== undefined && ref.namespace === 'kube-system' && CONTROLLER_SA.test(sa);
    ctx.report(ev, {
      message: `${who(ev)} created ${kind} ${target(ev)} in system namespace ${ref.namespace}${controllerSA ? ` running as controller service account ${sa}` : ''}`,
      evidence: { namespace: ref.namespace, kind, ...(sa ? { serviceAccountName: sa, controllerServiceAccount: controllerSA } : {}) },
      severity: controllerSA ? 'high' : undefined,
    });
  },
});
