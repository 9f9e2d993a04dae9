// The kubeconfig-format file kube-apiserver reads with --audit-webhook-config-file: where to send
// audit batches, the CA to trust, and how to authenticate (bearer token and/or client certificate).

export interface WebhookConfigInput {
  /** https://host:port/audit/webhook */
  server: string;
  caPem?: string;
  token?: string;
  clientCertPem?: string;
  clientKeyPem?: string;
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

export function webhookKubeconfig(i: WebhookConfigInput): string {
  const user: string[] = [];
  if (i.token) user.push(`    token: ${JSON.stringify(i.token)}`);
  if (i.clientCertPem && i.clientKeyPem) {
    user.push(`    client-certificate-data: ${b64(i.clientCertPem)}`, `    client-key-data: ${b64(i.clientKeyPem)}`);
  }
  return [
    '# kube-apiserver --audit-webhook-config-file for kubeward audit serve. Contains a credential: keep it 0600.',
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: kubeward-audit',
    '    cluster:',
    `      server: ${JSON.stringify(i.server)}`,
    ...(i.caPem ? [`      certificate-authority-data: ${b64(i.caPem)}`] : []),
    'users:',
    '  - name: kube-apiserver',
    ...(user.length ? ['    user:', ...user.map((l) => '  ' + l)] : ['    user: {}']),
    'contexts:',
    '  - name: default',
    '    context:',
    '      cluster: kubeward-audit',
    '      user: kube-apiserver',
    'current-context: default',
    '',
  ].join('\n');
}
