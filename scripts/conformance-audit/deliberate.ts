// Deliberate disagreements with the peers' expectations, each with its reason, and the expected
// reading of the raw provider samples. `conformance-audit --check` fails on any disagreement that
// is not listed here.

/** "<Panther rule> | <test name>" -> why kubeward decides otherwise. */
const UPDATES = 'an update that adds the permission grants exactly what a create does (and is how an existing, trusted role is backdoored): kubeward checks create, update and patch';
const KUBE_SYSTEM_SA = 'system:serviceaccount:kube-system:* is on the platform allow-list (controllers and add-ons); a kube-system identity being denied is not distinguishable from controller retries without a baseline. --no-platform-allow-list reports it';
const RUN_AS_ROOT = 'running as UID 0 is not privileged mode: it is a hardening gap reported by `kubeward scan` (run-as-non-root), not an attack signal; alerting on every root pod would bury the privileged ones';
const NOT_K8S_GCP = 'the test event is a Deployment Manager call (serviceName deploymentmanager.googleapis.com) whose authorizationInfo mentions a Kubernetes permission; it is not a Kubernetes API request. The Kubernetes API call itself is logged by GKE as a k8s.io entry, which kubeward reads';
const EXEC_NO_ALLOW_LIST = 'exec-suspicious-command has no allow-list on purpose: no platform component reads tokens or streams files out of pods with exec, so the command is the signal whoever runs it';
const SINGLE = 'compared with threshold 1: ';

