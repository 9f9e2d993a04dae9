// Node paths whose exposure through a hostPath volume hands over the node, its credentials or other
// pods' data. Paths are normalised (see normaliseHostPath); "*" matches exactly one path segment.
import type { Severity } from '../../../core/types.js';

export interface SensitivePath {
  readonly path: string;
  readonly severity: Severity;
  /** What is there, for the message. */
  readonly what: string;
  /** A UNIX socket or Windows named pipe: read-only mounts do not stop anyone connecting to it. */
  readonly socket?: boolean;
  /** Only dangerous when writable (system binaries: readable copies are public anyway). */
  readonly writableOnly?: boolean;
  /** A file system root: only the root itself is reported under it, not every path inside it. */
  readonly root?: boolean;
}

const RUNTIME = 'full control of the container runtime: start a privileged container, read any container';

const entries: SensitivePath[] = [
  { path: '/', severity: 'critical', root: true, what: "the node's whole root file system" },
  // Container runtime sockets (and their usual /run and /var/run spellings).
  ...['/var/run/docker.sock', '/run/docker.sock'].map((path) => sock(path, `the Docker API socket, ${RUNTIME}`)),
  ...['/var/run/containerd/containerd.sock', '/run/containerd/containerd.sock', '/run/k3s/containerd/containerd.sock'].map((path) =>
    sock(path, `the containerd socket, ${RUNTIME}`),
  ),
  ...['/var/run/crio/crio.sock', '/run/crio/crio.sock'].map((path) => sock(path, `the CRI-O socket, ${RUNTIME}`)),
  ...['/var/run/cri-dockerd.sock', '/run/cri-dockerd.sock', '/var/run/dockershim.sock'].map((path) =>
    sock(path, `the dockershim/cri-dockerd CRI socket, ${RUNTIME}`),
  ),
  ...['/var/run/podman/podman.sock', '/run/podman/podman.sock'].map((path) => sock(path, `the Podman API socket, ${RUNTIME}`)),
  ...['//./pipe/docker_engine'].map((path) => sock(path, `the Docker API named pipe, ${RUNTIME}`)),
  ...['//./pipe/containerd-containerd'].map((path) => sock(path, `the containerd named pipe, ${RUNTIME}`)),
  { path: 'c:', severity: 'critical', root: true, what: "the Windows node's whole system drive" },
  // Node configuration and credentials.
  high('/etc', 'node configuration (kubelet config and kubeconfig, /etc/shadow, CNI config, cron)'),
  high('/etc/kubernetes', 'Kubernetes node credentials and config (kubelet kubeconfig, PKI, azure.json cloud credentials on AKS)'),
  ...['/etc/ssl', '/etc/pki', '/etc/ca-certificates'].map((p) => high(p, "the node's trusted CA certificates (a writable copy makes the node trust the pod's certificates)")),
  high('/etc/eks', 'EKS node bootstrap configuration'),
  high('/root', "root's home directory (SSH keys, cloud CLI credentials, kubeconfigs)"),
  high('/home', 'user home directories (SSH keys, cloud CLI credentials; kubelet credentials on GKE)'),
  high('/home/kubernetes', 'GKE node kubelet credentials and bootstrap config'),
  // Credential directories of any user, wherever the home directory is (service users often live in /var/lib).
  high('**/.aws', 'AWS CLI credentials'),
  high('**/.config/gcloud', 'Google Cloud CLI credentials'),
  high('**/.azure', 'Azure CLI credentials'),
  high('**/.kube', 'kubeconfig files'),
  high('**/.ssh', 'SSH keys and authorized_keys'),
  high('**/.docker', 'Docker client config (registry credentials)'),
  high('/var/lib/waagent', 'Azure VM agent state (provisioning data and certificates)'),
  // Kubelet and runtime state.
  high('/var/lib/kubelet', "kubelet state: every pod's Secrets and service account tokens, the kubelet client certificate"),
  high('/var/lib/docker', 'Docker storage: the file systems of every container on the node'),
  high('/var/lib/containerd', 'containerd storage: the file systems of every container on the node'),
  high('/var/lib/containers', 'CRI-O/Podman storage: the file systems of every container on the node'),
  high('/var/lib/etcd', 'etcd data: every object of the cluster, Secrets included'),
  high('/var/lib/rancher', 'k3s/RKE2 state (server token, certificates)'),
  high('/var/log', "node and pod logs (other pods' data; writable log directories enable the kubelet symlink escape)"),
  ...['/run/dbus/system_bus_socket', '/var/run/dbus/system_bus_socket'].map(
    (path): SensitivePath => ({ path, severity: 'high', socket: true, what: 'the D-Bus system bus (drives systemd as root)' }),
  ),
  // Kernel interfaces.
  high('/proc', "the node's /proc (host processes' environments, kernel tunables)"),
  high('/sys', "the node's /sys (kernel and cgroup controls)"),
  high('/dev', "the node's devices (disks, memory, TTYs)"),
  high('/boot', 'the kernel and boot loader'),
  // Code the node runs as root: dangerous when writable.
  ...['/usr', '/bin', '/sbin', '/lib', '/lib64', '/opt/cni/bin'].map(
    (path): SensitivePath => ({ path, severity: 'high', writableOnly: true, what: 'binaries or libraries the node executes as root' }),
  ),
  // Windows nodes.
  high('c:/windows', 'the Windows system directory'),
  high('c:/k', 'AKS/EKS Windows node Kubernetes files (kubelet config and credentials)'),
  high('c:/var/lib/kubelet', "kubelet state: every pod's Secrets and service account tokens"),
  high('c:/programdata/docker', 'Docker configuration and storage'),
  high('c:/users', 'user profiles (cloud CLI credentials, SSH keys)'),
];

