// Peer check id -> kubeward rule(s). Every peer check of every corpus has an entry: either the rules
// whose findings stand for the check (optionally narrowed), or the reason it is not compared.
// A rule id that is not (yet) registered makes the entry "unmapped: rule not implemented".
import type { Finding } from '../../src/core/types.js';
import type { CorpusId, MapEntry, RuleRef } from './types.js';

/**
 * Rule ids the mapping may name before they are registered (their cases show as "rule not
 * implemented"). test/conformance-harness.test.ts fails on any other unknown id, to catch typos.
 */
export const PLANNED_RULES: ReadonlySet<string> = new Set<string>([]);

const r = (...ids: string[]): MapEntry => ({ rules: ids.map((rule) => ({ rule })) });
const rules = (...refs: RuleRef[]): MapEntry => ({ rules: refs });
const future = (p: 'least-privilege' | 'network' | 'metadata-api' | 'audit-logging' | 'cloud', detail?: string): MapEntry => ({
  unmapped: detail ?? '',
  future: p,
});
/** A security control kubeward has no rule for. */
const none = (reason: string): MapEntry => ({ unmapped: reason, cls: 'no-rule' });
/** The peer's verdict is defined by its own parameters, labels or configuration. */
const param = (reason: string): MapEntry => ({ unmapped: reason, cls: 'parameters' });
/** Not a security control. */
const scope = (reason: string): MapEntry => ({ unmapped: reason, cls: 'out-of-scope' });

/** The capability an added-capabilities / drop-all-capabilities finding is about (upper case, no CAP_). */
export function capabilityOf(f: Finding): string | undefined {
  const m = /adds (?:capability )?"?([A-Za-z0-9_]+)/.exec(f.message);
  if (!m) return undefined;
  const up = m[1].toUpperCase();
  return up.startsWith('CAP_') ? up.slice(4) : up;
}

/** added-capabilities narrowed to some capabilities (the peer's own list). */
function addedCaps(caps: readonly string[], label: string): RuleRef {
  return { rule: 'added-capabilities', where: (f) => caps.includes(capabilityOf(f) ?? ''), param: label };
}

/** PSS restricted "add only NET_BIND_SERVICE": added-capabilities plus the restricted-only part of drop-all-capabilities. */
const ADD_RESTRICTED: RuleRef[] = [{ rule: 'added-capabilities' }, { rule: 'drop-all-capabilities', messageIds: ['add'] }];
const DROP_ALL: RuleRef = { rule: 'drop-all-capabilities', messageIds: ['noDropAll', 'dropAllCase'] };

/** sensitive-host-path narrowed to findings about a runtime socket matching `re`. */
function socket(re: RegExp, label: string): RuleRef {
  return { rule: 'sensitive-host-path', where: (f) => re.test(String((f.evidence as { sensitive?: unknown } | undefined)?.sensitive ?? '')), param: label };
}
const DOCKER_SOCK = socket(/docker\.sock$|docker_engine$/, 'Docker socket only');
const ANY_RUNTIME_SOCK = socket(/(docker|containerd|crio|cri-dockerd|dockershim|podman)\.sock$|\\pipe\\/, 'container runtime sockets only');

/** missing-resource-limits narrowed to a missing limit of one resource. */
function missingLimit(resource: 'cpu' | 'memory'): RuleRef {
  return {
    rule: 'missing-resource-limits',
    messageIds: ['limits'],
    where: (f) => ((f.evidence as { missing?: unknown } | undefined)?.missing as string[] | undefined)?.includes(resource) === true,
    param: `${resource === 'cpu' ? 'CPU' : 'memory'} limit`,
  };
}
const MEMORY_REQUEST: RuleRef = { rule: 'missing-resource-limits', messageIds: ['memoryRequest'], param: 'memory request' };