/** "<Panther rule> | <test name>" -> why kubeward decides otherwise. */
export const PANTHER_DELIBERATE: Readonly<Record<string, string>> = {
  'Amazon.EKS.AnonymousAPIAccess | Anonymous API Access Web Scanner Allowed': '/version is public by default (ClusterRole system:public-info-viewer is bound to system:unauthenticated); kubeward reports anonymous access beyond the health, version and issuer-discovery endpoints',
  'Amazon.EKS.AnonymousAPIAccess | ELB Health Check from Public IP': '/healthz is public by design; where it is reachable from is API endpoint exposure (EKS endpointPublicAccess: eks-cluster-changed, `kubeward scan`), not an anonymous-access finding',
  'Amazon.EKS.AnonymousAPIAccess | Anonymous API Access Web Scanner Denied': 'a denied anonymous probe is not access; repeated denials from one address are reported by forbidden-burst',
  'Amazon.EKS.Audit.Multiple403 | 403 and Public IP': SINGLE + KUBE_SYSTEM_SA,
  'Kubernetes.API.Multiple403.PublicIP | EKS 403 from Public IP': SINGLE + KUBE_SYSTEM_SA,
  'Kubernetes.API.Multiple403.PublicIP | No Source IP': SINGLE + 'kubeward counts denials whatever the source address (pods probing from inside the cluster have private or no recorded addresses); without an identity or address they are counted under one key',
  'GCP.GKE.Kubernetes.Cron.Job.Created.Or.Modified | create': NOT_K8S_GCP,
  'GCP.GKE.Kubernetes.Cron.Job.Created.Or.Modified | update': NOT_K8S_GCP,
  'GCP.K8s.New.Daemonset.Deployed | privilege-escalation': NOT_K8S_GCP,
  'GCP.K8S.Privileged.Pod.Created | Run-As-Root Pod Created': RUN_AS_ROOT,
  'Kubernetes.Pod.Privileged.Created | Run-As-Root Pod Created': RUN_AS_ROOT,
  'Kubernetes.Pod.Privileged.Created | Pod with runAsUser=0 (root)': RUN_AS_ROOT,
  'GCP.K8S.Privileged.Pod.Created | GCP Service Account Creating Privileged Pod (Excluded)': 'the GKE service agent is service-<project number>@container-engine-robot.iam.gserviceaccount.com (allow-listed); "container-engine-robot@<project>.iam.gserviceaccount.com" is an ordinary service account name anyone can create in their project, so allow-listing it would let an attacker hide',
  'Kubernetes.AdmissionController.Created | Webhook Update (Not Create)': 'pointing an existing webhook at another URL or widening its rules is as dangerous as creating one; kubeward reports create, update, patch and delete',
  'Kubernetes.API.AnonymousAccess | GCP GKE Anonymous API Access': 'the test puts system:anonymous in authenticationInfo.authoritySelector, which is not the caller in Cloud Audit Logs; real GKE anonymous entries carry principalEmail system:anonymous (see the Elastic GKE samples), which kubeward reads',
  'Kubernetes.ClusterRoleBinding.Privileged | RoleBinding (not ClusterRoleBinding)': 'cluster-admin bound by a RoleBinding gives full control of that namespace (its secrets, pods and RBAC); kubeward reports it (high; critical only for a ClusterRoleBinding)',
  'Kubernetes.Kubectl.CP.Operation | EKS system namespace (excluded)': EXEC_NO_ALLOW_LIST,
  'Kubernetes.Pod.StealServiceAccountToken | System principal in system namespace (excluded)': EXEC_NO_ALLOW_LIST,
  'Kubernetes.Role.NodeProxyPermissions | Updating existing role (not creating)': UPDATES,
  'Kubernetes.Role.PodExec | Updating existing role (not creating)': UPDATES,
  'Kubernetes.Role.Wildcard | Updating existing role (not creating)': UPDATES,
  'Kubernetes.Role.WritePermissions | Updating existing role (not creating)': UPDATES,
  'Kubernetes.Role.WritePermissions | EKS ClusterRole with delete permissions on secrets': 'write verbs in general are what most operator roles hold; kubeward reports the writes that lead to code execution (pods and pod controllers) and the reads of secrets (this role also gets/lists secrets: rbac-dangerous-grant reports it as "reading secrets")',
  'Kubernetes.Role.WritePermissions | GKE ClusterRole with deletecollection': 'write verbs in general are what most operator roles hold; deleting configmaps leads to no privilege; kubeward reports the writes that lead to code execution (pods and pod controllers)',
  'Kubernetes.Secret.AccessDenied | EKS failed secret get (404 Not Found)': 'a 404 means the secret does not exist, not that access was denied; kubeward counts 401/403 only',
  'Kubernetes.Secret.AccessDenied | List secrets operation (not get)': SINGLE + 'a denied list of secrets is as much a probe as a denied get; kubeward counts every denied request',
  'Kubernetes.BulkSecretAccess | User Gets Secret - Access Denied': 'a denied read returned no secret; kubeward counts it with the other denials (forbidden-burst), not as a secret read',
  'Kubernetes.ServiceAccount.TokenCreated | System principal in user namespace (alert)': 'system:kube-controller-manager is on the platform allow-list (it requests tokens for its controllers); the name can only be used with the control plane\'s own certificate',
  'Kubernetes.SystemRole.Modified | System:coredns modified (excluded - expected)': 'the EKS add-on manager (eks:addon-manager, allow-listed) maintains system:coredns; a person editing it changes what the cluster DNS may read, like any other system: role',
};

/** "<file>#<line> <ECS field>" -> why kubeward's reading differs from Elastic's. */
const GKE_IN_K8S_PIPELINE = "Elastic\'s kubernetes audit_logs pipeline does not parse GKE Cloud Logging entries (the record is passed through; resource.type is the Cloud Logging monitored resource k8s_cluster and name the raw resourceName); kubeward normalises them";

/** "<file>#<line> <ECS field>" -> why kubeward's reading differs from Elastic's. */
export const FIELD_DELIBERATE: Readonly<Record<string, string>> = {
  'elastic/kubernetes/test-audit.log#4 user.name': GKE_IN_K8S_PIPELINE + ': the caller is protoPayload.authenticationInfo.principalEmail',
  'elastic/kubernetes/test-audit.log#4 event.action': GKE_IN_K8S_PIPELINE + ': the verb is the last segment of methodName io.k8s.get',
  'elastic/kubernetes/test-audit.log#4 orchestrator.resource.type': GKE_IN_K8S_PIPELINE + ': resourceName "readyz" is a non-resource path (/readyz), so there is no object reference',
  'elastic/kubernetes/test-audit.log#4 orchestrator.resource.name': GKE_IN_K8S_PIPELINE + ': resourceName "readyz" is a non-resource path (/readyz), so there is no object reference',
  'elastic/kubernetes/test-audit.log#4 source.ip': GKE_IN_K8S_PIPELINE + ': the address is requestMetadata.callerIp',
};