function sock(path: string, what: string): SensitivePath {
  return { path, severity: 'critical', socket: true, what };
}

function high(path: string, what: string): SensitivePath {
  return { path, severity: 'high', what };
}

export const SENSITIVE_PATHS: readonly SensitivePath[] = Object.freeze(entries);

/**
 * Path segments of a hostPath as the node sees it: "." and empty segments dropped, ".." resolved,
 * Windows paths lower-cased with "/" separators (drive "c:" is the first segment, named pipes start
 * with "//./pipe"). Returns undefined for a relative path.
 */
export function normaliseHostPath(raw: string): string[] | undefined {
  let p = raw.trim();
  let prefix: string[] = [];
  if (/^[\\/]{2}[.?][\\/]pipe[\\/]/i.test(p)) {
    prefix = ['//./pipe'];
    p = p.slice(9);
  } else if (/^[a-zA-Z]:([\\/]|$)/.test(p)) {
    prefix = [p.slice(0, 2).toLowerCase()];
    p = p.slice(2);
  } else if (!p.startsWith('/')) {
    return undefined;
  }
  const windows = prefix.length > 0;
  if (windows) p = p.replace(/\\/g, '/').toLowerCase();
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return [...prefix, ...out];
}

export function segmentsOf(entryPath: string): string[] {
  if (entryPath.startsWith('**/')) return ['**', ...(normaliseHostPath(entryPath.slice(2)) ?? [])];
  return normaliseHostPath(entryPath) ?? [];
}

export function display(segs: readonly string[]): string {
  if (segs.length === 0) return '/';
  if (segs[0] === '//./pipe') return `\\\\.\\pipe\\${segs.slice(1).join('\\')}`;
  if (/^[a-z]:$/.test(segs[0])) return `${segs[0].toUpperCase()}\\${segs.slice(1).join('\\')}`;
  return `/${segs.join('/')}`;
}

/**
 * Paths inside sensitive directories that are harmless to read (time zone, public CA bundles, machine
 * identity); they are not reported when every mount of them is read-only. Writable, they still are:
 * a writable CA bundle lets a pod make the node trust its certificates.
 */
export const BENIGN_WHEN_READ_ONLY: readonly string[] = Object.freeze([
  '/etc/localtime',
  '/etc/timezone',
  '/usr/share/zoneinfo',
  '/etc/ssl/certs',
  '/etc/pki/tls/certs',
  '/etc/pki/ca-trust/extracted',
  '/etc/ca-certificates',
  '/usr/share/ca-certificates',
  '/etc/machine-id',
  '/etc/os-release',
  '/usr/lib/os-release',
  '/etc/hostname',
]);
