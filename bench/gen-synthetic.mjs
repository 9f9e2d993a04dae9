#!/usr/bin/env node
// Deterministic generator of a synthetic Kubernetes cluster dump for scale benchmarks.
//
//   node bench/gen-synthetic.mjs --pods 50000 --namespaces 2000 -o bench/.data/c.json
//   node bench/gen-synthetic.mjs --objects 200000 -o bench/.data/c200k.json
//   node bench/gen-synthetic.mjs --pods 500 --namespaces 10 --yaml -o c.yaml
//
// Output (default): ONE JSON file in kubeward's snapshot format
//   { "apiVersion": "kubeward.io/v1", "kind": "ClusterSnapshot",
//     "metadata": { "generatedBy": "bench/gen-synthetic.mjs", "createdAt": ..., ... },
//     "items": [ ...Kubernetes objects... ] }
// With --yaml: plain multi-document YAML (one object per document).
//
// The cluster looks like a `kubectl get -o json` dump: Nodes, Namespaces (some with Pod Security
// Admission labels), ServiceAccounts, ConfigMaps, Secrets, Services, NetworkPolicies, Roles /
// RoleBindings, ClusterRoles / ClusterRoleBindings, Deployments -> ReplicaSets -> Pods,
// StatefulSets -> Pods, DaemonSets -> Pods, CronJobs -> Jobs -> Pods, Jobs -> Pods and a few naked
// Pods, all with ownerReferences, uids, status blocks and a realistic mix of security settings
// (privileged, host namespaces, hostPath, missing limits, :latest tags, capabilities, ...).
//
// Same arguments + same --seed => byte-identical output (createdAt is fixed unless --created-at
// or SOURCE_DATE_EPOCH says otherwise). Objects are written as they are generated, so memory
// stays small even for millions of objects.
import { openSync, writeSync, closeSync } from 'node:fs';
import { stringify as yamlStringify } from 'yaml';

// ------------------------------------------------------------------ arguments
function usage(msg) {
  if (msg) process.stderr.write(`gen-synthetic: ${msg}\n`);
  process.stderr.write(
    'usage: node bench/gen-synthetic.mjs (--pods N | --objects N) [--namespaces M] [--seed S]\n' +
      '                                 [--yaml] [--created-at ISO] [-o FILE]\n',
  );
  process.exit(msg ? 2 : 0);
}
const opts = { pods: undefined, objects: undefined, namespaces: undefined, seed: 42, yaml: false, out: '-', createdAt: undefined, quiet: false };
{
  const a = process.argv.slice(2);
  const num = (i) => {
    const v = Number(a[i + 1]);
    if (!Number.isFinite(v) || v < 0) usage(`${a[i]} needs a non-negative number`);
    return Math.floor(v);
  };
  for (let i = 0; i < a.length; i++) {
    switch (a[i]) {
      case '--pods': opts.pods = num(i); i++; break;
      case '--objects': opts.objects = num(i); i++; break;
      case '--namespaces': opts.namespaces = Math.max(1, num(i)); i++; break;
      case '--seed': opts.seed = num(i); i++; break;
      case '--yaml': opts.yaml = true; break;
      case '--created-at': opts.createdAt = a[++i]; break;
      case '-o': case '--output': opts.out = a[++i]; break;
      case '-q': case '--quiet': opts.quiet = true; break;
      case '-h': case '--help': usage(); break;
      default: usage(`unknown argument ${a[i]}`);
    }
  }
  if (opts.pods === undefined && opts.objects === undefined) usage('give --pods N or --objects N');
  if (opts.pods !== undefined && opts.objects !== undefined) usage('give only one of --pods and --objects');
}
const BASE_TIME = Date.parse(
  opts.createdAt ??
    (process.env.SOURCE_DATE_EPOCH ? new Date(Number(process.env.SOURCE_DATE_EPOCH) * 1000).toISOString() : '2026-11-01T12:00:00Z'),
);
if (!Number.isFinite(BASE_TIME)) usage('bad --created-at');
const defaultNamespaces = (pods) => Math.max(1, Math.round(pods / 25)); // 50k pods -> 2,000 namespaces

// ------------------------------------------------------------------ seeded randomness
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ------------------------------------------------------------------ the cluster
/**
 * Generates the whole cluster, calling emit(obj) for every object in a stable order.
 * Returns { pods, objects, namespaces, kinds }.
 */
