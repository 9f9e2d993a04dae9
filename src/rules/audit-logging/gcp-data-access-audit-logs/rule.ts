import { defineRule } from '../../../core/rule.js';
import type { ObjPath } from '../../../core/types.js';
import { fixEvidence, gkeIds, specOf } from '../../../cloud/rule-support.js';
import { GCP_PROJECT_POLICY, GKE_CLUSTER } from '../../../analysis/identity/gcp.js';

const LOG_TYPES = ['ADMIN_READ', 'DATA_READ', 'DATA_WRITE'] as const;
const SERVICE = 'container.googleapis.com';

export default defineRule({
  meta: {
    id: 'gcp-data-access-audit-logs',
    title: 'Data Access audit logs for GKE are off',
    pillar: 'audit-logging',
    provider: 'gcp',
    severity: 'medium',
    description:
      'The project IAM policy does not enable Data Access audit logs (ADMIN_READ, DATA_READ, DATA_WRITE) for container.googleapis.com (or allServices): Kubernetes read requests — who read which Secret, who listed pods — and GKE API reads are not logged; only Admin Activity (writes) is.',
    remediation: 'Add an auditConfigs entry for container.googleapis.com with ADMIN_READ, DATA_READ and DATA_WRITE to the project IAM policy.',
    references: [
      'https://cloud.google.com/kubernetes-engine/docs/how-to/audit-logging',
      'https://cloud.google.com/logging/docs/audit/configure-data-access',
    ],
    compliance: { cis: ['CIS-GCP 2.1'], mitre: ['T1562.008'] },
    messages: {
      missing: 'project {project}: Data Access audit logs for container.googleapis.com lack {missing}: Kubernetes read requests are not logged',
      exempted: 'project {project}: Data Access audit logs for container.googleapis.com exempt {members} from {logType}',
    },
    reads: ['cloud.kubeward.io/GCPProjectIAMPolicy', 'cloud.kubeward.io/GKECluster'],
  },
  handlers: {
    objects: {
      'cloud.kubeward.io/GCPProjectIAMPolicy'(o, ctx) {
        const spec = specOf(o);
        const cluster = ctx.state.ofKind(GKE_CLUSTER)[0];
        const project = typeof spec.project === 'string' ? spec.project : cluster ? gkeIds(cluster).project : 'PROJECT_ID';
        const configs: unknown[] = Array.isArray(spec.auditConfigs) ? spec.auditConfigs : [];
        const enabled = new Set<string>();
        const exemptions: Array<{ logType: string; members: string[]; path: ObjPath }> = [];
        let where: ObjPath = ['spec', ...(Array.isArray(spec.auditConfigs) ? ['auditConfigs'] : [])];
        configs.forEach((c, i) => {
          if (c === null || typeof c !== 'object') return;
          const ac = c as { service?: unknown; auditLogConfigs?: unknown };
          if (ac.service !== SERVICE && ac.service !== 'allServices') return;
          if (ac.service === SERVICE || where.length <= 2) where = ['spec', 'auditConfigs', i];
          (Array.isArray(ac.auditLogConfigs) ? ac.auditLogConfigs : []).forEach((l: unknown, j: number) => {
            if (l === null || typeof l !== 'object') return;
            const lc = l as { logType?: unknown; exemptedMembers?: unknown };
            if (typeof lc.logType !== 'string') return;
            enabled.add(lc.logType);
            const ex = Array.isArray(lc.exemptedMembers) ? lc.exemptedMembers.filter((m): m is string => typeof m === 'string') : [];
            if (ex.length > 0) exemptions.push({ logType: lc.logType, members: ex, path: ['spec', 'auditConfigs', i, 'auditLogConfigs', j, 'exemptedMembers', 0] });
          });
        });
        const missing = LOG_TYPES.filter((t) => !enabled.has(t));
        const evidence = fixEvidence(
          {
            command: `gcloud projects get-iam-policy ${project} --format=json > policy.json  # add {"service":"${SERVICE}","auditLogConfigs":[{"logType":"ADMIN_READ"},{"logType":"DATA_READ"},{"logType":"DATA_WRITE"}]} to auditConfigs, then: gcloud projects set-iam-policy ${project} policy.json`,
            terraform: `resource "google_project_iam_audit_config" "gke" {\n  project = "${project}"\n  service = "${SERVICE}"\n${LOG_TYPES.map((t) => `  audit_log_config {\n    log_type = "${t}"\n  }\n`).join('')}}`,
          },
          { enabled: [...enabled].sort(), missing },
        );
        if (missing.length > 0) {
          ctx.report({ object: o, messageId: 'missing', data: { project, missing: missing.join(', ') }, path: where, evidence });
        }
        for (const e of exemptions) {
          ctx.report({ object: o, messageId: 'exempted', severity: 'low', data: { project, members: e.members.join(', '), logType: e.logType }, path: e.path, evidence });
        }
      },
    },
  },
});
