import { defineRule } from '../../../core/rule.js';
import type { LoadedObject, ObjPath } from '../../../core/types.js';
import { lookup } from '../../../cloud/aks.js';
import { CLUSTER_LABEL } from '../../../cloud/model.js';
import { aksIds, fixEvidence, gapRecorded, specOf, tfName } from '../../../cloud/rule-support.js';
import { AZURE_DIAGNOSTIC_SETTING } from '../../../analysis/identity/azure.js';
import { DIAG_CLUSTER_GAP } from '../../../loaders/cloud/azure/gaps.js';
import { diagnosticDestination, enabledCategories } from '../_azure-diagnostics.js';

export default defineRule({
  meta: {
    id: 'aks-audit-diagnostic-setting',
    title: 'AKS Kubernetes audit logs are not exported',
    pillar: 'audit-logging',
    provider: 'azure',
    severity: 'high',
    description:
      'AKS keeps Kubernetes audit events only when a diagnostic setting on the cluster sends the kube-audit (or kube-audit-admin) category to Log Analytics, a storage account or an Event Hub; without it there is no record of who did what in the cluster.',
    remediation:
      'Create a diagnostic setting on the managed cluster with the kube-audit category (or kube-audit-admin to save cost, losing reads) and guard, sent to a Log Analytics workspace or storage account.',
    references: [
      'https://learn.microsoft.com/azure/aks/monitor-aks#aks-control-planeresource-logs',
      'https://learn.microsoft.com/azure/aks/monitor-aks-reference#resource-logs',
    ],
    compliance: { cis: ['CIS-AKS 2.1.1'], mitre: ['T1562.008'] },
    messages: {
      none: 'cluster {cluster}: no diagnostic setting sends kube-audit or kube-audit-admin anywhere: Kubernetes audit events are not kept',
      noDestination: 'diagnostic setting {setting} of cluster {cluster} enables {category} but has no destination (workspace, storage account or Event Hub)',
      adminOnly:
        'diagnostic setting {setting} of cluster {cluster} sends kube-audit-admin only: get, list and watch requests (who read which Secret) are not recorded',
      noGuard: 'cluster {cluster} uses Microsoft Entra ID but no diagnostic setting sends the guard category (Entra ID and Azure RBAC authorisation decisions)',
    },
    reads: ['cloud.kubeward.io/AKSCluster', 'cloud.kubeward.io/AzureDiagnosticSetting'],
  },
  handlers: {
    cluster(ctx) {
      const settings = ctx.state.ofKind(AZURE_DIAGNOSTIC_SETTING).filter((s) => specOf(s).scope !== 'subscription' && specOf(s).none !== true);
      for (const o of ctx.state.ofKind('cloud.kubeward.io/AKSCluster')) {
        const ids = aksIds(o);
        const mine = settings.filter((s) => belongsTo(s, o, ids.id));
        if (mine.length === 0 && gapRecorded(ctx.state, DIAG_CLUSTER_GAP)) continue; // not given: not assessed
        const tf = tfName(ids.name);
        const fix = (categories: string[]) =>
          fixEvidence({
            command: `az monitor diagnostic-settings create --name kube-audit --resource ${ids.id} --workspace LOG_ANALYTICS_WORKSPACE_ID --logs '${JSON.stringify(categories.map((category) => ({ category, enabled: true })))}'`,
            terraform: `resource "azurerm_monitor_diagnostic_setting" "${tf}_audit" {\n  name                       = "kube-audit"\n  target_resource_id         = azurerm_kubernetes_cluster.${tf}.id\n  log_analytics_workspace_id = azurerm_log_analytics_workspace.this.id\n${categories.map((c) => `  enabled_log {\n    category = "${c}"\n  }\n`).join('')}}`,
          });
        type Hit = { s: LoadedObject; cat: string; path: ObjPath; dest: boolean };
        const hits: Hit[] = [];
        for (const s of mine) {
          const dest = diagnosticDestination(specOf(s)) !== undefined;
          for (const c of enabledCategories(specOf(s))) hits.push({ s, cat: c.category, path: ['spec', ...c.path], dest });
        }
        const full = hits.filter((h) => h.dest && h.cat === 'kube-audit');
        const admin = hits.filter((h) => h.dest && h.cat === 'kube-audit-admin');
        const aad = lookup(specOf(o), ['aadProfile']).value;
        const usesEntra = aad !== null && typeof aad === 'object' && Object.values(aad as object).some((v) => v !== null && v !== false);
        if (full.length === 0 && admin.length === 0) {
          const undelivered = hits.find((h) => !h.dest && (h.cat === 'kube-audit' || h.cat === 'kube-audit-admin'));
          if (undelivered) {
            ctx.report({
              object: undelivered.s,
              messageId: 'noDestination',
              data: { setting: String(specOf(undelivered.s).name ?? undelivered.s.ref.name), cluster: ids.name, category: undelivered.cat },
              path: undelivered.path,
              evidence: fix(['kube-audit', 'guard']),
            });
          } else {
            ctx.report({ object: o, messageId: 'none', data: { cluster: ids.name }, path: ['spec'], evidence: { ...fix(['kube-audit', 'guard']), settings: mine.map((s) => s.ref.name) } });
          }
          continue;
        }
        if (full.length === 0) {
          const h = admin[0];
          ctx.report({
            object: h.s,
            messageId: 'adminOnly',
            severity: 'medium',
            data: { setting: String(specOf(h.s).name ?? h.s.ref.name), cluster: ids.name },
            path: h.path,
            evidence: fix(['kube-audit', 'guard']),
          });
        }
        if (usesEntra && !hits.some((h) => h.dest && h.cat === 'guard')) {
          const h = (full[0] ?? admin[0])!;
          ctx.report({ object: h.s, messageId: 'noGuard', severity: 'low', data: { cluster: ids.name }, path: ['spec', ...(lookup(specOf(h.s), ['logs']).found ? lookup(specOf(h.s), ['logs']).path : [])], evidence: fix(['guard']) });
        }
      }
    },
  },
});

function belongsTo(s: LoadedObject, cluster: LoadedObject, clusterId: string): boolean {
  const uri = specOf(s).resourceUri;
  if (typeof uri === 'string' && uri.toLowerCase() === clusterId.toLowerCase()) return true;
  return s.obj.metadata?.labels?.[CLUSTER_LABEL] === cluster.ref.name;
}