/** Peers that flag writable hostPath mounts only: kubeward reports every hostPath volume. */
const ANY_HOST_PATH: RuleRef = { rule: 'host-path-volume', param: 'every hostPath volume, read-only or not' };
/** Peers that require dropping NET_RAW: kubeward requires dropping ALL, and reports adding NET_RAW. */
const NET_RAW: RuleRef[] = [
  { rule: 'drop-all-capabilities', messageIds: ['noDropAll', 'dropAllCase'], param: 'drop ALL required' },
  { rule: 'added-capabilities', where: (f) => capabilityOf(f) === 'NET_RAW', param: 'NET_RAW added' },
];

const SA_OBJECT = 'no rule: kubeward reports the pods that mount the token and the "default" ServiceAccount object (automount-service-account-token), not every ServiceAccount object';
/** The "default" ServiceAccount object without automountServiceAccountToken: false (CIS 5.1.5). */
const DEFAULT_SA: RuleRef = { rule: 'automount-service-account-token', messageIds: ['defaultServiceAccount'], param: 'the default ServiceAccount object' };

const OUT_OF_SCOPE = 'out of scope (reliability / efficiency / hygiene, not a security control)';
const PSP = 'PodSecurityPolicy objects (removed in Kubernetes 1.25) are not assessed';
const CUSTOM_CONFIG = 'custom check defined by a kube-linter config (CEL / template), not a built-in control';

/** PSS baseline controls, as kubeward rules. */
const BASELINE = [
  'host-pid',
  'host-ipc',
  'host-network',
  'privileged-container',
  'added-capabilities',
  'host-path-volume',
  'host-port',
  'host-process',
  'apparmor-profile',
  'selinux-options',
  'proc-mount',
  'seccomp-unconfined',
  'unsafe-sysctls',
  'host-probes',
];
/** PSS restricted controls on top of baseline. */
const RESTRICTED = ['restricted-volume-types', 'allow-privilege-escalation', 'run-as-non-root', 'run-as-root-user', 'drop-all-capabilities', 'seccomp-profile-missing'];

// ---------------------------------------------------------------------------------------------
export const POLARIS: Record<string, MapEntry> = {
  automountServiceAccountToken: r('automount-service-account-token'),
  clusterrolePodExecAttach: future('least-privilege'),
  clusterrolebindingClusterAdmin: future('least-privilege'),
  clusterrolebindingPodExecAttach: future('least-privilege'),
  cpuLimitsMissing: rules(missingLimit('cpu')),
  cpuRequestsMissing: none('no rule: kubeward does not require CPU requests (only limits, and memory requests)'),
  dangerousCapabilities: rules(addedCaps(['ALL', 'SYS_ADMIN', 'NET_ADMIN'], 'ALL, SYS_ADMIN, NET_ADMIN only')),
  deploymentMissingReplicas: scope(OUT_OF_SCOPE),
  hostIPCSet: r('host-ipc'),
  hostNetworkSet: r('host-network'),
  hostPIDSet: r('host-pid'),
  hostPathSet: r('host-path-volume'),
  hostPortSet: r('host-port'),
  hostProcess: r('host-process'),
  hpaMaxAvailability: scope(OUT_OF_SCOPE),
  hpaMinAvailability: scope(OUT_OF_SCOPE),
  insecureCapabilities: rules(DROP_ALL),
  linuxHardening: none('no rule: "any one of AppArmor, seccomp, SELinux or dropped capabilities" has no single kubeward equivalent (each is its own PSS control)'),
  livenessProbeMissing: scope(OUT_OF_SCOPE),
  memoryLimitsMissing: rules(missingLimit('memory')),
  memoryRequestsMissing: rules(MEMORY_REQUEST),
  metadataAndInstanceMismatched: scope(OUT_OF_SCOPE),
  missingNetworkPolicy: future('network'),
  missingPodDisruptionBudget: scope(OUT_OF_SCOPE),
  nakedPod: scope(OUT_OF_SCOPE),
  notReadOnlyRootFilesystem: r('read-only-root-filesystem'),
  oneController: scope(OUT_OF_SCOPE),
  pdbDisruptionsIsZero: scope(OUT_OF_SCOPE),
  pdbMinAvailableGreaterThanHPAMinReplicas: scope(OUT_OF_SCOPE),
  priorityClassNotSet: scope(OUT_OF_SCOPE),
  privilegeEscalationAllowed: r('allow-privilege-escalation'),
  procMount: r('proc-mount'),
  pullPolicyNotAlways: scope(OUT_OF_SCOPE),
  readinessProbeMissing: scope(OUT_OF_SCOPE),
  resourceRange: param('custom check with user-defined resource ranges (parameters kubeward does not take)'),
  rolePodExecAttach: future('least-privilege'),
  rolebindingClusterAdminClusterRole: future('least-privilege'),
  rolebindingClusterAdminRole: future('least-privilege'),
  rolebindingClusterRolePodExecAttach: future('least-privilege'),
  rolebindingRolePodExecAttach: future('least-privilege'),
  runAsPrivileged: r('privileged-container'),
  runAsRootAllowed: r('run-as-non-root'),
  sensitiveConfigmapContent: none('no rule: kubeward does not scan ConfigMap data for secrets'),
  sensitiveContainerEnvVar: r('secret-in-env-literal'),
  tagNotSpecified: r('image-tag-latest'),
  tlsSettingsMissing: none('no rule: Ingress TLS is not assessed'),
  topologySpreadConstraint: scope(OUT_OF_SCOPE),
};

