// What a loaded Azure description lacks for kubeward's Azure rules: one "not assessed" entry per
// missing piece, naming the az command and the Azure permission that would supply it. Pure.
// `what` is "<kind> (<qualifier>)" for a missing listing and "<kind> <object>" for a missing object;
// rules look these up with gapRecorded() and stay silent (never a pass, never a guess) on them.
import type { NotAssessed } from '../../../core/types.js';
import { cloudGroupKind } from '../../../cloud/model.js';
import { AKS_CLUSTER, managedIdentities, roleAssignments, workloadIdentityLinks, federatedCredentials } from '../../../analysis/identity/azure.js';
import { aksIdentifiers, aksKubeletIdentity } from '../../../cloud/aks.js';
import type { GapInput } from '../index.js';
import { cloudSpec, gapCollector } from '../gaps.js';
import { AZURE_PERMISSIONS } from './permissions.js';

const K = cloudGroupKind;

export const DIAG_CLUSTER_GAP = `${K('AzureDiagnosticSetting')} (cluster scope)`;
export const DIAG_SUBSCRIPTION_GAP = `${K('AzureDiagnosticSetting')} (subscription scope)`;
export const ROLE_ASSIGNMENT_GAP = K('AzureRoleAssignment');

export function azureGaps(input: GapInput): NotAssessed[] {
  const { out, add, state } = gapCollector(input);
  const clusters = state.ofKind(AKS_CLUSTER);
  const spec = cloudSpec;
  const diag = input.objects.filter((o) => o.ref.kind === 'AzureDiagnosticSetting');
  const scoped = (s: string) => diag.some((o) => spec(o).scope === s);

  if (clusters.length === 0) {
    add(K('AKSCluster'), `no AKS cluster description (az aks show --resource-group RG --name CLUSTER; needs ${AZURE_PERMISSIONS.cluster})`);
  }
  for (const c of clusters) {
    const id = aksIdentifiers(spec(c), c.ref.name);
    const target = typeof spec(c).id === 'string' ? spec(c).id : `$(az aks show -g ${id.resourceGroup ?? 'RG'} -n ${id.name} --query id -o tsv)`;
    if (!scoped('cluster') && !input.listed.has('AzureDiagnosticSetting')) {
      add(DIAG_CLUSTER_GAP, `diagnostic settings of ${id.name} not given (az monitor diagnostic-settings list --resource ${target} -o json; needs ${AZURE_PERMISSIONS.diagnosticSettings})`);
    }
  }
  if (clusters.length > 0 && !scoped('subscription')) {
    add(DIAG_SUBSCRIPTION_GAP, `subscription diagnostic settings (Activity Log export) not given (az monitor diagnostic-settings subscription list -o json; needs ${AZURE_PERMISSIONS.diagnosticSettings})`);
  }

  // Identities reachable from pods and nodes need their role assignments.
  const principals: string[] = [];
  for (const c of clusters) {
    const k = aksKubeletIdentity(spec(c));
    if (k?.objectId) principals.push(`kubelet identity ${k.objectId}`);
  }
  const identities = managedIdentities(state);
  for (const l of workloadIdentityLinks(state)) {
    if (!l.identity && l.assignments.length === 0) {
      add(
        `${K('AzureManagedIdentity')} ${l.clientId}`,
        `the identity with client id ${l.clientId} (ServiceAccount ${l.namespace}/${l.name}) was not described (az identity list --query "[?clientId=='${l.clientId}']" -o json; needs ${AZURE_PERMISSIONS.identities})`,
      );
    }
    if (l.identity?.principalId) principals.push(`${l.identity.name} ${l.identity.principalId}`);
  }
  const assignments = roleAssignments(state);
  if (principals.length > 0 && assignments.length === 0 && !input.listed.has('AzureRoleAssignment')) {
    add(ROLE_ASSIGNMENT_GAP, `role assignments of ${principals.join(', ')} not given (az role assignment list --all --assignee OBJECT_ID -o json; needs ${AZURE_PERMISSIONS.roleAssignments})`);
  }
  const creds = federatedCredentials(state);
  const linked = new Set(workloadIdentityLinks(state).map((l) => l.identity?.name));
  for (const i of identities) {
    if (!linked.has(i.name)) continue;
    if (!creds.some((f) => f.identityName === i.name)) {
      add(
        `${K('AzureFederatedIdentityCredential')} ${i.name}`,
        `federated credentials of ${i.name} not given (az identity federated-credential list --identity-name ${i.name} -g RG -o json; needs ${AZURE_PERMISSIONS.federatedCredentials})`,
      );
    }
  }
  return out;
}