function generate({ pods: podBudget, namespaces: nsCount, seed }, emit) {
  const rnd = mulberry32(seed * 2654435761 + 7);
  const chance = (p) => rnd() < p;
  const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = (arr) => arr[Math.floor(rnd() * arr.length)];
  const weighted = (pairs) => {
    let r = rnd() * pairs.reduce((s, [w]) => s + w, 0);
    for (const [w, v] of pairs) if ((r -= w) < 0) return v;
    return pairs[pairs.length - 1][1];
  };
  const hex = (n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(rnd() * 16)];
    return s;
  };
  const alnum = (n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += 'bcdfghjklmnpqrstvwxz2456789'[Math.floor(rnd() * 27)];
    return s;
  };
  const uid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;
  let rv = 1000;
  const resourceVersion = () => String((rv += int(1, 40)));
  const ts = (daysAgoMax, minMs = 0) => new Date(BASE_TIME - minMs - Math.floor(rnd() * daysAgoMax * 86400000)).toISOString().replace(/\.\d{3}Z$/, 'Z');

  const stats = { pods: 0, objects: 0, namespaces: 0, kinds: {} };
  const out = (obj) => {
    stats.objects++;
    stats.kinds[obj.kind] = (stats.kinds[obj.kind] ?? 0) + 1;
    if (obj.kind === 'Pod') stats.pods++;
    emit(obj);
  };
  const meta = (name, namespace, extra = {}) => {
    const m = { name };
    if (namespace) m.namespace = namespace;
    m.uid = uid();
    m.resourceVersion = resourceVersion();
    m.creationTimestamp = ts(400, 86400000);
    return Object.assign(m, extra);
  };
  const ownerRef = (owner, controller = true) => [
    { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller, blockOwnerDeletion: true },
  ];

  // ---------------- nodes
  const nodeCount = Math.max(3, Math.ceil(podBudget / 30));
  const zones = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
  const nodes = [];
  for (let i = 0; i < nodeCount; i++) {
    const ip = `10.${(i >> 14) & 255}.${(i >> 6) & 255}.${((i & 63) << 2) + 10}`;
    const name = `ip-${ip.replaceAll('.', '-')}.eu-west-1.compute.internal`;
    const zone = zones[i % 3];
    nodes.push({ name, ip });
    out({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: meta(name, undefined, {
        labels: {
          'kubernetes.io/arch': 'amd64',
          'kubernetes.io/os': 'linux',
          'kubernetes.io/hostname': name,
          'node.kubernetes.io/instance-type': pick(['m6i.xlarge', 'm6i.2xlarge', 'c6i.2xlarge']),
          'topology.kubernetes.io/region': 'eu-west-1',
          'topology.kubernetes.io/zone': zone,
          'eks.amazonaws.com/nodegroup': `ng-${i % 4}`,
        },
      }),
      spec: { providerID: `aws:///${zone}/i-0${hex(16)}` },
      status: {
        addresses: [
          { type: 'InternalIP', address: ip },
          { type: 'Hostname', address: name },
        ],
        allocatable: { cpu: '3920m', memory: '14902Mi', pods: '58' },
        capacity: { cpu: '4', memory: '15950Mi', pods: '58' },
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastTransitionTime: ts(30) }],
        nodeInfo: { kubeletVersion: 'v1.31.4-eks-aeac579', containerRuntimeVersion: 'containerd://1.7.25', osImage: 'Amazon Linux 2023', architecture: 'amd64', operatingSystem: 'linux' },
      },
    });
  }
  let nodeCursor = 0;
  const nextNode = () => nodes[nodeCursor++ % nodes.length];
  let podIp = 0;
  const nextPodIp = () => {
    podIp++;
    return `172.${16 + ((podIp >> 16) & 15)}.${(podIp >> 8) & 255}.${podIp & 255}`;
  };

  // ---------------- cluster-wide RBAC
  const clusterRoles = [
    ['cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }]],
    ['admin', [{ apiGroups: ['', 'apps', 'batch'], resources: ['pods', 'pods/exec', 'deployments', 'secrets', 'jobs', 'services'], verbs: ['*'] }]],
    ['edit', [{ apiGroups: ['', 'apps', 'batch'], resources: ['pods', 'deployments', 'configmaps', 'secrets', 'jobs'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] }]],
    ['view', [{ apiGroups: ['', 'apps', 'batch'], resources: ['pods', 'deployments', 'configmaps', 'services', 'jobs'], verbs: ['get', 'list', 'watch'] }]],
    ['system:node-proxier', [{ apiGroups: [''], resources: ['endpoints', 'services', 'nodes'], verbs: ['get', 'list', 'watch'] }]],
    ['aws-node', [{ apiGroups: [''], resources: ['pods', 'namespaces', 'nodes'], verbs: ['get', 'list', 'watch'] }, { apiGroups: ['crd.k8s.amazonaws.com'], resources: ['eniconfigs'], verbs: ['get', 'list', 'watch'] }]],
    ['fluent-bit-read', [{ apiGroups: [''], resources: ['namespaces', 'pods', 'pods/logs', 'nodes', 'nodes/proxy'], verbs: ['get', 'list', 'watch'] }]],
    ['ci-deployer', [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'create', 'update', 'patch', 'delete'] }]],
    ['secret-reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] }]],
    ['metrics-reader', [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }]],
    ['pod-escalator', [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles', 'clusterrolebindings'], verbs: ['bind', 'escalate', 'create'] }]],
    ['impersonator', [{ apiGroups: [''], resources: ['users', 'groups', 'serviceaccounts'], verbs: ['impersonate'] }]],
  ];
  for (const [name, rules] of clusterRoles) {
    const labels = name.startsWith('system:') || ['cluster-admin', 'admin', 'edit', 'view'].includes(name) ? { 'kubernetes.io/bootstrapping': 'rbac-defaults' } : { 'app.kubernetes.io/managed-by': 'Helm' };
    out({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(name, undefined, { labels }), rules });
  }
  const crb = (name, role, subjects) =>
    out({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: meta(name), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role }, subjects });
  crb('cluster-admin', 'cluster-admin', [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }]);
  crb('system:node-proxier', 'system:node-proxier', [{ kind: 'ServiceAccount', name: 'kube-proxy', namespace: 'kube-system' }]);
  crb('aws-node', 'aws-node', [{ kind: 'ServiceAccount', name: 'aws-node', namespace: 'kube-system' }]);
  crb('fluent-bit-read', 'fluent-bit-read', [{ kind: 'ServiceAccount', name: 'fluent-bit', namespace: 'kube-system' }]);

  // ---------------- namespaces
  const teams = ['payments', 'checkout', 'search', 'catalog', 'identity', 'ledger', 'notify', 'ml', 'data', 'web', 'mobile', 'ads', 'fraud', 'infra', 'growth', 'support'];
  const envs = ['dev', 'staging', 'prod', 'qa', 'sandbox'];
  const nsNames = ['kube-system', 'default'];
  for (let i = nsNames.length; i < nsCount; i++) nsNames.push(`${teams[i % teams.length]}-${envs[Math.floor(i / teams.length) % envs.length]}-${i}`);
  nsNames.length = nsCount; // nsCount may be 1
  const nsInfo = new Map();
  for (const ns of nsNames) {
    const labels = { 'kubernetes.io/metadata.name': ns };
    if (ns !== 'kube-system' && ns !== 'default') {
      labels.team = ns.split('-')[0];
      const pss = weighted([[55, null], [15, 'restricted'], [20, 'baseline'], [10, 'privileged']]);
      if (pss) {
        labels['pod-security.kubernetes.io/enforce'] = pss;
        if (chance(0.6)) labels['pod-security.kubernetes.io/enforce-version'] = pick(['latest', 'v1.30', 'v1.31']);
        if (chance(0.5)) labels['pod-security.kubernetes.io/warn'] = 'restricted';
        if (chance(0.3)) labels['pod-security.kubernetes.io/audit'] = 'restricted';
      } else if (chance(0.15)) {
        labels['pod-security.kubernetes.io/warn'] = 'baseline';
      }
    }
    out({ apiVersion: 'v1', kind: 'Namespace', metadata: meta(ns, undefined, { labels }), spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    stats.namespaces++;
    // every namespace of a real cluster has these two
    out({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('default', ns) });
    out({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('kube-root-ca.crt', ns, { annotations: { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' } }),
      data: { 'ca.crt': `-----BEGIN CERTIFICATE-----\nMIIC${alnum(60)}\n-----END CERTIFICATE-----\n` },
    });
    const info = { name: ns, netpol: false };
    nsInfo.set(ns, info);
    if (ns === 'kube-system') continue;
    // network policies: default deny in ~55% of namespaces, some allow rules, some block metadata
    if (chance(0.55)) {
      info.netpol = true;
      out({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('default-deny', ns), spec: { podSelector: {}, policyTypes: chance(0.6) ? ['Ingress', 'Egress'] : ['Ingress'] } });
      out({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: meta('allow-same-namespace', ns),
        spec: { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }], policyTypes: ['Ingress'] },
      });
      if (chance(0.5)) {
        out({
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: meta('allow-egress-no-metadata', ns),
          spec: {
            podSelector: {},
            egress: [
              { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: chance(0.7) ? ['169.254.169.254/32'] : ['10.0.0.0/8'] } }] },
              { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] },
            ],
            policyTypes: ['Egress'],
          },
        });
      }
    } else if (chance(0.2)) {
      info.netpol = true;
      out({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: meta('allow-ingress-controller', ns),
        spec: { podSelector: { matchLabels: { tier: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }], policyTypes: ['Ingress'] },
      });
    }
    // namespace RBAC
    if (chance(0.6)) {
      const rules = weighted([
        [70, [{ apiGroups: ['', 'apps'], resources: ['pods', 'deployments', 'configmaps', 'services'], verbs: ['get', 'list', 'watch'] }]],
        [12, [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }, { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }]],
        [8, [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]],
        [6, [{ apiGroups: [''], resources: ['pods', 'pods/exec', 'pods/portforward'], verbs: ['get', 'create'] }]],
        [4, [{ apiGroups: ['', 'apps'], resources: ['pods', 'deployments'], verbs: ['create', 'update', 'patch', 'delete'] }]],
      ]);
      out({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(`${ns.split('-')[0]}-developer`, ns), rules });
      out({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: meta(`${ns.split('-')[0]}-developers`, ns),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${ns.split('-')[0]}-developer` },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: `team:${ns.split('-')[0]}` }],
      });
    }
    if (chance(0.08)) {
      out({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: meta('ci-deployer', ns),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: pick(['ci-deployer', 'admin', 'edit', 'cluster-admin']) },
        subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: ns }],
      });
    }
  }
  if (nsNames.length > 3) {
    crb('ci-cluster-admin', 'cluster-admin', [{ kind: 'ServiceAccount', name: 'default', namespace: nsNames[3] }]);
    crb('secret-readers', 'secret-reader', [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:authenticated' }]);
  }

  // ---------------- pod template
  const registries = ['123456789012.dkr.ecr.eu-west-1.amazonaws.com', 'ghcr.io/acme', 'docker.io/library', 'quay.io/acme', 'registry.k8s.io'];
  const images = ['api', 'worker', 'frontend', 'gateway', 'consumer', 'scheduler', 'exporter', 'nginx', 'redis', 'postgres', 'envoy', 'fluentd'];
  const image = () => {
    const img = `${pick(registries)}/${pick(images)}`;
    return weighted([
      [80, `${img}:${int(1, 4)}.${int(0, 30)}.${int(0, 9)}`],
      [8, `${img}:latest`],
      [4, img],
      [8, `${img}@sha256:${hex(64)}`],
    ]);
  };
  /** One container; `profile` holds workload-level random decisions. */
  const container = (name, p, sidecar = false) => {
    const c = { name, image: image(), imagePullPolicy: weighted([[60, 'IfNotPresent'], [30, 'Always'], [10, undefined]]) };
    if (c.imagePullPolicy === undefined) delete c.imagePullPolicy;
    if (!sidecar) {
      c.ports = [{ name: 'http', containerPort: 8080, protocol: 'TCP' }];
      if (p.hostPort) c.ports[0].hostPort = 8080;
      if (chance(0.3)) c.ports.push({ name: 'metrics', containerPort: 9090, protocol: 'TCP' });
      c.env = [
        { name: 'LOG_LEVEL', value: pick(['info', 'debug', 'warn']) },
        { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
      ];
      if (chance(0.4)) c.env.push({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: `${p.app}-db`, key: 'password' } } });
      if (chance(0.05)) c.env.push({ name: 'AWS_SECRET_ACCESS_KEY', value: alnum(40) });
      if (chance(0.3)) c.envFrom = [{ configMapRef: { name: `${p.app}-config` } }];
    } else {
      c.args = ['--config=/etc/sidecar/config.yaml'];
    }
    if (p.resources !== 'none') {
      c.resources = { requests: { cpu: pick(['50m', '100m', '250m', '500m']), memory: pick(['64Mi', '128Mi', '256Mi', '512Mi']) } };
      if (p.resources === 'full') c.resources.limits = { cpu: pick(['500m', '1', '2']), memory: pick(['256Mi', '512Mi', '1Gi']) };
      if (p.resources === 'memlimit') c.resources.limits = { memory: pick(['256Mi', '512Mi', '1Gi']) };
    }
    if (!sidecar || chance(0.5)) {
      if (p.probes) {
        c.livenessProbe = { httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' }, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 };
        c.readinessProbe = { httpGet: { path: '/ready', port: 8080, scheme: 'HTTP' }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 };
      }
    }
    const sc = {};
    if (p.privileged) sc.privileged = true;
    if (p.ape !== undefined) sc.allowPrivilegeEscalation = p.ape;
    if (p.roRoot) sc.readOnlyRootFilesystem = true;
    if (p.runAsRootContainer) sc.runAsUser = 0;
    if (p.capsDropAll || p.capsAdd) {
      sc.capabilities = {};
      if (p.capsDropAll) sc.capabilities.drop = ['ALL'];
      if (p.capsAdd) sc.capabilities.add = p.capsAdd;
    }
    if (p.containerSeccomp) sc.seccompProfile = { type: 'RuntimeDefault' };
    if (Object.keys(sc).length) c.securityContext = sc;
    c.volumeMounts = [];
    if (p.hostPath) c.volumeMounts.push({ name: 'host', mountPath: p.hostPath.mount, readOnly: p.hostPath.ro });
    if (p.roRoot) c.volumeMounts.push({ name: 'tmp', mountPath: '/tmp' });
    if (!sidecar && chance(0.5)) c.volumeMounts.push({ name: 'config', mountPath: '/etc/app', readOnly: true });
    c.terminationMessagePath = '/dev/termination-log';
    c.terminationMessagePolicy = 'File';
    return c;
  };
  const profile = (app, kind, ns) => {
    const p = { app, kind };
    p.privileged = chance(kind === 'DaemonSet' ? 0.4 : 0.025);
    p.hostNetwork = chance(kind === 'DaemonSet' ? 0.6 : 0.015);
    p.hostPID = chance(kind === 'DaemonSet' ? 0.2 : 0.008);
    p.hostIPC = chance(0.005);
    p.hostPort = chance(kind === 'DaemonSet' ? 0.3 : 0.015);
    p.hostPath = chance(kind === 'DaemonSet' ? 0.8 : 0.03)
      ? pick([
          { path: '/var/log', mount: '/var/log', ro: true },
          { path: '/var/run/docker.sock', mount: '/var/run/docker.sock', ro: false },
          { path: '/run/containerd/containerd.sock', mount: '/run/containerd/containerd.sock', ro: false },
          { path: '/', mount: '/host', ro: true },
          { path: '/etc/kubernetes', mount: '/etc/kubernetes', ro: true },
        ])
      : null;
    p.ape = weighted([[45, undefined], [50, false], [5, true]]);
    p.roRoot = chance(0.4);
    p.runAsNonRoot = weighted([[45, undefined], [50, true], [5, false]]);
    p.runAsRootContainer = chance(0.03);
    p.capsDropAll = chance(0.45);
    p.capsAdd = chance(0.04) ? pick([['NET_ADMIN'], ['SYS_ADMIN'], ['NET_RAW'], ['SYS_PTRACE', 'NET_ADMIN']]) : null;
    p.podSeccomp = chance(0.35);
    p.containerSeccomp = chance(0.1);
    p.resources = weighted([[62, 'full'], [13, 'memlimit'], [15, 'requests'], [10, 'none']]);
    p.probes = chance(kind === 'Job' || kind === 'CronJob' ? 0 : 0.7);
    p.automount = weighted([[70, undefined], [22, false], [8, true]]);
    p.sidecar = chance(0.25);
    p.init = chance(0.15);
    p.sa = chance(0.7) ? app : 'default';
    p.tier = pick(['web', 'backend', 'data', 'batch']);
    p.ns = ns;
    return p;
  };
  const podTemplate = (p, labels) => {
    const spec = {
      containers: [container(p.app, p)],
      restartPolicy: p.kind === 'Job' || p.kind === 'CronJob' ? 'OnFailure' : 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: p.hostNetwork ? 'ClusterFirstWithHostNet' : 'ClusterFirst',
      serviceAccountName: p.sa,
      schedulerName: 'default-scheduler',
    };
    if (p.sidecar) spec.containers.push(container(pick(['istio-proxy', 'fluent-bit', 'oauth2-proxy', 'cloudsql-proxy']), p, true));
    if (p.init) spec.initContainers = [{ ...container('init-migrate', p, true), args: ['migrate', 'up'] }];
    if (p.hostNetwork) spec.hostNetwork = true;
    if (p.hostPID) spec.hostPID = true;
    if (p.hostIPC) spec.hostIPC = true;
    if (p.automount !== undefined) spec.automountServiceAccountToken = p.automount;
    const psc = {};
    if (p.runAsNonRoot !== undefined) psc.runAsNonRoot = p.runAsNonRoot;
    if (p.runAsNonRoot === true) {
      psc.runAsUser = pick([1000, 10001, 65534]);
      psc.runAsGroup = psc.runAsUser;
      psc.fsGroup = psc.runAsUser;
    }
    if (p.podSeccomp) psc.seccompProfile = { type: 'RuntimeDefault' };
    spec.securityContext = psc;
    spec.volumes = [];
    if (p.hostPath) spec.volumes.push({ name: 'host', hostPath: { path: p.hostPath.path, type: '' } });
    if (p.roRoot) spec.volumes.push({ name: 'tmp', emptyDir: {} });
    spec.volumes.push({ name: 'config', configMap: { name: `${p.app}-config`, defaultMode: 420 } });
    if (chance(0.3)) spec.nodeSelector = { 'kubernetes.io/os': 'linux' };
    return { metadata: { labels: { ...labels } }, spec };
  };
  // A Pod as the API server returns it: template + defaults + projected token + node + status.
  const podFrom = (tmpl, name, ns, owner, extraLabels = {}, phase = 'Running') => {
    const node = nextNode();
    const spec = structuredClone(tmpl.spec);
    spec.nodeName = node.name;
    spec.enableServiceLinks = true;
    spec.preemptionPolicy = 'PreemptLowerPriority';
    spec.priority = 0;
    spec.tolerations = [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ];
    if (spec.automountServiceAccountToken !== false) {
      const vol = `kube-api-access-${alnum(5)}`;
      spec.volumes = [
        ...(spec.volumes ?? []),
        {
          name: vol,
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              { downwardAPI: { items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }] } },
            ],
          },
        },
      ];
      for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
        c.volumeMounts = [...(c.volumeMounts ?? []), { name: vol, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }];
      }
    }
    const ip = spec.hostNetwork ? node.ip : nextPodIp();
    const started = ts(20);
    const m = meta(name, ns, { labels: { ...tmpl.metadata.labels, ...extraLabels } });
    if (owner) {
      m.generateName = `${owner.metadata.name}-`;
      m.ownerReferences = ownerRef(owner);
    }
    const running = phase === 'Running';
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: m,
      spec,
      status: {
        phase,
        conditions: [
          { type: 'Initialized', status: 'True', lastTransitionTime: started },
          { type: 'Ready', status: running ? 'True' : 'False', lastTransitionTime: started },
          { type: 'ContainersReady', status: running ? 'True' : 'False', lastTransitionTime: started },
          { type: 'PodScheduled', status: 'True', lastTransitionTime: started },
        ],
        hostIP: node.ip,
        podIP: ip,
        podIPs: [{ ip }],
        qosClass: spec.containers.every((c) => c.resources?.limits?.cpu && c.resources?.limits?.memory) ? 'Guaranteed' : spec.containers.some((c) => c.resources) ? 'Burstable' : 'BestEffort',
        startTime: started,
        containerStatuses: spec.containers.map((c) => ({
          name: c.name,
          image: c.image,
          imageID: `${c.image.split('@')[0].split(':')[0]}@sha256:${hex(64)}`,
          containerID: `containerd://${hex(64)}`,
          ready: running,
          started: running,
          restartCount: weighted([[85, 0], [12, int(1, 5)], [3, int(6, 200)]]),
          state: running ? { running: { startedAt: started } } : { terminated: { exitCode: 0, reason: 'Completed', startedAt: started, finishedAt: started } },
        })),
      },
    };
  };

  // ---------------- workloads
  // Pod budget split: DaemonSets take one pod per node (3 of them when the budget allows);
  // the rest is dealt out round-robin over the namespaces as Deployments (most), StatefulSets,
  // CronJobs, Jobs and naked Pods until the budget is used up.
  let podsLeft = podBudget;
  const emitSA = new Set();
  const serviceAccount = (name, ns) => {
    if (name === 'default' || emitSA.has(`${ns}/${name}`)) return;
    emitSA.add(`${ns}/${name}`);
    const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(name, ns) };
    if (chance(0.15)) sa.metadata.annotations = { 'eks.amazonaws.com/role-arn': `arn:aws:iam::123456789012:role/${ns}-${name}` };
    if (chance(0.1)) sa.automountServiceAccountToken = false;
    out(sa);
  };
  const appConfig = (p) => {
    out({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(`${p.app}-config`, p.ns, { labels: { app: p.app } }), data: { 'app.yaml': `listen: :8080\nlogLevel: info\nfeature.${alnum(6)}: true\n`, TIMEOUT: '30s' } });
  };
  const service = (p, headless = false) => {
    const type = headless ? 'ClusterIP' : weighted([[85, 'ClusterIP'], [10, 'LoadBalancer'], [5, 'NodePort']]);
    const spec = { type, selector: { app: p.app }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }], sessionAffinity: 'None', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' };
    if (headless) spec.clusterIP = 'None';
    else spec.clusterIP = `10.100.${int(0, 255)}.${int(1, 254)}`;
    spec.clusterIPs = [spec.clusterIP];
    if (type === 'NodePort' || type === 'LoadBalancer') spec.ports[0].nodePort = int(30000, 32767);
    if (type === 'LoadBalancer') spec.externalTrafficPolicy = 'Cluster';
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: meta(headless ? `${p.app}-headless` : p.app, p.ns, { labels: { app: p.app } }), spec, status: { loadBalancer: {} } };
    if (type === 'LoadBalancer') svc.status.loadBalancer = { ingress: [{ hostname: `a${hex(31)}-${int(100000000, 999999999)}.eu-west-1.elb.amazonaws.com` }] };
    out(svc);
  };
  const secret = (p) => {
    out({ apiVersion: 'v1', kind: 'Secret', metadata: meta(`${p.app}-db`, p.ns, { labels: { app: p.app } }), type: 'Opaque', data: { password: Buffer.from(alnum(16)).toString('base64'), username: Buffer.from(p.app).toString('base64') } });
  };
  const workloadBase = (apiVersion, kind, name, ns, p) => ({
    apiVersion,
    kind,
    metadata: meta(name, ns, {
      labels: { app: name, 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': ns.split('-')[0], tier: p.tier },
      annotations: kind === 'Deployment' ? { 'deployment.kubernetes.io/revision': String(int(1, 40)) } : {},
      generation: int(1, 40),
    }),
  });

  // DaemonSets in kube-system (node agents, like EKS: aws-node, kube-proxy, fluent-bit, ...)
  const dsNames = ['aws-node', 'kube-proxy', 'fluent-bit', 'node-exporter', 'ebs-csi-node'];
  const dsCount = Math.min(dsNames.length, Math.round(podBudget / Math.max(1, nodeCount) / 10)); // ~10% of pods
  for (let d = 0; d < dsCount && podsLeft >= nodeCount; d++) {
    const name = dsNames[d];
    const ns = 'kube-system';
    const p = profile(name, 'DaemonSet', ns);
    p.sa = name;
    serviceAccount(name, ns);
    appConfig(p);
    const labels = { 'k8s-app': name, app: name };
    const ds = workloadBase('apps/v1', 'DaemonSet', name, ns, p);
    const tmpl = podTemplate(p, labels);
    const hash = String(int(1e9, 9e9)).slice(0, 9);
    ds.spec = { selector: { matchLabels: { 'k8s-app': name } }, template: tmpl, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%', maxSurge: 0 } }, revisionHistoryLimit: 10 };
    ds.status = { currentNumberScheduled: nodeCount, desiredNumberScheduled: nodeCount, numberAvailable: nodeCount, numberReady: nodeCount, observedGeneration: ds.metadata.generation, updatedNumberScheduled: nodeCount };
    out(ds);
    for (let i = 0; i < nodeCount; i++) {
      out(podFrom(tmpl, `${name}-${alnum(5)}`, ns, ds, { 'controller-revision-hash': hash, 'pod-template-generation': '1' }));
    }
    podsLeft -= nodeCount;
  }
  // CoreDNS
  if (podsLeft >= 2) {
    const p = profile('coredns', 'Deployment', 'kube-system');
    p.privileged = false; p.hostNetwork = false; p.hostPath = null;
    deployment('coredns', 'kube-system', p, 2);
  }

  function deployment(name, ns, p, replicas) {
    serviceAccount(p.sa, ns);
    appConfig(p);
    if (chance(0.4)) secret(p);
    const labels = { app: name, 'app.kubernetes.io/name': name, tier: p.tier };
    const dep = workloadBase('apps/v1', 'Deployment', name, ns, p);
    const tmpl = podTemplate(p, labels);
    dep.spec = { replicas, selector: { matchLabels: { app: name } }, template: tmpl, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } }, revisionHistoryLimit: 10, progressDeadlineSeconds: 600 };
    dep.status = { availableReplicas: replicas, readyReplicas: replicas, replicas, updatedReplicas: replicas, observedGeneration: dep.metadata.generation };
    out(dep);
    // old ReplicaSets scaled to 0 (rollout history), then the current one with the pods
    const oldRs = weighted([[40, 0], [40, 1], [20, 2]]);
    for (let r = 0; r <= oldRs; r++) {
      const current = r === oldRs;
      const hash = alnum(10);
      const rsTmpl = structuredClone(tmpl);
      rsTmpl.metadata.labels['pod-template-hash'] = hash;
      if (!current) rsTmpl.spec.containers[0].image = image();
      const n = current ? replicas : 0;
      const rs = {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: meta(`${name}-${hash}`, ns, {
          labels: { ...rsTmpl.metadata.labels },
          annotations: { 'deployment.kubernetes.io/desired-replicas': String(replicas), 'deployment.kubernetes.io/max-replicas': String(replicas + 1), 'deployment.kubernetes.io/revision': String(r + 1) },
          ownerReferences: ownerRef(dep),
          generation: 1,
        }),
        spec: { replicas: n, selector: { matchLabels: { app: name, 'pod-template-hash': hash } }, template: rsTmpl },
        status: current ? { replicas: n, readyReplicas: n, availableReplicas: n, fullyLabeledReplicas: n, observedGeneration: 1 } : { replicas: 0, observedGeneration: 1 },
      };
      out(rs);
      for (let i = 0; i < n; i++) out(podFrom(rsTmpl, `${name}-${hash}-${alnum(5)}`, ns, rs));
    }
    if (chance(0.85)) service(p);
    podsLeft -= replicas;
  }
  function statefulSet(name, ns, p, replicas) {
    serviceAccount(p.sa, ns);
    appConfig(p);
    secret(p);
    const labels = { app: name, 'app.kubernetes.io/name': name, tier: 'data' };
    const sts = workloadBase('apps/v1', 'StatefulSet', name, ns, p);
    const tmpl = podTemplate(p, labels);
    tmpl.spec.containers[0].volumeMounts.push({ name: 'data', mountPath: '/var/lib/data' });
    const rev = `${name}-${alnum(10)}`;
    sts.spec = {
      replicas,
      serviceName: `${name}-headless`,
      selector: { matchLabels: { app: name } },
      template: tmpl,
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      volumeClaimTemplates: [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: pick(['10Gi', '50Gi', '100Gi']) } }, storageClassName: 'gp3', volumeMode: 'Filesystem' } }],
    };
    sts.status = { replicas, readyReplicas: replicas, currentReplicas: replicas, updatedReplicas: replicas, currentRevision: rev, updateRevision: rev, observedGeneration: sts.metadata.generation, availableReplicas: replicas };
    out(sts);
    for (let i = 0; i < replicas; i++) {
      const pod = podFrom(tmpl, `${name}-${i}`, ns, sts, { 'controller-revision-hash': rev, 'statefulset.kubernetes.io/pod-name': `${name}-${i}`, 'apps.kubernetes.io/pod-index': String(i) });
      pod.spec.hostname = `${name}-${i}`;
      pod.spec.subdomain = `${name}-headless`;
      pod.spec.volumes.unshift({ name: 'data', persistentVolumeClaim: { claimName: `data-${name}-${i}` } });
      out(pod);
    }
    service(p, true);
    podsLeft -= replicas;
  }
  function jobWithPod(name, ns, p, tmpl, owner, finished) {
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: meta(name, ns, { labels: { 'job-name': name, ...tmpl.metadata.labels } }),
      spec: { backoffLimit: 6, completions: 1, parallelism: 1, completionMode: 'NonIndexed', suspend: false, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': '' } }, template: structuredClone(tmpl) },
      status: finished ? { succeeded: 1, startTime: ts(2), completionTime: ts(1) } : { active: 1, startTime: ts(1) },
    };
    job.spec.selector.matchLabels['batch.kubernetes.io/controller-uid'] = job.metadata.uid;
    job.spec.template.metadata.labels = { ...job.spec.template.metadata.labels, 'batch.kubernetes.io/controller-uid': job.metadata.uid, 'batch.kubernetes.io/job-name': name, 'job-name': name };
    job.spec.template.spec.restartPolicy = 'Never';
    if (owner) job.metadata.ownerReferences = ownerRef(owner);
    out(job);
    out(podFrom(job.spec.template, `${name}-${alnum(5)}`, ns, job, {}, finished ? 'Succeeded' : 'Running'));
    podsLeft -= 1;
  }
  function cronJob(name, ns, p) {
    serviceAccount(p.sa, ns);
    appConfig(p);
    const cj = workloadBase('batch/v1', 'CronJob', name, ns, p);
    const tmpl = podTemplate(p, { app: name, tier: 'batch' });
    cj.spec = { schedule: pick(['*/5 * * * *', '0 * * * *', '0 3 * * *', '30 1 * * 0']), concurrencyPolicy: pick(['Forbid', 'Allow', 'Replace']), successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1, suspend: false, jobTemplate: { metadata: {}, spec: { backoffLimit: 2, template: tmpl } } };
    cj.status = { lastScheduleTime: ts(1), lastSuccessfulTime: ts(1) };
    out(cj);
    const runs = Math.max(1, Math.min(podsLeft, int(1, 3)));
    for (let r = 0; r < runs; r++) jobWithPod(`${name}-${29000000 + int(0, 999999)}`, ns, p, tmpl, cj, r < runs - 1 || chance(0.8));
  }

  const appNames = ['api', 'web', 'worker', 'gateway', 'consumer', 'indexer', 'renderer', 'scheduler', 'auth', 'billing', 'cache', 'notifier', 'exporter', 'ingest', 'reporter', 'sync'];
  const userNs = nsNames.filter((n) => n !== 'kube-system');
  const perNsCounter = new Map();
  const appName = (ns) => {
    const k = (perNsCounter.get(ns) ?? 0) + 1;
    perNsCounter.set(ns, k);
    const base = appNames[(k - 1) % appNames.length];
    return k > appNames.length ? `${base}-${Math.ceil(k / appNames.length)}` : base;
  };
  let nsCursor = 0;
  while (podsLeft > 0) {
    const ns = userNs.length ? userNs[nsCursor++ % userNs.length] : 'kube-system';
    const kind = weighted([[76, 'Deployment'], [9, 'StatefulSet'], [8, 'CronJob'], [4, 'Job'], [3, 'Pod']]);
    const name = appName(ns);
    const p = profile(name, kind, ns);
    if (kind === 'Deployment') {
      deployment(name, ns, p, Math.min(podsLeft, weighted([[15, 1], [30, 2], [30, 3], [15, int(4, 6)], [10, int(7, 20)]])));
    } else if (kind === 'StatefulSet') {
      statefulSet(name, ns, p, Math.min(podsLeft, weighted([[20, 1], [60, 3], [20, 5]])));
    } else if (kind === 'CronJob') {
      cronJob(name, ns, p);
    } else if (kind === 'Job') {
      serviceAccount(p.sa, ns);
      appConfig(p);
      jobWithPod(`${name}-migrate-${alnum(5)}`, ns, p, podTemplate(p, { app: name }), null, chance(0.7));
    } else {
      serviceAccount(p.sa, ns);
      appConfig(p);
      out(podFrom(podTemplate(p, { app: name, run: name }), `${name}-debug`, ns, null));
      podsLeft -= 1;
    }
  }
  return stats;
}