// ---------------------------------------------------------------------------------------------
// Keyed by the test's check list ("a+b") or "config:<test>" for config-defined checks.
export const KUBE_LINTER: Record<string, MapEntry> = {
  'config:template-cel': param(CUSTOM_CONFIG),
  'config:template-kubeconform': scope('schema validation, not a security control'),
  'config:schema-validation': scope('schema validation, not a security control'),
  'config:template-forbidden-annotation': param(CUSTOM_CONFIG),
  'config:statefulset-volumeclaimtemplate-annotation': param(CUSTOM_CONFIG),
  'access-to-create-pods': future('least-privilege'),
  'access-to-secrets': future('least-privilege'),
  'cluster-admin-role-binding': future('least-privilege'),
  'wildcard-in-rules': future('least-privilege'),
  'dangling-horizontalpodautoscaler': scope(OUT_OF_SCOPE),
  'dangling-ingress': scope(OUT_OF_SCOPE),
  'dangling-networkpolicy': future('network'),
  'dangling-networkpolicypeer-podselector': future('network'),
  'non-isolated-pod': future('network'),
  'dangling-service': scope(OUT_OF_SCOPE),
  'dangling-servicemonitor': scope(OUT_OF_SCOPE),
  'default-service-account': r('default-service-account'),
  'deprecated-service-account-field': scope(OUT_OF_SCOPE),
  'dnsconfig-options': scope(OUT_OF_SCOPE),
  'docker-sock': rules(DOCKER_SOCK),
  'drop-net-raw-capability': rules(...NET_RAW),
  'duplicate-env-var': scope(OUT_OF_SCOPE),
  'env-value-from': scope(OUT_OF_SCOPE),
  'env-var-secret': r('secret-in-env-literal'),
  'exposed-services': r('node-port-service', 'load-balancer-service'),
  'host-ipc': r('host-ipc'),
  'host-network': r('host-network'),
  'host-pid': r('host-pid'),
  'hpa-minimum-three-replicas': scope(OUT_OF_SCOPE),
  'invalid-target-ports': scope(OUT_OF_SCOPE),
  'job-ttl-seconds-after-finished': scope(OUT_OF_SCOPE),
  'latest-tag': r('image-tag-latest'),
  'liveness-port': scope(OUT_OF_SCOPE),
  'minimum-three-replicas': scope(OUT_OF_SCOPE),
  'mismatching-selector': scope(OUT_OF_SCOPE),
  'no-anti-affinity': scope(OUT_OF_SCOPE),
  'no-extensions-v1beta': scope(OUT_OF_SCOPE),
  'no-liveness-probe': scope(OUT_OF_SCOPE),
  'no-node-affinity': scope(OUT_OF_SCOPE),
  'no-read-only-root-fs': r('read-only-root-filesystem'),
  'no-readiness-probe': scope(OUT_OF_SCOPE),
  'no-rolling-update-strategy': scope(OUT_OF_SCOPE),
  'non-existent-service-account': scope(OUT_OF_SCOPE),
  'pdb-max-unavailable': scope(OUT_OF_SCOPE),
  'pdb-min-available': scope(OUT_OF_SCOPE),
  'pdb-unhealthy-pod-eviction-policy': scope(OUT_OF_SCOPE),
  'priority-class-name': scope(OUT_OF_SCOPE),
  'privilege-escalation-container': r('allow-privilege-escalation'),
  'privileged-container': r('privileged-container'),
  'privileged-ports': none('no rule: a privileged containerPort (< 1024) is not a security boundary in Kubernetes'),
  'read-secret-from-env-var': none('no rule: reading a Secret through env valueFrom is the recommended practice, not a finding'),
  'readiness-port': scope(OUT_OF_SCOPE),
  'required-annotation-email': scope(OUT_OF_SCOPE),
  'required-label-owner': scope(OUT_OF_SCOPE),
  'restart-policy': scope(OUT_OF_SCOPE),
  'run-as-non-root': r('run-as-non-root'),
  'scc-deny-privileged-container': none('OpenShift SecurityContextConstraints are not assessed'),
  'sensitive-host-mounts': r('sensitive-host-path'),
  'sorted-keys': scope(OUT_OF_SCOPE),
  'ssh-port': scope(OUT_OF_SCOPE),
  'startup-port': scope(OUT_OF_SCOPE),
  'unsafe-proc-mount': r('proc-mount'),
  'unsafe-sysctls': r('unsafe-sysctls'),
  // kube-linter also requires a CPU request, which kubeward does not.
  'unset-cpu-requirements': rules(missingLimit('cpu')),
  'unset-memory-requirements': rules(missingLimit('memory'), MEMORY_REQUEST),
  'use-namespace': scope(OUT_OF_SCOPE),
  'writable-host-mount': rules(ANY_HOST_PATH),
};

