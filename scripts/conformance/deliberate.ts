// Known, deliberate disagreements with a peer: case id -> why kubeward's verdict differs on purpose.
// Anything that disagrees and is not listed here fails `node dist/scripts/conformance.js --check`.
// Keep reasons short and factual; they are printed in docs/conformance.md, grouped by reason.

const DROP_ALL_EXACT =
  'Pod Security admission (restricted) recognises only the exact value "ALL" in capabilities.drop; the peer accepts any letter case ("All", "all"). Runtimes do drop everything for "all", but restricted admission rejects the pod, so kubeward reports it (drop-all-capabilities, message dropAllCase).';

const DROP_ALL_NOT_A_LIST =
  'PSS restricted requires capabilities.drop to contain ALL; Polaris also accepts dropping its own list of "insecure" capabilities, which leaves every other default capability (and any the runtime adds to its defaults later).';

const INVALID_API_VERSION =
  '`apiVersion: v1` with `kind: Deployment` is not a valid object (the API server rejects it); kubeward identifies workloads by API group and kind, so it does not read it as a Deployment. Polaris matches on the kind alone.';

const AWS_PATH_SUFFIX =
  'kubescape matches its credential paths by suffix, so a hostPath inside /.aws/config/ passes; kubeward treats everything inside a .aws directory as AWS credential material.';

const PROC_MOUNT_UNSET =
  'kubescape (with the ProcMountType feature gate on) requires every container to set procMount: Default explicitly; an unset procMount is Default in Kubernetes and allowed by PSS baseline.';

const LOCALHOST_SECCOMP =
  'kubescape requires the RuntimeDefault seccomp profile; PSS restricted also allows Localhost profiles, and kubeward follows PSS.';

const APPARMOR_POD_LEVEL =
  'PSS baseline checks spec.securityContext.appArmorProfile itself: a pod-level Unconfined profile is rejected by Pod Security admission even when every current container overrides it (an ephemeral container added later inherits it). Gatekeeper judges only the per-container effective profile.';

const CRONJOB_V1_NO_SPEC =
  '`CronJob-pass.yaml` is `apiVersion: v1, kind: CronJob` with `jobTemplate.spec: null`: not a valid object and without a pod spec, so kubeward has nothing to judge; checkov counts it as passed by kind (passed 3 instead of 4).';

const NET_RAW_ONLY =
  'The peer only requires NET_RAW to be dropped; kubeward follows PSS restricted and requires drop ALL (drop-all-capabilities), so a container that drops just NET_RAW is still reported.';

const CKV_K8S_28 =
  'Two files pass checkov but not kubeward: one drops only NET_RAW (kubeward requires drop ALL, as PSS restricted does) and one drops "all" in lower case (Pod Security admission only recognises "ALL"); hence passed 1 / failed 4 instead of 3 / 2.';

export const DELIBERATE: Readonly<Record<string, string>> = Object.freeze({
  'polaris:insecureCapabilities/success.all.yaml': DROP_ALL_EXACT,
  'polaris:insecureCapabilities/success.case.yaml': DROP_ALL_NOT_A_LIST,
  'polaris:insecureCapabilities/success.pod.yaml': DROP_ALL_NOT_A_LIST,
  'polaris:insecureCapabilities/success.yaml': DROP_ALL_NOT_A_LIST,
  'polaris:runAsRootAllowed/failure.yaml': INVALID_API_VERSION,
  'regolibrary:alert-mount-potential-credentials-paths/pod_eks_passed:Pod/test-pd': AWS_PATH_SUFFIX,
  'regolibrary:set-procmount-default/workload:Deployment/my-deployment': PROC_MOUNT_UNSET,
  'regolibrary:set-seccomp-profile-RuntimeDefault/pod:Pod/audit-pod': LOCALHOST_SECCOMP,
  'regolibrary:set-seccomp-profile-RuntimeDefault/workloads:Deployment/my-deployment': LOCALHOST_SECCOMP,
  'gatekeeper:apparmor/apparmor/example-allowed-override': APPARMOR_POD_LEVEL,
  'kyverno-pss:best-practices/require-drop-cap-net-raw:require-drop-cap-net-raw:Pod:drop-good': NET_RAW_ONLY,
  'checkov-k8s:CKV_K8S_27': CRONJOB_V1_NO_SPEC,
  'checkov-k8s:CKV_K8S_28': CKV_K8S_28,
  'checkov-k8s:CKV_K8S_37': DROP_ALL_EXACT,
});
