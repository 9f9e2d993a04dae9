import { defineRule } from '../../../core/rule.js';
import { fixEvidence, gkeIds } from '../../../cloud/rule-support.js';
import { classifyProjectRole, directKsaGrants, GKE_CLUSTER, projectRolesOf, workloadIdentityLinks } from '../../../analysis/identity/gcp.js';
import { listPods, podLabel, podsByServiceAccount } from '../../../analysis/identity/pod-service-accounts.js';

export default defineRule({
  meta: {
    id: 'gke-workload-identity-overprivileged',
    title: 'Pods get an over-privileged Google service account through Workload Identity',
    pillar: 'least-privilege',
    provider: 'gcp',
    severity: 'critical',
    description:
      'A Kubernetes service account is linked (iam.gke.io/gcp-service-account, or a principal:// grant) to a Google identity that holds Owner, Editor, an IAM-admin role, a project-wide impersonation role or a service admin role on the project: any pod running as it, or anyone who can create such a pod, controls the project.',
    remediation:
      'Give each workload its own Google service account with only the predefined roles it needs, granted on the specific resources (bucket, topic, secret) rather than the project.',
    references: [
      'https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity',
      'https://cloud.google.com/iam/docs/best-practices-service-accounts',
    ],
    compliance: { cis: ['CIS-GKE 5.2.2'], mitre: ['T1078.004', 'T1098'] },
    messages: {
      linked: '{pods} -> ServiceAccount {namespace}/{name} -> {gsa} -> {role} on the project: {why}',
      direct: '{pods} -> ServiceAccount {subject} holds {role} on the project directly (Workload Identity Federation principal): {why}',
    },
    reads: ['ServiceAccount', 'cloud.kubeward.io/GCPProjectIAMPolicy', 'cloud.kubeward.io/GCPServiceAccountIAMPolicy', 'cloud.kubeward.io/GKECluster'],
  },
  handlers: {
    cluster(ctx) {
      const cluster = ctx.state.ofKind(GKE_CLUSTER)[0];
      const project = cluster ? gkeIds(cluster).project : 'PROJECT_ID';
      for (const l of workloadIdentityLinks(ctx.state)) {
        if (l.verified === false) continue; // the GSA does not trust this KSA: the link does not work
        for (const b of projectRolesOf(ctx.state, `serviceAccount:${l.gsa}`)) {
          const c = classifyProjectRole(b.role);
          if (c.level === 'other') continue;
          ctx.report({
            object: l.sa,
            messageId: 'linked',
            severity: c.level === 'service-admin' ? 'high' : 'critical',
            data: { pods: listPods(l.pods), namespace: l.namespace, name: l.name, gsa: l.gsa, role: b.role + (b.condition ? ` (condition: ${b.condition})` : ''), why: c.why },
            path: l.annotationPath,
            evidence: fixEvidence(
              {
                command: `gcloud projects remove-iam-policy-binding ${b.target || project} --member serviceAccount:${l.gsa} --role ${b.role}  # then grant narrower roles on the resources the workload uses`,
                terraform: `# replace the project-wide grant with resource-level ones, e.g.\nresource "google_storage_bucket_iam_member" "${l.name.replace(/[^a-z0-9_]/gi, '_')}" {\n  bucket = "BUCKET"\n  role   = "roles/storage.objectViewer"\n  member = "serviceAccount:${l.gsa}"\n}`,
              },
              {
                chain: [...l.pods.map(podLabel), `ServiceAccount ${l.namespace}/${l.name}`, `serviceAccount:${l.gsa}`, `${b.role} on project ${b.target || project}`],
                linkVerified: l.verified ?? 'unknown (the service account IAM policy was not given)',
                binding: b.policy.locate(b.path),
              },
            ),
          });
        }
      }
      // principal://.../subject/ns/NS/sa/KSA members and serviceAccount:POOL[NS/KSA] members holding roles on the project.
      const pods = podsByServiceAccount(ctx.state);
      for (const d of directKsaGrants(ctx.state)) {
        const c = classifyProjectRole(d.binding.role);
        if (c.level === 'other') continue;
        if (d.binding.role === 'roles/iam.workloadIdentityUser') continue; // reported by gcp-service-account-takeover
        const subject = d.name ? `${d.namespace}/${d.name}` : d.namespace ? `${d.namespace}/* (every service account of the namespace)` : `* (every service account of cluster ${d.cluster})`;
        const users = d.name ? pods.get(`${d.namespace}/${d.name}`) ?? [] : d.namespace ? [...pods.entries()].filter(([k]) => k.startsWith(`${d.namespace}/`)).flatMap(([, v]) => v) : [...pods.values()].flat();
        ctx.report({
          object: d.binding.policy,
          messageId: 'direct',
          severity: c.level === 'service-admin' ? 'high' : 'critical',
          data: { pods: listPods(users), subject, role: d.binding.role, why: c.why },
          path: [...d.binding.path, 'role'],
          evidence: fixEvidence(
            {
              command: `gcloud projects remove-iam-policy-binding ${d.binding.target || project} --member '${d.member}' --role ${d.binding.role}`,
              terraform: `# grant on the resources the workload uses instead of the project (google_*_iam_member with member = "${d.member}")`,
            },
            { chain: [...users.map(podLabel), `ServiceAccount ${subject}`, d.member, `${d.binding.role} on project ${d.binding.target || project}`] },
          ),
        });
      }
    },
  },
});