// ---------------------------------------------------------------------------------------------
// Keyed "<policy>/<rule>".
export const KYVERNO: Record<string, MapEntry> = {
  'disallow-capabilities/adding-capabilities': r('added-capabilities'),
  'disallow-capabilities-strict/adding-capabilities-strict': rules(...ADD_RESTRICTED),
  'disallow-capabilities-strict/require-drop-all': rules(DROP_ALL),
  'disallow-host-namespaces/host-namespaces': r('host-pid', 'host-ipc', 'host-network'),
  'disallow-host-path/host-path': r('host-path-volume'),
  'disallow-host-ports/host-ports-none': r('host-port'),
  'disallow-host-ports-range/host-port-range': param('allowed host-port range 5000-6000 is a policy parameter kubeward does not take'),
  'disallow-host-process/host-process-containers': r('host-process'),
  'disallow-privileged-containers/privileged-containers': r('privileged-container'),
  'disallow-proc-mount/check-proc-mount': r('proc-mount'),
  'disallow-selinux/selinux-type': r('selinux-options'),
  'disallow-selinux/selinux-user-role': r('selinux-options'),
  'restrict-apparmor-profiles/app-armor': r('apparmor-profile'),
  'restrict-seccomp/check-seccomp': r('seccomp-unconfined'),
  'restrict-sysctls/check-sysctls': r('unsafe-sysctls'),
  'disallow-privilege-escalation/privilege-escalation': r('allow-privilege-escalation'),
  'require-run-as-non-root-user/run-as-non-root-user': r('run-as-root-user'),
  'require-run-as-nonroot/run-as-non-root': r('run-as-non-root'),
  'restrict-seccomp-strict/check-seccomp-strict': r('seccomp-profile-missing', 'seccomp-unconfined'),
  'restrict-volume-types/restricted-volumes': r('restricted-volume-types', 'host-path-volume'),
  'podsecurity-subrule-baseline/baseline': r(...BASELINE),
  'podsecurity-subrule-restricted/restricted': r(...BASELINE, ...RESTRICTED),
  'restrict-automount-sa-token/validate-automountServiceAccountToken': r('automount-service-account-token'),
  'restrict-sa-automount-sa-token/validate-sa-automountServiceAccountToken': none(SA_OBJECT),
  'check-serviceaccount-secrets/deny-secrets': none('no rule: ServiceAccount `secrets` references are not assessed'),
  'deny-secret-service-account-token-type/deny-secret-service-account-token-type': none('no rule: long-lived service-account token Secrets are not assessed yet'),
  'restrict-service-account/validate-service-account': param('depends on an allow-list of service accounts given as a policy parameter'),
  'check-sa/check-sa': param('depends on a policy parameter (the expected service account name)'),
  'require-network-policy/require-network-policy': future('network'),
  'restrict-networkpolicy-empty-podselector/empty-podselector': future('network'),
  'ensure-readonly-hostpath/ensure-hostpaths-readonly': rules(ANY_HOST_PATH),
  'limit-hostpath-vols/limit-hostpath-to-slash-data': param('allowed host path (/data) is a policy parameter kubeward does not take'),
  'limit-hostpath-type-pv/limit-hostpath-type-pv-to-slash-data': param('hostPath PersistentVolumes with an allowed-path parameter are not assessed'),
  'docker-socket-check/conditional-anchor-dockersock': param('verdict depends on an opt-out label (allow-docker: "true") that kubeward does not honour'),
  'drop-all-capabilities/require-drop-all': rules(DROP_ALL),
  'drop-cap-net-raw/require-drop-cap-net-raw': rules(...NET_RAW),
  'disallow-container-sock-mounts/validate-docker-sock-mount': rules(DOCKER_SOCK),
  'disallow-container-sock-mounts/validate-containerd-sock-mount': rules(socket(/containerd\.sock$/, 'containerd socket only')),
  'disallow-container-sock-mounts/validate-crio-sock-mount': rules(socket(/crio\.sock$/, 'CRI-O socket only')),
  'require-ro-rootfs/validate-readOnlyRootFilesystem': r('read-only-root-filesystem'),
  'restrict-binding-clusteradmin/clusteradmin-bindings': future('least-privilege'),
  'restrict-binding-system-groups/restrict-anonymous': future('least-privilege'),
  'restrict-binding-system-groups/restrict-masters': future('least-privilege'),
  'restrict-binding-system-groups/restrict-unauthenticated': future('least-privilege'),
  'restrict-clusterrole-csr/certificatesigningrequests-update-prevention': future('least-privilege'),
  'restrict-clusterrole-csr/signers-approve-prevention': future('least-privilege'),
  'restrict-clusterrole-mutating-validating-admission-webhooks/restrict-clusterrole': future('least-privilege'),
  'restrict-clusterrole-nodesproxy/clusterrole-nodesproxy': future('least-privilege'),
  'restrict-escalation-verbs-roles/escalate': future('least-privilege'),
  'restrict-secret-role-verbs/secret-verbs': future('least-privilege'),
  'restrict-wildcard-resources/wildcard-resources': future('least-privilege'),
  'restrict-wildcard-verbs/wildcard-verbs': future('least-privilege'),
};

