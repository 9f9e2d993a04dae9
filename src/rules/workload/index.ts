// Workload hardening rules. Keep one import and one entry per rule folder (the meta-test checks).
import type { Rule } from '../../core/rule.js';
import privilegedContainer from './privileged-container/rule.js';
import hostNetwork from './host-network/rule.js';
import hostProbes from './host-probes/rule.js';
import runAsNonRoot from './run-as-non-root/rule.js';
import hostPid from './host-pid/rule.js';
import hostIpc from './host-ipc/rule.js';
import hostPathVolume from './host-path-volume/rule.js';
import sensitiveHostPath from './sensitive-host-path/rule.js';
import hostPort from './host-port/rule.js';
import addedCapabilities from './added-capabilities/rule.js';
import hostProcess from './host-process/rule.js';
import apparmorProfile from './apparmor-profile/rule.js';
import selinuxOptions from './selinux-options/rule.js';
import procMount from './proc-mount/rule.js';
import seccompUnconfined from './seccomp-unconfined/rule.js';
import unsafeSysctls from './unsafe-sysctls/rule.js';
import restrictedVolumeTypes from './restricted-volume-types/rule.js';
import allowPrivilegeEscalation from './allow-privilege-escalation/rule.js';
import runAsRootUser from './run-as-root-user/rule.js';
import dropAllCapabilities from './drop-all-capabilities/rule.js';
import seccompProfileMissing from './seccomp-profile-missing/rule.js';
import automountServiceAccountToken from './automount-service-account-token/rule.js';
import defaultServiceAccount from './default-service-account/rule.js';
import readOnlyRootFilesystem from './read-only-root-filesystem/rule.js';
import missingResourceLimits from './missing-resource-limits/rule.js';
import imageTagLatest from './image-tag-latest/rule.js';
import imageNotPinnedByDigest from './image-not-pinned-by-digest/rule.js';
import secretInEnvLiteral from './secret-in-env-literal/rule.js';
import nodePortService from './node-port-service/rule.js';
import loadBalancerService from './load-balancer-service/rule.js';
import namespacePssLabels from './namespace-pss-labels/rule.js';

export const workloadRules = {
  'privileged-container': privilegedContainer,
  'host-network': hostNetwork,
  'host-probes': hostProbes,
  'run-as-non-root': runAsNonRoot,
  'host-pid': hostPid,
  'host-ipc': hostIpc,
  'host-path-volume': hostPathVolume,
  'sensitive-host-path': sensitiveHostPath,
  'host-port': hostPort,
  'added-capabilities': addedCapabilities,
  'host-process': hostProcess,
  'apparmor-profile': apparmorProfile,
  'selinux-options': selinuxOptions,
  'proc-mount': procMount,
  'seccomp-unconfined': seccompUnconfined,
  'unsafe-sysctls': unsafeSysctls,
  'restricted-volume-types': restrictedVolumeTypes,
  'allow-privilege-escalation': allowPrivilegeEscalation,
  'run-as-root-user': runAsRootUser,
  'drop-all-capabilities': dropAllCapabilities,
  'seccomp-profile-missing': seccompProfileMissing,
  'automount-service-account-token': automountServiceAccountToken,
  'default-service-account': defaultServiceAccount,
  'read-only-root-filesystem': readOnlyRootFilesystem,
  'missing-resource-limits': missingResourceLimits,
  'image-tag-latest': imageTagLatest,
  'image-not-pinned-by-digest': imageNotPinnedByDigest,
  'secret-in-env-literal': secretInEnvLiteral,
  'node-port-service': nodePortService,
  'load-balancer-service': loadBalancerService,
  'namespace-pss-labels': namespacePssLabels,
} satisfies Record<string, Rule>;
