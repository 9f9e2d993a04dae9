// Which kubeward detection answers each Panther rule of the audit-formats corpus, and why the other
// rules have no counterpart. A Panther rule "alerts" when any of its mapped detections reports on the
// event and, where given, the report satisfies `when`.
import type { AuditDetection } from '../../src/audit/engine.js';
import type { DetectionOptions } from '../../src/audit/detections/types.js';

export interface MappedDetection {
  id: string;
  /** Only reports that match (e.g. the hostIPC part of host-namespace-pod). */
  when?: (d: AuditDetection) => boolean;
  /** Option overrides for this comparison. */
  options?: Partial<DetectionOptions>;
}

export interface RuleMapping {
  rule: string;
  detections: MappedDetection[];
  /** How the comparison is made, when it is not one-to-one. */
  note?: string;
}

const ev = (d: AuditDetection): Record<string, unknown> => d.evidence;
const has = (k: string) => (d: AuditDetection) => ev(d)[k] === true;
const grants = (g: string) => (d: AuditDetection) => Array.isArray(ev(d).grants) && (ev(d).grants as string[]).includes(g);
const pattern = (p: string) => (d: AuditDetection) => Array.isArray(ev(d).patterns) && (ev(d).patterns as string[]).includes(p);
const kind = (k: string) => (d: AuditDetection) => ev(d).kind === k;
/** Panther threshold rules are tested one event at a time (the threshold is applied by the platform): compare with threshold 1. */
const single = { threshold: 1, serviceAccountThreshold: 1 };

export const MAPPINGS: readonly RuleMapping[] = [
  { rule: 'Amazon.EKS.AnonymousAPIAccess', detections: [{ id: 'anonymous-request-allowed' }] },
  { rule: 'Amazon.EKS.Audit.Multiple403', detections: [{ id: 'forbidden-burst', options: single }], note: 'threshold rule: compared with threshold 1' },
  { rule: 'GCP.GKE.Kubernetes.Cron.Job.Created.Or.Modified', detections: [{ id: 'persistence-workload-changed', when: kind('CronJob') }] },
  { rule: 'GCP.K8s.ExecIntoPod', detections: [{ id: 'pod-exec' }] },
  { rule: 'GCP.K8s.New.Daemonset.Deployed', detections: [{ id: 'persistence-workload-changed', when: kind('DaemonSet') }] },
  { rule: 'GCP.K8s.Pod.Attached.To.Node.Host.Network', detections: [{ id: 'host-namespace-pod', when: has('hostNetwork') }] },
  { rule: 'GCP.K8S.Pod.Create.Or.Modify.Host.Path.Volume.Mount', detections: [{ id: 'host-path-volume', when: (d) => d.severity === 'high' }], note: 'sensitive host paths only (the Panther rule lists sensitive paths)' },
  { rule: 'GCP.K8s.Pod.Using.Host.PID.Namespace', detections: [{ id: 'host-namespace-pod', when: has('hostPID') }] },
  { rule: 'GCP.K8S.Privileged.Pod.Created', detections: [{ id: 'privileged-pod' }] },
  { rule: 'GCP.K8S.Service.Type.NodePort.Deployed', detections: [{ id: 'nodeport-service' }] },
  { rule: 'Kubernetes.AdmissionController.Created', detections: [{ id: 'admission-webhook-changed' }] },
  { rule: 'Kubernetes.API.AnonymousAccess', detections: [{ id: 'anonymous-request-allowed' }] },
  { rule: 'Kubernetes.ClientCertificate.Created', detections: [{ id: 'client-certificate-requested' }] },
  { rule: 'Kubernetes.ClusterRoleBinding.Privileged', detections: [{ id: 'privileged-role-binding' }] },
  { rule: 'Kubernetes.CronJob.CreatedOrModified', detections: [{ id: 'persistence-workload-changed', when: kind('CronJob') }] },
  { rule: 'Kubernetes.DaemonSet.Created', detections: [{ id: 'persistence-workload-changed', when: kind('DaemonSet') }] },
  { rule: 'Kubernetes.Pod.Exec', detections: [{ id: 'pod-exec' }] },
  { rule: 'Kubernetes.Kubectl.CP.Operation', detections: [{ id: 'exec-suspicious-command', when: pattern('copy-out') }] },
  { rule: 'Kubernetes.API.Multiple403.PublicIP', detections: [{ id: 'forbidden-burst', options: single }], note: 'threshold rule: compared with threshold 1' },
  { rule: 'Kubernetes.Pod.SystemNamespace', detections: [{ id: 'system-namespace-workload', when: (d) => ev(d).kind === 'pod' }] },
  { rule: 'Kubernetes.Pod.Dangerous.Capabilities', detections: [{ id: 'dangerous-capabilities' }] },
  { rule: 'Kubernetes.Pod.Host.IPC', detections: [{ id: 'host-namespace-pod', when: has('hostIPC') }] },
  { rule: 'Kubernetes.Pod.Host.Network', detections: [{ id: 'host-namespace-pod', when: has('hostNetwork') }] },
  { rule: 'Kubernetes.Pod.Host.PID', detections: [{ id: 'host-namespace-pod', when: has('hostPID') }] },
  { rule: 'Kubernetes.Pod.HostPath.Volume', detections: [{ id: 'host-path-volume' }] },
  { rule: 'Kubernetes.Pod.Privileged.Created', detections: [{ id: 'privileged-pod' }] },
  {
    rule: 'Kubernetes.Role.NodeProxyPermissions',
    detections: [
      { id: 'rbac-dangerous-grant', when: grants('nodes/proxy') },
      {
        id: 'rbac-wildcard-role',
        when: (d) => Array.isArray(ev(d).rules) && (ev(d).rules as Array<{ resources: string[] }>).some((r) => r.resources.some((x) => x === '*' || x === 'nodes/*' || x === 'nodes/proxy')),
      },
    ],
    note: 'rules with "*" are reported by rbac-wildcard-role, the others by rbac-dangerous-grant',
  },
  { rule: 'Kubernetes.Role.PodExec', detections: [{ id: 'rbac-dangerous-grant', when: grants('pods/exec') }] },
  { rule: 'Kubernetes.Role.Wildcard', detections: [{ id: 'rbac-wildcard-role' }] },
  { rule: 'Kubernetes.Role.WritePermissions', detections: [{ id: 'rbac-dangerous-grant', when: grants('workload-write') }], note: 'kubeward reports writes to pods and pod controllers, not every write verb' },
  {
    rule: 'Kubernetes.Secret.AccessDenied',
    detections: [{ id: 'forbidden-burst', options: single, when: (d) => (ev(d).samples as string[]).some((s) => / secrets$/.test(s)) }],
    note: 'compared with threshold 1, denials on secrets only',
  },
  { rule: 'Kubernetes.BulkSecretAccess', detections: [{ id: 'secret-read-burst', options: { threshold: 1 } }], note: 'threshold rule: compared with threshold 1' },
  { rule: 'Kubernetes.Secrets.DumpAllNamespaces', detections: [{ id: 'secrets-listed-cluster-wide' }] },
  { rule: 'Kubernetes.Service.NodePort.Deployed', detections: [{ id: 'nodeport-service' }] },
  { rule: 'Kubernetes.ServiceAccount.TokenCreated', detections: [{ id: 'serviceaccount-token-request' }] },
  { rule: 'Kubernetes.Pod.StealServiceAccountToken', detections: [{ id: 'exec-suspicious-command', when: pattern('token-read') }] },
  { rule: 'Kubernetes.SystemRole.Modified', detections: [{ id: 'system-role-modified' }] },
];

