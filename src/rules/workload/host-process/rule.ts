import { defineRule } from '../../../core/rule.js';
import { containerLabel } from '../_lib.js';
import { POD_SPEC_KINDS, PSS_BASELINE_URL, listContainers } from '../_pss.js';

// PSS baseline "HostProcess": securityContext.windowsOptions.hostProcess must be unset or false,
// on the pod and on every container (the API server requires all containers to agree).
export default defineRule({
  meta: {
    id: 'host-process',
    title: 'Windows HostProcess container',
    pillar: 'workload',
    severity: 'critical',
    description:
      'A Windows HostProcess container runs directly on the node as a host process, with the host network and file system and, usually, as SYSTEM: it is the Windows equivalent of a privileged container.',
    remediation:
      'Remove `windowsOptions.hostProcess: true` from the pod and container security contexts; keep the few node agents that need it in a dedicated, tightly controlled namespace.',
    references: [
      PSS_BASELINE_URL,
      'https://kubernetes.io/docs/tasks/configure-pod-container/create-hostprocess-pod/',
      'https://attack.mitre.org/techniques/T1611/',
    ],
    compliance: { pss: 'baseline', cis: ['CIS-K8S 5.2.11'], mitre: ['T1611'] },
    messages: {
      pod: 'pod runs its containers as Windows HostProcess containers (windowsOptions.hostProcess: true): {containers}',
      container: '{container} is a Windows HostProcess container (windowsOptions.hostProcess: true)',
    },
    reads: POD_SPEC_KINDS,
  },
  handlers: {
    podTemplate(pod, ctx) {
      if (pod.spec.securityContext?.windowsOptions?.hostProcess !== true) return;
      // A container's own value wins; the API server rejects pods where they disagree, and PSS rejects
      // a pod-level true in any case.
      const inherit = pod.containers.filter((c) => c.spec.securityContext?.windowsOptions?.hostProcess !== false);
      ctx.report({
        object: pod.owner,
        messageId: 'pod',
        data: { containers: inherit.length > 0 ? listContainers(inherit) : 'no container (all override it)' },
        path: [...pod.specPath, 'securityContext', 'windowsOptions', 'hostProcess'],
      });
    },
    container(c, pod, ctx) {
      if (c.spec.securityContext?.windowsOptions?.hostProcess !== true) return;
      ctx.report({
        object: pod.owner,
        messageId: 'container',
        data: { container: containerLabel(c) },
        path: [...c.path, 'securityContext', 'windowsOptions', 'hostProcess'],
      });
    },
  },
});
