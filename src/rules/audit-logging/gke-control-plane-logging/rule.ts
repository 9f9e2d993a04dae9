import { defineRule } from '../../../core/rule.js';
import { gkeLoggingComponents } from '../../../cloud/gke.js';
import { fixEvidence, gkeIds, inSpec, specOf, tfName } from '../../../cloud/rule-support.js';

export default defineRule({
  meta: {
    id: 'gke-control-plane-logging',
    title: 'GKE API server logs are not sent to Cloud Logging',
    pillar: 'audit-logging',
    provider: 'gcp',
    severity: 'low',
    description:
      'The cluster does not send API server logs (loggingConfig component APISERVER) to Cloud Logging, or has Cloud Logging off (loggingService none). Kubernetes audit events still go to Cloud Audit Logs, but the API server\'s own log (admission webhook errors, authentication failures, request throttling) is lost.',
    remediation: 'Add APISERVER to the cluster logging components (and keep SYSTEM_COMPONENTS).',
    references: [
      'https://cloud.google.com/kubernetes-engine/docs/concepts/about-logs#available_logs',
      'https://cloud.google.com/kubernetes-engine/docs/how-to/view-logs',
    ],
    compliance: { cis: ['CIS-GKE 5.7.1'], mitre: ['T1562.008'] },
    messages: {
      disabled: 'cluster {cluster}: Cloud Logging is disabled (loggingService none): no system, workload or control-plane logs are kept',
      noApiServer: 'cluster {cluster}: logging components {components} do not include APISERVER: API server logs are not kept',
    },
    reads: ['cloud.kubeward.io/GKECluster'],
  },
  handlers: {
    objects: {
      'cloud.kubeward.io/GKECluster'(o, ctx) {
        const spec = specOf(o);
        const l = gkeLoggingComponents(spec);
        const ids = gkeIds(o);
        const want = [...new Set([...l.components.filter((c) => c !== 'APISERVER'), 'SYSTEM_COMPONENTS', 'APISERVER'])];
        const flag = want.map((c) => ({ SYSTEM_COMPONENTS: 'SYSTEM', WORKLOADS: 'WORKLOAD', APISERVER: 'API_SERVER', SCHEDULER: 'SCHEDULER', CONTROLLER_MANAGER: 'CONTROLLER_MANAGER' })[c] ?? c).join(',');
        const evidence = fixEvidence(
          {
            command: `gcloud container clusters update ${ids.name} ${ids.flags} --logging=${flag}`,
            terraform: `resource "google_container_cluster" "${tfName(ids.name)}" {\n  # ...\n  logging_config {\n    enable_components = ${JSON.stringify(want)}\n  }\n}`,
          },
          { loggingService: l.service, components: l.components },
        );
        if (l.service === 'none') {
          ctx.report({ object: o, messageId: 'disabled', severity: 'medium', data: { cluster: ids.name }, path: ['spec', 'loggingService'], evidence });
          return;
        }
        // Legacy loggingService logging.googleapis.com (no component config) sends everything.
        if (l.components.length === 0 && l.service === 'logging.googleapis.com') return;
        if (l.components.includes('APISERVER')) return;
        ctx.report({ object: o, messageId: 'noApiServer', data: { cluster: ids.name, components: l.components.length > 0 ? l.components.join(', ') : '(none)' }, path: inSpec(l.path), evidence });
      },
    },
  },
});