// ---------------------------------------------------------------------------------------------
export const REGOLIBRARY: Record<string, MapEntry> = {
  'alert-any-hostpath': r('host-path-volume'),
  'alert-mount-potential-credentials-paths': r('sensitive-host-path'),
  'alert-rw-hostpath': rules(ANY_HOST_PATH),
  'container-hostPort': r('host-port'),
  'containers-mounting-docker-socket': rules(ANY_RUNTIME_SOCK),
  'drop-capability-netraw': rules(...NET_RAW),
  'host-ipc-privileges': r('host-ipc'),
  'host-network-access': r('host-network'),
  'host-pid-ipc-privileges': r('host-pid', 'host-ipc'),
  'host-pid-privileges': r('host-pid'),
  'immutable-container-filesystem': r('read-only-root-filesystem'),
  'insecure-capabilities': r('added-capabilities'),
  'linux-hardening': none('no rule: "any one of AppArmor, seccomp, SELinux or dropped capabilities" has no single kubeward equivalent'),
  'non-root-containers': r('run-as-non-root'),
  'rule-allow-privilege-escalation': r('allow-privilege-escalation'),
  'rule-privileged-container': rules({ rule: 'privileged-container' }, addedCaps(['SYS_ADMIN'], 'SYS_ADMIN only: kubescape counts it as privileged')),
  'set-hostprocess-true': r('host-process'),
  'set-procmount-default': r('proc-mount'),
  'set-seccomp-profile': r('seccomp-profile-missing'),
  'set-seccomp-profile-RuntimeDefault': r('seccomp-profile-missing', 'seccomp-unconfined'),
  'set-sysctls-params': r('unsafe-sysctls'),
  'automount-service-account': r('automount-service-account-token'),
  'automount-default-service-account': rules(DEFAULT_SA),
  'serviceaccount-token-mount': future('least-privilege', 'token mounted AND the service account has RBAC bindings'),
  'access-container-service-account-v1': future('least-privilege'),
  'ensure-default-service-accounts-has-only-default-roles': future('least-privilege'),
};

