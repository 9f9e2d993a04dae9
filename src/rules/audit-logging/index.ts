// Audit-logging posture rules (EKS control-plane logs, CloudTrail, AKS diagnostic settings, GKE logging).
// Keep one import and one entry per rule folder (the meta-test checks).
import type { Rule } from '../../core/rule.js';
import cloudtrailMultiRegionLogging from './cloudtrail-multi-region-logging/rule.js';
import eksControlPlaneLogging from './eks-control-plane-logging/rule.js';
import eksLogGroupRetention from './eks-log-group-retention/rule.js';
import aksAuditDiagnosticSetting from './aks-audit-diagnostic-setting/rule.js';
import azureActivityLogExport from './azure-activity-log-export/rule.js';
import gkeControlPlaneLogging from './gke-control-plane-logging/rule.js';
import gcpDataAccessAuditLogs from './gcp-data-access-audit-logs/rule.js';
import apiserverAuditFlags from './apiserver-audit-flags/rule.js';

export const auditLoggingRules = {
  'cloudtrail-multi-region-logging': cloudtrailMultiRegionLogging,
  'eks-control-plane-logging': eksControlPlaneLogging,
  'eks-log-group-retention': eksLogGroupRetention,
  'aks-audit-diagnostic-setting': aksAuditDiagnosticSetting,
  'azure-activity-log-export': azureActivityLogExport,
  'gke-control-plane-logging': gkeControlPlaneLogging,
  'gcp-data-access-audit-logs': gcpDataAccessAuditLogs,
  'apiserver-audit-flags': apiserverAuditFlags,
} satisfies Record<string, Rule>;
