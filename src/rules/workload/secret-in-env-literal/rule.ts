import { defineRule } from '../../../core/rule.js';
import { containerLabel } from '../_lib.js';
import { POD_SPEC_KINDS } from '../_pss.js';

// Literal env values that are (or look like) credentials. The value itself is never put in a
// message or in evidence: only the variable name, the value's length and what it looks like.
export default defineRule({
  meta: {
    id: 'secret-in-env-literal',
    title: 'Secret written as a literal environment value',
    pillar: 'workload',
    severity: 'high',
    description:
      'A credential written into `env[].value` is stored in plain text in the manifest, in Git, in the workload object (readable by anyone who can `get` Deployments or Pods) and in every ReplicaSet revision.',
    remediation:
      'Move the value into a Secret (ideally synced from a secret manager) and reference it with `valueFrom.secretKeyRef`, or mount it as a file; then rotate the exposed credential.',
    references: [
      'https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-environment-variables',
      'https://kubernetes.io/docs/concepts/security/secrets-good-practices/',
      'https://attack.mitre.org/techniques/T1552/001/',
    ],
    compliance: { cis: ['CIS-K8S 5.4.1'], mitre: ['T1552.001', 'T1552.007'] },
    messages: {
      value: '{container} env {env} holds what looks like {kind} as a literal value ({length} characters)',
      name: '{container} env {env} looks like a secret but is a literal value ({length} characters); use valueFrom.secretKeyRef',
    },
    reads: POD_SPEC_KINDS,
  },
  handlers: {
    container(c, pod, ctx) {
      const env: unknown = c.spec.env;
      if (!Array.isArray(env)) return;
      env.forEach((item: unknown, i) => {
        if (!item || typeof item !== 'object') return;
        const { name, value } = item as { name?: unknown; value?: unknown };
        if (typeof value !== 'string' || typeof name !== 'string') return;
        const path = [...c.path, 'env', i, 'value'];
        const base = { container: containerLabel(c), env: name, length: value.length };
        const kind = credentialKind(value);
        if (kind) {
          ctx.report({ object: pod.owner, messageId: 'value', data: { ...base, kind }, path, evidence: { env: name, length: value.length, looksLike: kind } });
          return;
        }
        if (secretLikeName(name) && !harmlessValue(value)) {
          ctx.report({ object: pod.owner, messageId: 'name', data: base, path, severity: 'medium', evidence: { env: name, length: value.length } });
        }
      });
    },
  },
});

/** Value patterns that are credentials whatever the variable is called. */
const VALUE_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/-{3,}\s*BEGIN [A-Z0-9 ]*PRIVATE KEY/, 'a private key'],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/, 'a JSON Web Token'],
  [/\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b/, 'a GitHub token'],
  [/\bglpat-[A-Za-z0-9_-]{20,}/, 'a GitLab token'],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
  [/\bAIza[0-9A-Za-z_-]{35}\b/, 'a Google API key'],
  [/\b[sr]k_live_[0-9A-Za-z]{20,}/, 'a Stripe live key'],
  [/\bAccountKey=[A-Za-z0-9+/=]{20,}/, 'an Azure storage account key'],
  [/\bSharedAccessSignature=|\bsig=[A-Za-z0-9%+/=]{20,}/, 'an Azure shared access signature'],
  [/^[a-z][a-z0-9+.-]*:\/\/[^\s:@/]*:[^\s@/]+@/i, 'a URL with an embedded password'],
  [/(?:^|;)\s*(?:password|pwd)\s*=\s*[^;\s$]/i, 'a connection string with a password'],
];

