// What a loaded GCP description lacks for kubeward's GCP rules: one "not assessed" entry per missing
// piece, naming the gcloud command and the IAM permission that would supply it. Pure.
// `what` is the kind when a whole description is missing and "<kind> <object>" for one object.
import type { NotAssessed } from '../../../core/types.js';
import { cloudGroupKind } from '../../../cloud/model.js';
import { GKE_CLUSTER, GCP_PROJECT_POLICY, serviceAccountPolicies, workloadIdentityLinks } from '../../../analysis/identity/gcp.js';
import { clusterNodePools, gkeProject, usesDefaultComputeSA } from '../../../cloud/gke.js';
import type { GapInput } from '../index.js';
import { cloudSpec, gapCollector } from '../gaps.js';
import { GCP_PERMISSIONS } from './permissions.js';

const K = cloudGroupKind;

export const PROJECT_POLICY_GAP = K('GCPProjectIAMPolicy');

export function gcpGaps(input: GapInput): NotAssessed[] {
  const { out, add, state } = gapCollector(input);
  const clusters = state.ofKind(GKE_CLUSTER);
  const spec = cloudSpec;
  if (clusters.length === 0) {
    add(K('GKECluster'), `no GKE cluster description (gcloud container clusters describe CLUSTER --location LOCATION --format=json; needs ${GCP_PERMISSIONS.cluster})`);
  }
  const project = clusters.map((c) => gkeProject(spec(c))).find((p) => p !== undefined) ?? 'PROJECT';
  if (state.ofKind(GCP_PROJECT_POLICY).length === 0) {
    add(PROJECT_POLICY_GAP, `the project IAM policy (roles of the node and workload service accounts, Data Access audit config) was not given (gcloud projects get-iam-policy ${project} --format=json; needs ${GCP_PERMISSIONS.projectIamPolicy})`);
  }
  // Service accounts that pods can use: their own IAM policy says who else can act as them.
  const emails = new Set<string>();
  for (const l of workloadIdentityLinks(state)) emails.add(l.gsa);
  for (const c of clusters) {
    for (const p of clusterNodePools(spec(c))) if (p.serviceAccount && !usesDefaultComputeSA(p.serviceAccount) && p.serviceAccount.includes('@')) emails.add(p.serviceAccount.toLowerCase());
  }
  for (const e of emails) {
    if (serviceAccountPolicies(state, e).length === 0) {
      add(`${K('GCPServiceAccountIAMPolicy')} ${e}`, `who can act as ${e} (gcloud iam service-accounts get-iam-policy ${e} --format=json > ${e}.json; needs ${GCP_PERMISSIONS.serviceAccountIamPolicy})`);
    }
  }
  return out;
}
