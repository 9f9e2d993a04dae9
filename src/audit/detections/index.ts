// The one registry of audit-log detections. Add a detection: a folder <id>/ with detection.ts and
// fixtures/{fire,pass}/*.jsonl, one import and one entry here (the meta-test checks both).
import admissionWebhookChanged from './admission-webhook-changed/detection.js';
import anonymousRequestAllowed from './anonymous-request-allowed/detection.js';
import awsAuthModified from './aws-auth-modified/detection.js';
import clientCertificateRequested from './client-certificate-requested/detection.js';
import configmapCredentials from './configmap-credentials/detection.js';
import corednsConfigModified from './coredns-config-modified/detection.js';
import csrApproved from './csr-approved/detection.js';
import dangerousCapabilities from './dangerous-capabilities/detection.js';
import discoveryBurst from './discovery-burst/detection.js';
import eksAccessEntryChanged from './eks-access-entry-changed/detection.js';
import eksClusterChanged from './eks-cluster-changed/detection.js';
import eksLoggingDisabled from './eks-logging-disabled/detection.js';
import ephemeralContainer from './ephemeral-container/detection.js';
import eventsDeleted from './events-deleted/detection.js';
import execSuspiciousCommand from './exec-suspicious-command/detection.js';
import forbiddenBurst from './forbidden-burst/detection.js';
import hostNamespacePod from './host-namespace-pod/detection.js';
import hostPathVolume from './host-path-volume/detection.js';
import imdsOptionsWeakened from './imds-options-weakened/detection.js';
import nodeportService from './nodeport-service/detection.js';
import nodesProxy from './nodes-proxy/detection.js';
import persistenceWorkloadChanged from './persistence-workload-changed/detection.js';
import podExec from './pod-exec/detection.js';
import podPortforward from './pod-portforward/detection.js';
import privilegedImpersonation from './privileged-impersonation/detection.js';
import privilegedPod from './privileged-pod/detection.js';
import privilegedRoleBinding from './privileged-role-binding/detection.js';
import rbacChangedByServiceaccount from './rbac-changed-by-serviceaccount/detection.js';
import rbacDangerousGrant from './rbac-dangerous-grant/detection.js';
import rbacThenWorkload from './rbac-then-workload/detection.js';
import rbacWildcardRole from './rbac-wildcard-role/detection.js';
import secretModified from './secret-modified/detection.js';
import secretReadBurst from './secret-read-burst/detection.js';
import secretsListedClusterWide from './secrets-listed-cluster-wide/detection.js';
import selfSubjectReview from './self-subject-review/detection.js';
import serviceaccountTokenRequest from './serviceaccount-token-request/detection.js';
import systemNamespaceWorkload from './system-namespace-workload/detection.js';
import systemRoleModified from './system-role-modified/detection.js';
import unusualWorkloadChange from './unusual-workload-change/detection.js';
import type { AnyDetection } from './types.js';

export const detections = {
  'admission-webhook-changed': admissionWebhookChanged,
  'anonymous-request-allowed': anonymousRequestAllowed,
  'aws-auth-modified': awsAuthModified,
  'client-certificate-requested': clientCertificateRequested,
  'configmap-credentials': configmapCredentials,
  'coredns-config-modified': corednsConfigModified,
  'csr-approved': csrApproved,
  'dangerous-capabilities': dangerousCapabilities,
  'discovery-burst': discoveryBurst,
  'eks-access-entry-changed': eksAccessEntryChanged,
  'eks-cluster-changed': eksClusterChanged,
  'eks-logging-disabled': eksLoggingDisabled,
  'ephemeral-container': ephemeralContainer,
  'events-deleted': eventsDeleted,
  'exec-suspicious-command': execSuspiciousCommand,
  'forbidden-burst': forbiddenBurst,
  'host-namespace-pod': hostNamespacePod,
  'host-path-volume': hostPathVolume,
  'imds-options-weakened': imdsOptionsWeakened,
  'nodeport-service': nodeportService,
  'nodes-proxy': nodesProxy,
  'persistence-workload-changed': persistenceWorkloadChanged,
  'pod-exec': podExec,
  'pod-portforward': podPortforward,
  'privileged-impersonation': privilegedImpersonation,
  'privileged-pod': privilegedPod,
  'privileged-role-binding': privilegedRoleBinding,
  'rbac-changed-by-serviceaccount': rbacChangedByServiceaccount,
  'rbac-dangerous-grant': rbacDangerousGrant,
  'rbac-then-workload': rbacThenWorkload,
  'rbac-wildcard-role': rbacWildcardRole,
  'secret-modified': secretModified,
  'secret-read-burst': secretReadBurst,
  'secrets-listed-cluster-wide': secretsListedClusterWide,
  'self-subject-review': selfSubjectReview,
  'serviceaccount-token-request': serviceaccountTokenRequest,
  'system-namespace-workload': systemNamespaceWorkload,
  'system-role-modified': systemRoleModified,
  'unusual-workload-change': unusualWorkloadChange,
} as const satisfies Record<string, AnyDetection>;

export type DetectionId = keyof typeof detections;
export const DETECTION_IDS = Object.keys(detections) as DetectionId[];
export const allDetections: readonly AnyDetection[] = Object.values(detections);
