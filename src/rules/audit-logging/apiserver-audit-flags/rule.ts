import { defineRule } from '../../../core/rule.js';
import type { ObjPath } from '../../../core/types.js';

// Self-managed control planes: the kube-apiserver static pod (or any pod running kube-apiserver)
// must write an audit log, under a policy, with rotation (CIS Kubernetes 1.2.16-1.2.19).
// Managed control planes (EKS, AKS, GKE) run no kube-apiserver pod visible to the cluster: the
// rule then has nothing to judge, and the cloud rules (eks-control-plane-logging,
// aks-audit-diagnostic-setting, gke-control-plane-logging) apply instead.

interface Flag {
  value: string;
  path: ObjPath;
}

/** `--flag=value` and `--flag value` from command and args, with the path of each. */
export function apiserverFlags(container: Readonly<Record<string, unknown>>, base: ObjPath): Map<string, Flag> | undefined {
  const parts: Array<{ text: string; path: ObjPath }> = [];
  for (const field of ['command', 'args']) {
    const list = container[field];
    if (Array.isArray(list)) list.forEach((t, i) => typeof t === 'string' && parts.push({ text: t, path: [...base, field, i] }));
  }
  if (!parts.some((p) => /(^|\/)kube-apiserver$/.test(p.text.trim().split(/\s+/)[0] ?? '') || /(^|\/)kube-apiserver(\s|$)/.test(p.text))) return undefined;
  const flags = new Map<string, Flag>();
  // A shell wrapper ("sh -c 'kube-apiserver --a=b ...'") carries every flag in one string.
  const tokens: Array<{ text: string; path: ObjPath }> = [];
  for (const p of parts) for (const t of p.text.split(/\s+/).filter(Boolean)) tokens.push({ text: t.replace(/^['"]|['"]$/g, ''), path: p.path });
  for (let i = 0; i < tokens.length; i++) {
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(tokens[i].text);
    if (!m) continue;
    let value = m[2];
    if (value === undefined && tokens[i + 1] && !tokens[i + 1].text.startsWith('--')) value = tokens[++i].text;
    flags.set(m[1], { value: value ?? 'true', path: tokens[i].path });
  }
  return flags;
}

const ROTATION: Array<{ flag: string; min: number; cis: string; unit: string }> = [
  { flag: 'audit-log-maxage', min: 30, cis: '1.2.17', unit: 'days' },
  { flag: 'audit-log-maxbackup', min: 10, cis: '1.2.18', unit: 'files' },
  { flag: 'audit-log-maxsize', min: 100, cis: '1.2.19', unit: 'MB' },
];

export default defineRule({
  meta: {
    id: 'apiserver-audit-flags',
    title: 'kube-apiserver does not write a complete, rotated audit log',
    pillar: 'audit-logging',
    controlPlane: 'self-managed',
    severity: 'high',
    description:
      'On a self-managed control plane the audit log exists only if kube-apiserver is started with an audit policy and a backend (a log path or a webhook); without rotation limits the log is either lost early or fills the disk.',
    remediation:
      'Start kube-apiserver with --audit-policy-file (generate one: kubeward audit policy generate), --audit-log-path (or --audit-webhook-config-file), --audit-log-maxage=30, --audit-log-maxbackup=10 and --audit-log-maxsize=100, and mount the policy and log directory into the static pod.',
    references: [
      'https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/',
      'https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/',
    ],
    compliance: { cis: ['CIS-K8S 1.2.16', 'CIS-K8S 1.2.17', 'CIS-K8S 1.2.18', 'CIS-K8S 1.2.19', 'CIS-K8S 3.2.1'], mitre: ['T1562.008'] },
    messages: {
      noPolicy: 'kube-apiserver in {pod} has no --audit-policy-file: nothing is audited (add --audit-policy-file=/etc/kubernetes/audit-policy.yaml)',
      noBackend: 'kube-apiserver in {pod} has an audit policy but neither --audit-log-path nor --audit-webhook-config-file: events go nowhere',
      rotation: 'kube-apiserver in {pod} {problem} (CIS {cis}: --{flag}={min} or more)',
    },
    reads: ['Pod'],
  },
  handlers: {
    podTemplate(pod, ctx) {
      for (const c of pod.containers) {
        const flags = apiserverFlags(c.spec, c.path);
        if (!flags) continue;
        const where = `${pod.owner.ref.kind} ${pod.owner.ref.namespace ?? ''}/${pod.owner.ref.name}`;
        const cmdPath: ObjPath = [...c.path, Array.isArray(c.spec.command) ? 'command' : 'args'];
        if (!flags.has('audit-policy-file')) {
          ctx.report({ object: pod.owner, messageId: 'noPolicy', data: { pod: where }, path: cmdPath, evidence: { container: c.name } });
          continue;
        }
        const logPath = flags.get('audit-log-path');
        if (!logPath && !flags.has('audit-webhook-config-file')) {
          ctx.report({ object: pod.owner, messageId: 'noBackend', data: { pod: where }, path: flags.get('audit-policy-file')!.path, evidence: { container: c.name } });
          continue;
        }
        if (!logPath || logPath.value === '-') continue; // webhook only, or stdout (rotated by the runtime)
        for (const r of ROTATION) {
          const f = flags.get(r.flag);
          const n = f ? Number(f.value) : NaN;
          if (f && Number.isFinite(n) && n >= r.min) continue;
          const problem = f ? `sets --${r.flag}=${f.value} ${r.unit}, below ${r.min}` : `does not set --${r.flag}`;
          ctx.report({
            object: pod.owner,
            messageId: 'rotation',
            data: { pod: where, problem, cis: r.cis, flag: r.flag, min: r.min },
            path: f?.path ?? logPath.path,
            severity: 'medium',
            evidence: { container: c.name, flag: r.flag, value: f?.value ?? null },
          });
        }
      }
    },
  },
});
