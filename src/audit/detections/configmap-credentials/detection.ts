// Credentials written into ConfigMaps: readable by anyone who can read configmaps (a much wider
// audience than secrets), shown by `kubectl describe`, copied into logs. Values are never printed.
import { defineDetection } from '../types.js';
import { bodyOf, did, isObj, MUTATING_VERBS, succeeded, target, who } from '../_lib.js';

interface ValuePattern {
  id: string;
  re: RegExp;
}

export const CREDENTIAL_PATTERNS: readonly ValuePattern[] = [
  { id: 'aws-access-key-id', re: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { id: 'aws-secret-access-key', re: /aws_secret_access_key\s*[=:]\s*\S{8,}/i },
  { id: 'private-key', re: /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/ },
  { id: 'password-assignment', re: /\b(password|passwd|pwd|secret|token|api[_-]?key|client[_-]?secret)\s*[=:]\s*["']?(?![$<{%])[^\s"',;]{6,}/i },
  { id: 'url-with-password', re: /\b[a-z][a-z0-9+.-]*:\/\/[^:\s/@]+:(?![$<{%])[^@\s/]{3,}@/i },
  { id: 'github-token', re: /\bgh[pousr]_[A-Za-z0-9]{36}\b/ },
  { id: 'slack-token', re: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
  { id: 'jwt', re: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/ },
];

const SECRET_KEY = /(password|passwd|secret|token|api[-_.]?key|access[-_.]?key|private[-_.]?key|credentials?|client[-_.]?secret)/i;
/** Values that name or point at something (resource names with - or ., words, paths, placeholders) rather than being a credential. */
const NOT_A_VALUE = /^([a-z0-9]+([-.][a-z0-9]+)+|[a-z]+|\d+|true|false|yes|no|null|none|\/[\w./-]*|\$\{?\w+\}?|<[^>]*>|\{\{.*\}\}|\*+|x+|changeme|example)$/i;

export default defineDetection({
  meta: {
    id: 'configmap-credentials',
    title: 'Credentials stored in a ConfigMap',
    severity: 'medium',
    mitre: ['T1552.001', 'T1552.007'],
    description:
      'A ConfigMap was created or changed with data that looks like a credential: an AWS access key, a private key, a password or token assignment, a URL with a password, or a key named like a secret holding a secret-looking value. ConfigMaps are not meant for secrets and are readable far more widely than Secrets. Needs Request-level audit logging for configmaps; values are never reported, only the keys.',
    allowList: 'platform',
    needs: 'Request',
  },
  on: { resources: ['configmaps'] },
  check(ev, ctx) {
    const ref = ev.objectRef;
    if (!ref || ref.subresource || !MUTATING_VERBS.has(ev.verb)) return;
    const data = bodyOf(ev)?.data;
    if (!isObj(data)) return;
    const hits: Array<{ key: string; patterns: string[] }> = [];
    for (const [key, v] of Object.entries(data)) {
      if (typeof v !== 'string' || v === '') continue;
      const patterns = CREDENTIAL_PATTERNS.filter((p) => p.re.test(v)).map((p) => p.id);
      if (patterns.length === 0 && SECRET_KEY.test(key) && v.length >= 8 && !/\s/.test(v.trim()) && !NOT_A_VALUE.test(v.trim())) patterns.push('secret-named-key');
      if (patterns.length > 0) hits.push({ key, patterns });
    }
    if (hits.length === 0 || !succeeded(ev) || ctx.allowed(ev)) return;
    ctx.report(ev, {
      message: `${who(ev)} ${did(ev)} ConfigMap ${target(ev)} with credential-like data in key${hits.length > 1 ? 's' : ''} ${hits.map((h) => h.key).join(', ')} (values not shown)`,
      evidence: { keys: hits },
    });
  },
});
