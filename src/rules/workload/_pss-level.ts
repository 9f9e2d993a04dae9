// Pod Security Standards level of a pod spec, as Pod Security admission ("latest" policy version)
// would judge it. Pure and self-contained: it mirrors the checks of
// k8s.io/pod-security-admission/policy rather than calling the individual rules, so that rules
// (e.g. namespace-pss-labels) can ask "which level does this pod already meet?".
import type { PodTemplateView } from '../../model/cluster-state.js';

export type PssLevel = 'privileged' | 'baseline' | 'restricted';

/** Ordered from least to most strict. */
export const PSS_LEVELS: readonly PssLevel[] = ['privileged', 'baseline', 'restricted'];

export function pssRank(level: PssLevel): number {
  return PSS_LEVELS.indexOf(level);
}

export interface PssViolation {
  /** Pod Security admission check id, e.g. "hostNamespaces", "capabilities_restricted". */
  check: string;
  /** The level the check belongs to: violating it keeps the pod below that level. */
  level: 'baseline' | 'restricted';
  /** Who violates it: "pod" or a container name. Never a secret value. */
  where: string;
}

export interface PssEvaluation {
  /** The strictest level the pod meets. */
  level: PssLevel;
  violations: PssViolation[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Readonly<Record<string, any>>;

/** Capabilities baseline allows adding (the container runtime's default set). */
export const BASELINE_CAPABILITIES: ReadonlySet<string> = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

/** Inline volume sources the restricted level allows (`image` since policy v1.33). */
export const RESTRICTED_VOLUME_SOURCES: ReadonlySet<string> = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

/** "Safe" sysctls baseline allows (policy v1.32 list). */
const SAFE_SYSCTLS: ReadonlySet<string> = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
]);

const SELINUX_TYPES: ReadonlySet<string> = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function list(v: unknown): Obj[] {
  return Array.isArray(v) ? v.filter(isObj) : [];
}

/** Every container PSA visits: init, regular and ephemeral. */
function allContainers(spec: Obj): Obj[] {
  return [...list(spec.initContainers), ...list(spec.containers), ...list(spec.ephemeralContainers)];
}

function nameOf(c: Obj, i: number): string {
  return typeof c.name === 'string' ? c.name : `#${i}`;
}

/** Linux-only restricted controls do not apply to pods that declare `spec.os.name: windows`. */
export function isWindowsSpec(spec: Obj): boolean {
  return isObj(spec.os) && spec.os.name === 'windows';
}

/** User-namespaced pods (`hostUsers: false`) are exempt from runAsNonRoot, runAsUser and baseline procMount. */
export function usesUserNamespace(spec: Obj): boolean {
  return spec.hostUsers === false;
}

export function isValidRestrictedSeccomp(type: unknown): boolean {
  return type === 'RuntimeDefault' || type === 'Localhost';
}

const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

/** The seccompProfile.type the API server derives from a legacy seccomp annotation value. */
function seccompTypeOfAnnotation(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value === 'runtime/default' || value === 'docker/default') return 'RuntimeDefault';
  if (value === 'unconfined') return 'Unconfined';
  if (value.startsWith('localhost/')) return 'Localhost';
  return undefined;
}

/**
 * Effective seccompProfile.type of the pod (container undefined) or of a container: the field, else
 * the legacy annotation, which the API server copies into the empty field when the pod is created.
 */
export function seccompType(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  sc: Readonly<Record<string, any>> | undefined,
  annotations: Readonly<Record<string, string>>,
  containerName?: string,
): string | undefined {
  if (isObj(sc) && isObj(sc.seccompProfile)) return typeof sc.seccompProfile.type === 'string' ? sc.seccompProfile.type : undefined;
  const key = containerName === undefined ? SECCOMP_POD_ANNOTATION : SECCOMP_CONTAINER_ANNOTATION_PREFIX + containerName;
  return seccompTypeOfAnnotation(annotations[key]);
}