// ------------------------------------------------------------------ sizing
let pods = opts.pods;
let namespaces = opts.namespaces;
if (opts.objects !== undefined) {
  // Find a pod count whose cluster has ~opts.objects objects (within 0.5%). Objects grow about
  // linearly with pods, but not monotonically (a different pod count reshuffles the random draws),
  // so keep the closest count seen.
  const count = (p) => generate({ pods: p, namespaces: namespaces ?? defaultNamespaces(p), seed: opts.seed }, () => {}).objects;
  const tol = Math.max(3, opts.objects * 0.005);
  let guess = Math.max(1, Math.round(opts.objects / 2.7));
  let best = { pods: guess, err: Infinity };
  const tried = new Set();
  for (let iter = 0; iter < 12 && best.err > tol; iter++) {
    while (tried.has(guess)) guess++;
    tried.add(guess);
    const got = count(guess);
    const err = Math.abs(got - opts.objects);
    if (err < best.err) best = { pods: guess, err };
    guess = Math.max(1, Math.round(guess * (opts.objects / got)));
  }
  pods = best.pods;
}
namespaces ??= defaultNamespaces(pods);

// ------------------------------------------------------------------ output
// generate() is synchronous: write 1 MiB chunks with writeSync so memory stays bounded.
const fd = opts.out === '-' ? 1 : openSync(opts.out, 'w');
let buf = '';
const writeAll = (s) => {
  const b = Buffer.from(s);
  for (let off = 0; off < b.length; ) {
    try {
      off += writeSync(fd, b, off);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e; // non-blocking stdout pipe: retry
    }
  }
};
const flush = (force) => {
  if (buf.length === 0 || (!force && buf.length < 1 << 20)) return;
  writeAll(buf);
  buf = '';
};
const createdAt = new Date(BASE_TIME).toISOString().replace(/\.\d{3}Z$/, 'Z');
const header = {
  apiVersion: 'kubeward.io/v1',
  kind: 'ClusterSnapshot',
  metadata: { generatedBy: 'bench/gen-synthetic.mjs', createdAt, synthetic: { seed: opts.seed, pods, namespaces } },
};
let first = true;
if (opts.yaml) {
  buf += `# synthetic cluster: generatedBy bench/gen-synthetic.mjs, createdAt ${createdAt}, seed ${opts.seed}, pods ${pods}, namespaces ${namespaces}\n`;
} else {
  buf += JSON.stringify(header).slice(0, -1) + ',"items":[\n';
}
const stats = generate({ pods, namespaces, seed: opts.seed }, (obj) => {
  if (opts.yaml) buf += (first ? '' : '---\n') + yamlStringify(obj, { lineWidth: 0 });
  else buf += (first ? '' : ',\n') + JSON.stringify(obj);
  first = false;
  flush(false);
});
buf += opts.yaml ? '' : '\n]}\n';
flush(true);
if (fd !== 1) closeSync(fd);
if (!opts.quiet) {
  process.stderr.write(
    `gen-synthetic: ${stats.objects} objects, ${stats.pods} pods, ${stats.namespaces} namespaces (seed ${opts.seed}) -> ${opts.out}\n` +
      `gen-synthetic: kinds ${JSON.stringify(Object.fromEntries(Object.entries(stats.kinds).sort((a, b) => b[1] - a[1])))}\n`,
  );
}