function credentialKind(value: string): string | undefined {
  for (const [re, kind] of VALUE_PATTERNS) {
    if (!re.test(value)) continue;
    // "postgres://user:$(DB_PASSWORD)@db" interpolates another variable: not a literal secret.
    if (kind === 'a URL with an embedded password' && /:\$[({]/.test(value)) continue;
    return kind;
  }
  return undefined;
}

/** Name tokens that mark a secret on their own. */
const SECRET_TOKENS = new Set([
  'PASSWORD',
  'PASSWD',
  'PASSPHRASE',
  'PASS',
  'PWD',
  'SECRET',
  'SECRETS',
  'TOKEN',
  'CREDENTIAL',
  'CREDENTIALS',
  'CREDS',
  'APIKEY',
  'PRIVATEKEY',
  'ACCESSKEY',
  'SECRETKEY',
]);
/** Words before KEY that make it a secret key ... */
const KEY_QUALIFIERS = new Set(['API', 'ACCESS', 'PRIVATE', 'SECRET', 'SIGNING', 'ENCRYPTION', 'MASTER', 'ACCOUNT', 'SHARED', 'LICENSE', 'AUTH', 'HMAC', 'SESSION', 'CLIENT', 'SSH', 'TLS', 'BATCH', 'STORAGE']);
/** ... and words after KEY that mean its content. */
const KEY_CONTENT = new Set(['CONTENT', 'DATA', 'MATERIAL', 'PEM', 'B64', 'BASE64']);
/** A last word that says the variable points to or describes a secret rather than holding it. */
const NOT_A_VALUE = new Set([
  'FILE', 'PATH', 'DIR', 'FOLDER', 'LOCATION', 'MOUNT', 'URL', 'URI', 'ENDPOINT', 'HOST', 'HOSTNAME', 'PORT', 'SERVER',
  'NAME', 'NAMES', 'REF', 'ID', 'ARN', 'REGION', 'NAMESPACE', 'TYPE', 'KIND', 'MODE', 'FORMAT', 'ALGORITHM', 'ALG', 'HEADER',
  'LENGTH', 'LEN', 'SIZE', 'COUNT', 'TTL', 'EXPIRY', 'EXPIRATION', 'EXPIRES', 'LIFETIME', 'TIMEOUT', 'INTERVAL', 'SECONDS',
  'ENABLED', 'ENABLE', 'DISABLED', 'REQUIRED', 'POLICY', 'PROVIDER', 'VERSION', 'AUDIENCE', 'ISSUER', 'SCOPE', 'SCOPES',
  'PREFIX', 'SUFFIX', 'FIELD', 'PARAM', 'USER', 'USERNAME', 'LOGIN',
]);

/** Splits FOO_BAR, foo-bar, fooBar and foo.bar into upper-case words. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toUpperCase());
}

function secretLikeName(name: string): boolean {
  const w = words(name);
  if (w.length === 0) return false;
  if (name === 'PWD') return false; // the shell's working directory
  if (NOT_A_VALUE.has(w[w.length - 1])) return false;
  for (let i = 0; i < w.length; i++) {
    if (SECRET_TOKENS.has(w[i])) return true;
    if (w[i] === 'KEY' && ((i > 0 && KEY_QUALIFIERS.has(w[i - 1])) || (i + 1 < w.length && KEY_CONTENT.has(w[i + 1])))) return true;
    if (w[i] === 'AUTH' && i === w.length - 1) return true; // REDIS_AUTH, BASIC_AUTH
  }
  return false;
}

/** Values that cannot be a credential: flags, numbers, durations, paths, references to other variables or secret stores. */
function harmlessValue(value: string): boolean {
  const v = value.trim();
  if (v === '') return true;
  if (/^(true|false|yes|no|on|off|enabled|disabled|none|null)$/i.test(v)) return true;
  if (/^-?\d+(\.\d+)?([smhd]|ms)?$/.test(v)) return true;
  if (/^(\/|\.\/|~\/|file:)/.test(v)) return true;
  if (/^\$\([A-Za-z_][A-Za-z0-9_]*\)$|^\$\{[^}]+\}$/.test(v)) return true;
  if (/^(vault:|arn:aws:|ref\+|sm:\/\/|op:\/\/|azurekeyvault:|gcp:secretmanager:|projects\/[^/]+\/secrets\/)/i.test(v)) return true;
  if (/^https?:\/\/[^@\s]+$/i.test(v)) return true; // a URL without credentials
  return false;
}