export interface FormatExpectation {
  file: string;
  shape: string;
  /** Expected events in order: fields of the normalised event (see conformance-audit.ts). */
  events: Array<Record<string, unknown>>;
  skipped?: number;
}

export const FORMAT_EXPECTATIONS: readonly FormatExpectation[] = [
  {
    file: 'elastic/kubernetes/test-audit.log',
    shape: 'JSON lines mixing native, GKE and AKS records',
    events: [
      { line: 1, provider: 'kubernetes', verb: 'get', user: 'system:serviceaccounts:default:default', apiGroup: '', resource: 'pods', namespace: 'default', name: 'my-pod', code: 200 },
      { line: 2, provider: 'kubernetes', verb: 'get', user: 'system:serviceaccount:kube-system:elastic-agent', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-system', name: 'elastic-agent-cluster-test' },
      { line: 3, provider: 'kubernetes', verb: 'get', resource: 'leases' },
      { line: 4, provider: 'gke', verb: 'get', user: 'system:gke-master-healthcheck', resource: undefined, uri: '/readyz', code: 200 },
      { line: 5, provider: 'aks', verb: 'update', user: 'aksService', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-system', name: 'elastic-agent-cluster-test' },
    ],
  },
  {
    file: 'elastic/kubernetes/test-kube-audit.log',
    shape: 'AKS diagnostic record, properties.log as a JSON string',
    events: [{ line: 1, provider: 'aks', verb: 'update', user: 'aksService', resource: 'leases', namespace: 'kube-system', name: 'kubelet-serving-csr-approver', code: 200 }],
  },
  {
    file: 'elastic/gcp/test-audit.k8s-lines.log',
    shape: 'GKE Cloud Logging entries, JSON lines',
    events: [
      { provider: 'gke', verb: 'create', user: 'system:serviceaccount:cert-manager:cert-manager-webhook', apiGroup: 'authorization.k8s.io', resource: 'subjectaccessreviews', namespace: undefined },
      { provider: 'gke', verb: 'list', user: 'xxx@xxx.xxx', apiGroup: '', resource: 'nodes', name: undefined },
      { provider: 'gke', verb: 'list', apiGroup: 'extensions', resource: 'ingresses', namespace: 'cos-auditd' },
      { provider: 'gke', verb: 'get', user: 'system:anonymous', resource: undefined, uri: '/readyz' },
      { provider: 'gke', verb: 'get', user: 'system:serviceaccount:kube-system:generic-garbage-collector', resource: undefined, uri: '/api/v1' },
      { provider: 'gke', verb: 'create', apiGroup: 'authorization.k8s.io', resource: 'subjectaccessreviews' },
    ],
  },
  {
    file: 'elastic/gcp/test-k8s-nonmatching-resourcename.log',
    shape: 'GKE entry whose resourceName is not an API path (scanner probe)',
    events: [{ provider: 'gke', verb: 'get', user: 'system:anonymous', resource: undefined, uri: '/HNAP1', code: 403 }],
  },
  { file: 'elastic/gcp/test-cluster-notifications.json', shape: 'GKE cluster notification (not an audit record)', events: [], skipped: 1 },
  {
    file: 'elastic/aws-cloudtrail/test-get-caller-identity-json.log',
    shape: 'CloudTrail record',
    events: [{ provider: 'cloudtrail', verb: 'GetCallerIdentity', user: 'arn:aws:iam::00000000000:user/terraformer', code: 200 }],
  },
  {
    file: 'elastic/aws-cloudtrail/test-attach-role-policy-json.log',
    shape: 'CloudTrail record',
    events: [{ provider: 'cloudtrail', verb: 'AttachRolePolicy', user: 'arn:aws:iam::000000000:user/test@elastic.co' }],
  },
  {
    file: 'elastic/aws-cloudtrail/test-authorize-security-group-ingress-json.log',
    shape: 'CloudTrail record',
    events: [{ provider: 'cloudtrail', verb: 'AuthorizeSecurityGroupIngress', user: 'arn:aws:iam::000000000:user/test@elastic.co' }],
  },
];