/** regolibrary rules not listed above, by the corpus category. */
export const REGOLIBRARY_BY_CATEGORY: Record<string, MapEntry> = {
  rbac: future('least-privilege'),
  'network-policy': future('network'),
  'audit-logs': future('audit-logging'),
  cloud: future('cloud'),
  'metadata-api-workload-identity': future('metadata-api'),
};

// ---------------------------------------------------------------------------------------------
// Keyed by gatekeeper suite test: the constraint parameters define the check.
export const GATEKEEPER: Record<string, MapEntry> = {
  'allow-privilege-escalation': r('allow-privilege-escalation'),
  apparmor: r('apparmor-profile'),
  // The constraint allows NET_RAW on top of the PSS baseline set.
  'capabilities-baseline': rules({ rule: 'added-capabilities', where: (f) => capabilityOf(f) !== 'NET_RAW', param: 'NET_RAW allowed by the constraint' }),
  'capabilities-restricted': r('added-capabilities', 'drop-all-capabilities'),
  'flexvolume-drivers': param('allowed flexVolume drivers are a constraint parameter kubeward does not take'),
  'forbidden-sysctls': r('unsafe-sysctls'),
  'forbidden-sysctls-wildcard': param('forbidden / allowed sysctl patterns are constraint parameters kubeward does not take'),
  'forbidden-sysctls3': param('forbidden / allowed sysctl patterns are constraint parameters kubeward does not take'),
  'forbidden-sysctls4-empty-allowedSysctls': param('forbidden / allowed sysctl patterns are constraint parameters kubeward does not take'),
  'forbidden-sysctls5-unspecified-allowedSysctls': param('forbidden / allowed sysctl patterns are constraint parameters kubeward does not take'),
  fsgroup: param('no rule: fsGroup ranges are a constraint parameter (PSP MustRunAs/MayRunAs)'),
  'fsgroup-no-rules': param('no rule: fsGroup ranges are a constraint parameter (PSP MustRunAs/MayRunAs)'),
  'fsgroup-empty-ranges': param('no rule: fsGroup ranges are a constraint parameter (PSP MustRunAs/MayRunAs)'),
  'host-filesystem': param('allowed host paths (/foo, read-only) are a constraint parameter kubeward does not take'),
  'no-host-paths': r('host-path-volume'),
  'host-namespace': r('host-pid', 'host-ipc'),
  'port-range-with-host-network-allowed': param('allowed host-port range and hostNetwork are constraint parameters kubeward does not take'),
  'host-network-forbidden': r('host-network'),
  'port-range-with-host-network-forbidden': param('allowed host-port range is a constraint parameter kubeward does not take'),
  'host-probes-lifecycle-disallowed': r('host-probes'),
  'host-process-disallowed': r('host-process'),
  'privileged-containers-disallowed': r('privileged-container'),
  'default-proc-mount-required': r('proc-mount'),
  'require-read-only-root-filesystem': r('read-only-root-filesystem'),
  'full-wildcard': param('every image is exempted by the constraint parameter exemptImages: "*"'),
  'wildcard-prefix': r('read-only-root-filesystem'),
  'default-seccomp-required': param('legacy seccomp annotations with an allow-list parameter (localhost/profile.json) kubeward does not take'),
  'seccomp-baseline': r('seccomp-unconfined'),
  'seccomp-restricted': r('seccomp-profile-missing', 'seccomp-unconfined'),
  'require-matching-selinux-options': r('selinux-options'),
  'users-and-groups-together': r('run-as-non-root'),
  'host-path-disallowed': r('restricted-volume-types', 'host-path-volume'),
};