/** Panther rules with no kubeward counterpart, and why. */
export const UNMAPPED: Readonly<Record<string, string>> = {
  'Amazon.EKS.Audit.SystemNamespaceFromPublicIP': 'needs IP enrichment (cloud provider address ranges, ASN): kubeward has no IP reputation data',
  'Kubernetes.System.Principal.PublicIP': 'needs IP enrichment (cloud provider address ranges, ASN): kubeward has no IP reputation data',
  'GCP.K8s.IOC.Activity': 'threat-intelligence enrichment (Tor exit nodes) that kubeward does not have',
  'Kubernetes.API.IOC.Activity': 'threat-intelligence enrichment (Tor exit nodes) that kubeward does not have',
  'Kubernetes.Ingress.NoTLS': 'a posture check on the Ingress object: `kubeward scan` territory, not an audit-log detection',
  'AWS.EC2.DownloadInstanceUserData': 'EC2 account activity outside the EKS/Kubernetes scope of kubeward detections',
  'AWS.EC2.SecurityGroupModified': 'EC2 account activity outside the EKS/Kubernetes scope of kubeward detections',
  'AWS.EC2.Startup.Script.Change': 'EC2 account activity outside the EKS/Kubernetes scope of kubeward detections',
  'AWS.CloudTrail.IAMAssumeRoleBlacklistIgnored': 'IAM activity outside the EKS/Kubernetes scope of kubeward detections (needs a user-provided role list)',
  'AWS.IAM.AttachAdminRolePolicy': 'IAM activity outside the EKS/Kubernetes scope of kubeward detections',
  'AWS.IAM.BackdoorRole': 'IAM activity outside the EKS/Kubernetes scope of kubeward detections',
  'AWS.IAM.CreateRole': 'IAM activity outside the EKS/Kubernetes scope of kubeward detections',
  'AWS.IAM.PolicyModified': 'IAM activity outside the EKS/Kubernetes scope of kubeward detections',
  'AWS.IAM.Backdoor.User.Keys': 'IAM activity outside the EKS/Kubernetes scope of kubeward detections',
  'AWS.CloudTrail.IMDSCredentialExfiltration': 'use of instance credentials from outside AWS needs IP/ASN enrichment; kubeward covers the cause instead (imds-options-weakened)',
  'AWS.STS.GetCallerIdentity.TruffleHog': 'STS activity outside the EKS/Kubernetes scope of kubeward detections',
  'Role.Assumed.by.AWS.Service': 'IAM activity outside the EKS/Kubernetes scope of kubeward detections',
  'Role.Assumed.by.User': 'IAM activity outside the EKS/Kubernetes scope of kubeward detections',
};
