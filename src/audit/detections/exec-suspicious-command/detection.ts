// Exec commands that are attacks rather than debugging: reverse shells, download-and-run, cloud
// metadata credential theft, service account token or host credential reads, `kubectl cp` out of
// a pod (tar to stdout), miners. Not allow-listed: no platform component execs like this.
import { defineDetection } from '../types.js';
import { execCall, redactCommand, succeeded, target, who } from '../_lib.js';

interface Pattern {
  id: string;
  what: string;
  re: RegExp;
}

export const SUSPICIOUS_COMMANDS: readonly Pattern[] = [
  { id: 'reverse-shell', what: 'reverse shell', re: /\/dev\/(tcp|udp)\/|\b(nc|ncat|netcat)\b[^|;&]*\s-(e|c)\s|\bbash\s+-i\b|\bsh\s+-i\b|\bsocat\b.*\bexec:|\bmkfifo\b|\bsocket\.socket\(|\bfsockopen\(|\bpty\.spawn\(/i },
  { id: 'download-and-run', what: 'download piped to a shell', re: /\b(curl|wget)\b[^|]*\|\s*(ba|z|da)?sh\b|\b(curl|wget)\b.*&&\s*chmod\s+\+x/i },
  { id: 'cloud-metadata', what: 'cloud metadata endpoint (instance credentials)', re: /169\.254\.169\.254|169\.254\.170\.2|fd00:ec2::254|metadata\.google\.internal|100\.100\.100\.200/i },
  {
    id: 'token-read',
    what: 'service account / workload identity token',
    re: /\/var\/run\/secrets\/(kubernetes\.io\/serviceaccount|eks\.amazonaws\.com\/serviceaccount|azure\/tokens|tokens)\b|\/run\/secrets\/kubernetes\.io/i,
  },
  { id: 'host-credentials', what: 'host credentials', re: /\/etc\/shadow\b|\/root\/\.ssh\b|\.aws\/credentials\b|\/etc\/kubernetes\/(admin|kubelet|controller-manager|scheduler)\.conf\b|\/var\/lib\/kubelet\/(pki|kubeconfig)\b|\.kube\/config\b/i },
  { id: 'copy-out', what: '`kubectl cp` from the pod (tar to stdout)', re: /(^|[\s;&|'"(])tar\s+-{0,2}[a-z]*c[a-z]*\s+-(\s|$)/i },
  { id: 'miner', what: 'crypto miner', re: /\bxmrig\b|\bminerd\b|stratum\+tcp:\/\/|\bcpuminer\b/i },
];

export default defineDetection({
  meta: {
    id: 'exec-suspicious-command',
    title: 'Suspicious command executed in a container',
    severity: 'high',
    mitre: ['T1609', 'T1552.007'],
    description:
      'An exec command matches an attack pattern: reverse shell, download-and-run, instance metadata access, reads of service account tokens or host credentials, copying files out with tar, or a miner. These commands have no place in routine debugging.',
    allowList: 'none',
    needs: 'Metadata',
  },
  on: { resources: ['pods'] },
  check(ev, ctx) {
    if (ev.objectRef?.subresource !== 'exec' || (ev.verb !== 'create' && ev.verb !== 'get') || !succeeded(ev)) return;
    const call = execCall(ev);
    if (call.argv.length === 0) return;
    const line = call.argv.join(' ');
    const hits = SUSPICIOUS_COMMANDS.filter((p) => p.re.test(line));
    if (hits.length === 0) return;
    const cmd = redactCommand(call.argv);
    ctx.report(ev, {
      message: `${who(ev)} ran \`${cmd}\` in ${target(ev)}: ${hits.map((h) => h.what).join(', ')}`,
      evidence: { command: cmd, patterns: hits.map((h) => h.id), ...(call.container ? { container: call.container } : {}) },
    });
  },
});