/** Evaluates a pod spec (with its pod annotations) against every baseline and restricted check. */
export function evaluatePodSpec(spec: Obj, annotations: Readonly<Record<string, string>> = {}): PssEvaluation {
  const v: PssViolation[] = [];
  const add = (check: string, level: 'baseline' | 'restricted', where: string): void => {
    v.push({ check, level, where });
  };
  const podSc: Obj = isObj(spec.securityContext) ? spec.securityContext : {};
  const containers = allContainers(spec);
  const windows = isWindowsSpec(spec);
  const userns = usesUserNamespace(spec);

  // ---- baseline ----
  if (isObj(podSc.windowsOptions) && podSc.windowsOptions.hostProcess === true) add('windowsHostProcess', 'baseline', 'pod');
  for (const f of ['hostNetwork', 'hostPID', 'hostIPC']) if (spec[f] === true) add('hostNamespaces', 'baseline', 'pod');
  for (const vol of list(spec.volumes)) if (vol.hostPath != null) add('hostPathVolumes', 'baseline', 'pod');
  for (const [k, val] of Object.entries(annotations)) {
    if (k.startsWith(APPARMOR_ANNOTATION_PREFIX) && val !== '' && val !== 'runtime/default' && !String(val).startsWith('localhost/')) {
      add('appArmorProfile', 'baseline', k.slice(APPARMOR_ANNOTATION_PREFIX.length));
    }
  }
  if (isObj(podSc.appArmorProfile) && podSc.appArmorProfile.type === 'Unconfined') add('appArmorProfile', 'baseline', 'pod');
  if (isObj(podSc.seLinuxOptions) && !seLinuxOk(podSc.seLinuxOptions)) add('seLinuxOptions', 'baseline', 'pod');
  const podSeccomp = seccompType(podSc, annotations);
  if (podSeccomp === 'Unconfined') add('seccompProfile_baseline', 'baseline', 'pod');
  for (const s of list(podSc.sysctls)) if (!SAFE_SYSCTLS.has(String(s.name))) add('sysctls', 'baseline', 'pod');

  containers.forEach((c, i) => {
    const name = nameOf(c, i);
    const sc: Obj = isObj(c.securityContext) ? c.securityContext : {};
    const caps: Obj = isObj(sc.capabilities) ? sc.capabilities : {};
    const added: unknown[] = Array.isArray(caps.add) ? caps.add : [];
    if (sc.privileged === true) add('privileged', 'baseline', name);
    if (isObj(sc.windowsOptions) && sc.windowsOptions.hostProcess === true) add('windowsHostProcess', 'baseline', name);
    if (added.some((cap) => !BASELINE_CAPABILITIES.has(String(cap)))) add('capabilities_baseline', 'baseline', name);
    if (list(c.ports).some((p) => typeof p.hostPort === 'number' && p.hostPort !== 0)) add('hostPorts', 'baseline', name);
    if (isObj(sc.appArmorProfile) && sc.appArmorProfile.type === 'Unconfined') add('appArmorProfile', 'baseline', name);
    if (isObj(sc.seLinuxOptions) && !seLinuxOk(sc.seLinuxOptions)) add('seLinuxOptions', 'baseline', name);
    const procMount = sc.procMount;
    if (procMount != null && procMount !== 'Default' && !userns) add('procMount', 'baseline', name);
    const containerSeccomp = seccompType(sc, annotations, name);
    if (containerSeccomp === 'Unconfined') add('seccompProfile_baseline', 'baseline', name);
    if (probeOrLifecycleHost(c)) add('hostProbesAndHostLifecycle', 'baseline', name);

    // ---- restricted, per container ----
    if (procMount != null && procMount !== 'Default') add('procMount_restricted', 'restricted', name);
    if (!windows) {
      if (sc.allowPrivilegeEscalation !== false) add('allowPrivilegeEscalation', 'restricted', name);
      const drop: unknown[] = Array.isArray(caps.drop) ? caps.drop : [];
      if (!drop.includes('ALL') || added.some((cap) => cap !== 'NET_BIND_SERVICE')) add('capabilities_restricted', 'restricted', name);
    }
    if (!userns) {
      if (sc.runAsUser === 0) add('runAsUser', 'restricted', name);
      const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
      if (nonRoot !== true) add('runAsNonRoot', 'restricted', name);
    }
    if (!windows) {
      // A container's own (explicit) profile decides; else the pod-level one must be valid.
      const explicit = containerSeccomp !== undefined || isObj(sc.seccompProfile);
      if (explicit ? !isValidRestrictedSeccomp(containerSeccomp) : !isValidRestrictedSeccomp(podSeccomp)) {
        add('seccompProfile_restricted', 'restricted', name);
      }
    }
  });

  // ---- restricted, pod level ----
  for (const vol of list(spec.volumes)) {
    const sources = Object.keys(vol).filter((k) => k !== 'name' && vol[k] != null);
    // A volume without a source is defaulted to emptyDir by the API server.
    if (sources.length > 0 && !sources.some((s) => RESTRICTED_VOLUME_SOURCES.has(s))) add('restrictedVolumes', 'restricted', 'pod');
  }
  if (!userns && podSc.runAsUser === 0) add('runAsUser', 'restricted', 'pod');
  if (!userns && podSc.runAsNonRoot === false) add('runAsNonRoot', 'restricted', 'pod');
  if (!windows && podSeccomp !== undefined && !isValidRestrictedSeccomp(podSeccomp)) {
    add('seccompProfile_restricted', 'restricted', 'pod');
  }

  const level: PssLevel = v.some((x) => x.level === 'baseline') ? 'privileged' : v.length > 0 ? 'baseline' : 'restricted';
  return { level, violations: v };
}

/** The strictest Pod Security level a pod template meets. */
export function evaluatePodTemplate(pod: PodTemplateView): PssEvaluation {
  return evaluatePodSpec(pod.spec, pod.annotations);
}

function seLinuxOk(o: Obj): boolean {
  const type = o.type ?? '';
  return SELINUX_TYPES.has(String(type)) && !o.user && !o.role;
}

function probeOrLifecycleHost(c: Obj): boolean {
  const hasHost = (h: unknown): boolean =>
    isObj(h) && ((isObj(h.httpGet) && !!h.httpGet.host) || (isObj(h.tcpSocket) && !!h.tcpSocket.host));
  if (hasHost(c.livenessProbe) || hasHost(c.readinessProbe) || hasHost(c.startupProbe)) return true;
  return isObj(c.lifecycle) && (hasHost(c.lifecycle.postStart) || hasHost(c.lifecycle.preStop));
}
