import { defineRule } from '../../../core/rule.js';
import { usesDefaultComputeSA } from '../../../cloud/gke.js';
import { fixEvidence, gkeIds, gkeNodePools } from '../../../cloud/rule-support.js';
import {
  classifyProjectRole,
  GKE_CLUSTER,
  IMPERSONATION_ROLES,
  isPublicMember,
  parseWorkloadIdentityMember,
  projectBindings,
  projectRolesOf,
  serviceAccountBindings,
  serviceAccountProject,
  workloadIdentityLinks,
} from '../../../analysis/identity/gcp.js';

/** Google-managed service agents: granted by Google for its own services, not a takeover path users control. */
const SERVICE_AGENT = /^serviceAccount:(service-\d+@[a-z0-9-]+\.iam\.gserviceaccount\.com|\d+@cloudservices\.gserviceaccount\.com|service-\d+@(container-engine-robot|compute-system|gcp-sa-[a-z0-9-]+)\.iam\.gserviceaccount\.com)$/i;

export default defineRule({
  meta: {
    id: 'gcp-service-account-takeover',
    title: 'Principals can act as the cluster\'s Google service accounts',
    pillar: 'least-privilege',
    provider: 'gcp',
    severity: 'high',
    description:
      'roles/iam.serviceAccountUser, serviceAccountTokenCreator, workloadIdentityUser or serviceAccountKeyAdmin granted on the whole project (or on a service account used by pods or nodes) let their holders act as those service accounts and take over everything they can do.',
    remediation:
      'Grant impersonation roles on individual service accounts, to the principals that need them, never on the project; keep workloadIdentityUser on a Google service account limited to the Kubernetes service accounts meant to use it.',
    references: [
      'https://cloud.google.com/iam/docs/service-account-permissions',
      'https://cloud.google.com/iam/docs/best-practices-service-accounts#project-folder-grants',
    ],
    compliance: { cis: ['CIS-GCP 1.6'], mitre: ['T1098', 'T1078.004'] },
    messages: {
      projectWide: '{members} hold {role} on the whole project: they can {why}{affected}',
      onAccount: '{members} hold {role} on {sa} ({use}): they can {why}{powers}',
    },
    reads: ['cloud.kubeward.io/GCPProjectIAMPolicy', 'cloud.kubeward.io/GCPServiceAccountIAMPolicy', 'cloud.kubeward.io/GKECluster', 'cloud.kubeward.io/GKENodePool', 'ServiceAccount'],
  },
  handlers: {
    cluster(ctx) {
      const cluster = ctx.state.ofKind(GKE_CLUSTER)[0];
      const project = cluster ? gkeIds(cluster).project : 'PROJECT_ID';
      // The service accounts pods and nodes run as, and what they are for.
      const uses = new Map<string, string[]>();
      const use = (email: string, what: string) => uses.set(email, [...(uses.get(email) ?? []), what]);
      const links = workloadIdentityLinks(ctx.state);
      for (const l of links) use(l.gsa, `Workload Identity of ${l.namespace}/${l.name}`);
      for (const p of gkeNodePools(ctx.state)) {
        const sa = p.pool.serviceAccount;
        if (sa && !usesDefaultComputeSA(sa) && sa.includes('@')) use(sa.toLowerCase(), `node pool ${p.pool.name}`);
      }
      const powers = (email: string) =>
        projectRolesOf(ctx.state, `serviceAccount:${email}`)
          .filter((b) => classifyProjectRole(b.role).level !== 'other')
          .map((b) => b.role);

      for (const b of projectBindings(ctx.state)) {
        const why = IMPERSONATION_ROLES[b.role];
        if (!why) continue;
        const members = b.members.filter((m) => !SERVICE_AGENT.test(m));
        if (members.length === 0) continue;
        const affected = [...uses.keys()].filter((e) => b.target === '' || serviceAccountProject(e) === undefined || serviceAccountProject(e) === b.target);
        const strong = affected.filter((e) => powers(e).length > 0);
        const severity = members.some(isPublicMember) || strong.length > 0 ? 'critical' : 'high';
        ctx.report({
          object: b.policy,
          messageId: 'projectWide',
          severity,
          data: {
            members: members.join(', '),
            role: b.role,
            why: `${why} for every service account of the project`,
            affected: affected.length > 0 ? `, including ${affected.map((e) => `${e} (${uses.get(e)!.join('; ')}${powers(e).length > 0 ? `; holds ${powers(e).join(', ')}` : ''})`).join(', ')}` : '',
          },
          path: [...b.path, 'role'],
          evidence: fixEvidence(
            {
              command: members.map((m) => `gcloud projects remove-iam-policy-binding ${b.target || project} --member '${m}' --role ${b.role}`).join(' && ') + `  # then grant on the one service account needed: gcloud iam service-accounts add-iam-policy-binding SA_EMAIL --member MEMBER --role ${b.role}`,
              terraform: `resource "google_service_account_iam_member" "impersonation" {\n  service_account_id = google_service_account.target.name\n  role               = "${b.role}"\n  member             = "${members[0]}"\n}\n# and remove the google_project_iam_member / binding granting ${b.role} on the project`,
            },
            { members, affectedServiceAccounts: affected, ...(b.condition ? { condition: b.condition } : {}) },
          ),
        });
      }

      for (const [email, what] of uses) {
        for (const b of serviceAccountBindings(ctx.state, email)) {
          const why = IMPERSONATION_ROLES[b.role];
          if (!why) continue;
          const members = b.members.filter((m) => {
            if (SERVICE_AGENT.test(m)) return false;
            if (b.role !== 'roles/iam.workloadIdentityUser') return true;
            // The Kubernetes service accounts that are meant to use it.
            const k = parseWorkloadIdentityMember(m);
            return !(k && links.some((l) => l.gsa === email && l.namespace === k.namespace && l.name === k.name));
          });
          if (members.length === 0) continue;
          const p = powers(email);
          ctx.report({
            object: b.policy,
            messageId: 'onAccount',
            severity: p.length > 0 || members.some(isPublicMember) ? 'high' : 'medium',
            data: { members: members.join(', '), role: b.role, sa: email, use: what.join('; '), why, powers: p.length > 0 ? `, and through it hold ${p.join(', ')} on the project` : '' },
            path: [...b.path, 'role'],
            evidence: fixEvidence(
              {
                command: members.map((m) => `gcloud iam service-accounts remove-iam-policy-binding ${email} --member '${m}' --role ${b.role}`).join(' && '),
                terraform: `# remove the google_service_account_iam_member / binding granting ${b.role} on ${email} to ${members.join(', ')}`,
              },
              { members, serviceAccount: email, usedBy: what, projectRoles: p },
            ),
          });
        }
      }
    },
  },
});
