import { defineRule } from '../../../core/rule.js';
import { aksIds, fixEvidence, gapRecorded, specOf } from '../../../cloud/rule-support.js';
import { AZURE_DIAGNOSTIC_SETTING } from '../../../analysis/identity/azure.js';
import { DIAG_SUBSCRIPTION_GAP } from '../../../loaders/cloud/azure/gaps.js';
import { diagnosticDestination, enabledCategories } from '../_azure-diagnostics.js';

const REQUIRED = ['Administrative', 'Security', 'Policy'];

export default defineRule({
  meta: {
    id: 'azure-activity-log-export',
    title: 'Azure Activity Log of the cluster subscription is not exported',
    pillar: 'audit-logging',
    provider: 'azure',
    severity: 'medium',
    description:
      'The Activity Log records control-plane changes to the cluster and its identities (credential listing, role assignments, cluster updates) but Azure keeps it only 90 days and not queryable with the rest of your logs unless a subscription diagnostic setting exports the Administrative, Security and Policy categories.',
    remediation:
      'Create a subscription diagnostic setting sending at least Administrative, Security and Policy to a Log Analytics workspace or a storage account.',
    references: [
      'https://learn.microsoft.com/azure/azure-monitor/essentials/activity-log',
      'https://learn.microsoft.com/azure/azure-monitor/essentials/diagnostic-settings',
    ],
    compliance: { cis: ['CIS-Azure 6.1.1', 'CIS-Azure 6.1.2'], mitre: ['T1562.008'] },
    messages: {
      none: 'subscription {subscription}: no diagnostic setting exports the Activity Log (cluster credential listings, role assignments and cluster changes are kept 90 days only)',
      missing: 'subscription {subscription}: the Activity Log export lacks {missing}',
    },
    reads: ['cloud.kubeward.io/AKSCluster', 'cloud.kubeward.io/AzureDiagnosticSetting'],
  },
  handlers: {
    cluster(ctx) {
      const clusters = ctx.state.ofKind('cloud.kubeward.io/AKSCluster');
      const subs = ctx.state.ofKind(AZURE_DIAGNOSTIC_SETTING).filter((s) => specOf(s).scope === 'subscription');
      if (subs.length === 0 && (clusters.length === 0 || gapRecorded(ctx.state, DIAG_SUBSCRIPTION_GAP))) return;
      const real = subs.filter((s) => specOf(s).none !== true);
      const delivering = real.filter((s) => diagnosticDestination(specOf(s)) !== undefined);
      const uri = subs[0] ? specOf(subs[0]).resourceUri : undefined;
      const subscription = typeof uri === 'string' && uri !== '' ? uri.split('/').pop()! : clusters[0] ? aksIds(clusters[0]).subscription : 'SUBSCRIPTION_ID';
      const evidence = fixEvidence({
        command: `az monitor diagnostic-settings subscription create --name activity-log --location global --workspace LOG_ANALYTICS_WORKSPACE_ID --logs '${JSON.stringify(REQUIRED.map((category) => ({ category, enabled: true })))}'`,
        terraform: `resource "azurerm_monitor_diagnostic_setting" "activity_log" {\n  name                       = "activity-log"\n  target_resource_id         = "/subscriptions/${subscription}"\n  log_analytics_workspace_id = azurerm_log_analytics_workspace.this.id\n${REQUIRED.map((c) => `  enabled_log {\n    category = "${c}"\n  }\n`).join('')}}`,
      });
      if (delivering.length === 0) {
        const at = subs[0] ?? clusters[0];
        ctx.report({ object: at, messageId: 'none', data: { subscription }, path: ['spec'], evidence });
        return;
      }
      const have = new Set(delivering.flatMap((s) => enabledCategories(specOf(s)).map((c) => c.category)));
      const missing = REQUIRED.filter((c) => !have.has(c));
      if (missing.length === 0) return;
      ctx.report({ object: delivering[0], messageId: 'missing', data: { subscription, missing: missing.join(', ') }, path: ['spec', 'logs'], evidence: { ...evidence, missing } });
    },
  },
});