// ---------------------------------------------------------------------------------------------
export const CHECKOV: Record<string, MapEntry> = {
  CKV_K8S_1: none(PSP),
  CKV_K8S_2: none(PSP),
  CKV_K8S_3: none(PSP),
  CKV_K8S_4: none(PSP),
  CKV_K8S_5: none(PSP),
  CKV_K8S_7: none(PSP),
  CKV_K8S_24: none(PSP),
  CKV_K8S_36: none(PSP),
  CKV_K8S_16: r('privileged-container'),
  CKV_K8S_17: r('host-pid'),
  CKV_K8S_18: r('host-ipc'),
  CKV_K8S_19: r('host-network'),
  CKV_K8S_20: r('allow-privilege-escalation'),
  CKV_K8S_25: rules(...ADD_RESTRICTED),
  CKV_K8S_39: rules(addedCaps(['SYS_ADMIN'], 'SYS_ADMIN only')),
  CKV_K8S_26: r('host-port'),
  CKV_K8S_27: rules(DOCKER_SOCK),
  CKV_K8S_28: rules(...NET_RAW),
  CKV_K8S_37: rules(DROP_ALL),
  CKV_K8S_38: r('automount-service-account-token'),
  CKV_K8S_41: rules(DEFAULT_SA),
  CKV_K8S_42: future('least-privilege', 'bindings that grant roles to the default service account'),
  CKV_K8S_49: future('least-privilege'),
  CKV_K8S_155: future('least-privilege'),
  CKV_K8S_156: future('least-privilege'),
  CKV_K8S_157: future('least-privilege'),
  CKV_K8S_158: future('least-privilege'),
  CKV2_K8S_1: future('least-privilege'),
  CKV2_K8S_2: future('least-privilege'),
  CKV2_K8S_3: future('least-privilege'),
  CKV2_K8S_4: future('least-privilege'),
  CKV2_K8S_5: future('least-privilege'),
  CKV2_K8S_6: future('network'),
};

export const MAPPING: Record<CorpusId, Record<string, MapEntry>> = {
  polaris: POLARIS,
  'kube-linter': KUBE_LINTER,
  'kyverno-pss': KYVERNO,
  regolibrary: REGOLIBRARY,
  gatekeeper: GATEKEEPER,
  'checkov-k8s': CHECKOV,
};

/** The entry for a peer check, falling back to the corpus grouping (regolibrary categories). */
export function lookup(corpus: CorpusId, check: string, group?: string): MapEntry | undefined {
  const e = MAPPING[corpus][check];
  if (e) return e;
  if (corpus === 'regolibrary' && group) return REGOLIBRARY_BY_CATEGORY[group];
  return undefined;
}
