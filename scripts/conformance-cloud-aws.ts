// AWS cloud conformance: kubeward's EKS reader and rules against the EKS inputs of Kubescape's
// regolibrary in <corpora>/cloud-describe (see its expected.json, `regolibrary.inputs[]` with
// provider eks). Each input is read as given (kubeward recognises Kubescape's ClusterDescribe
// wrapper), run through the mapped rule alone, and its verdict compared with regolibrary's.
// Every disagreement must be explained in DELIBERATE below; unmapped regolibrary rules say why.
//   node dist/scripts/conformance-cloud-aws.js           writes docs/conformance-cloud-aws.md, prints a summary
//   node dist/scripts/conformance-cloud-aws.js --check   exits 1 on an unexplained disagreement, an
//                                                        unread input, or a stale docs file
// Corpora: $KUBEWARD_CORPORA, else <repo>/../shared/corpora. Not part of `npm test`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCloudTexts } from '../src/loaders/cloud/index.js';
import { ClusterState } from '../src/model/cluster-state.js';
import { runRules } from '../src/core/engine.js';
import { getRule } from '../src/rules/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DOC = path.join(ROOT, 'docs/conformance-cloud-aws.md');

/** regolibrary rule -> kubeward rule, or why there is none. */
const REGO_MAP: Record<string, { rule: string } | { unmapped: string }> = {
  'k8s-audit-logs-enabled-cloud': { rule: 'eks-control-plane-logging' },
  'ensure-endpointprivateaccess-is-enabled-and-endpointpublicaccess-is-disabled-eks': { rule: 'eks-public-endpoint-open' },
  'ensure-endpointpublicaccess-is-disabled-on-private-nodes-eks': { rule: 'eks-public-endpoint-open' },
  'ensure-endpointprivateaccess-is-enabled': {
    unmapped: 'the private endpoint flag alone is not an exposure; kubeward reports the public one (eks-public-endpoint-open) and says in that finding when the private endpoint is off',
  },
  'cluster-access-manager-api-eks': {
    unmapped: 'authentication mode CONFIG_MAP is not itself a risk: kubeward reads both aws-auth and access entries and reports who is admin either way (eks-aws-auth-system-masters, eks-access-entry-cluster-admin)',
  },
  'secret-etcd-encryption-cloud': { unmapped: 'envelope encryption of secrets with a KMS key: data at rest, outside kubeward\'s pillars' },
  'ensure-image-scanning-enabled-cloud': { unmapped: 'ECR scan-on-push (DescribeRepositories): supply chain, outside kubeward\'s pillars' },
  'ensure-aws-policies-are-present': { unmapped: 'a Kubescape aggregate (PolicyVersion of the node role) checking that ECR read policies exist: availability, not least privilege' },
  ensure_nodeinstancerole_has_right_permissions_for_ecr: {
    unmapped: 'a Kubescape aggregate (ListEntitiesForPolicies + PolicyVersion) asking for read-only ECR access on the node role; kubeward flags over-broad node roles instead (eks-node-role-overbroad)',
  },
};

/** Cases where kubeward deliberately disagrees, with the reason. */
const DELIBERATE: Record<string, string> = {
  'regolibrary:ensure-endpointprivateaccess-is-enabled-and-endpointpublicaccess-is-disabled-eks/failed_private_disabled':
    'public endpoint off: nothing is exposed (with the private one off too, the API is unreachable, which is an availability problem)',
  'regolibrary:ensure-endpointprivateaccess-is-enabled-and-endpointpublicaccess-is-disabled-eks/failed_public_enabled':
    'public endpoint restricted to one /32: publicAccessCidrs is the documented alternative to turning it off (CIS EKS 5.4.1), so kubeward passes it',
  'regolibrary:ensure-endpointprivateaccess-is-enabled-and-endpointpublicaccess-is-disabled-eks/failed_public_enabled_private_disabled':
    'same: the public endpoint only accepts one /32',
};

type Verdict = 'fail' | 'pass' | 'not assessed';

function corpora(): string {
  return process.env.KUBEWARD_CORPORA ?? path.resolve(ROOT, '../shared/corpora');
}

function main(): number {
  const check = process.argv.includes('--check');
  const base = path.join(corpora(), 'cloud-describe');
  if (!existsSync(path.join(base, 'expected.json'))) {
    console.error(`conformance-cloud-aws: ${base}/expected.json not found (set KUBEWARD_CORPORA)`);
    return 2;
  }
  const expected = JSON.parse(readFileSync(path.join(base, 'expected.json'), 'utf8'));
  const rows: Array<{ key: string; expect: 'fail' | 'pass'; rule: string; ours: Verdict; status: 'agree' | 'deliberate' | 'unexplained'; note?: string; message?: string }> = [];
  const unmapped = new Map<string, { cases: number; why: string }>();
  const problems: string[] = [];
  const used = new Set<string>();
  for (const inp of expected.regolibrary.inputs as Array<{ file: string; rule: string; case: string; provider: string[]; expect: 'fail' | 'pass' }>) {
    if (!inp.provider.includes('eks')) continue;
    const m = REGO_MAP[inp.rule];
    if (!m) {
      problems.push(`no mapping for regolibrary rule ${inp.rule}`);
      continue;
    }
    if ('unmapped' in m) {
      const u = unmapped.get(inp.rule) ?? { cases: 0, why: m.unmapped };
      u.cases++;
      unmapped.set(inp.rule, u);
      continue;
    }
    const r = parseCloudTexts([{ file: inp.file, text: readFileSync(path.join(base, inp.file), 'utf8') }]);
    const cluster = r.objects.find((o) => o.ref.kind === 'EKSCluster');
    if (!cluster) {
      problems.push(`${inp.file}: not read (${r.errors.map((e) => e.message).join('; ')})`);
      continue;
    }
    const rule = getRule(m.rule);
    if (!rule) {
      problems.push(`unknown kubeward rule ${m.rule}`);
      continue;
    }
    const { findings } = runRules(new ClusterState({ objects: r.objects, notAssessed: r.notAssessed }), [rule]);
    const ours: Verdict = findings.length > 0 ? 'fail' : 'pass';
    const key = `regolibrary:${inp.rule}/${inp.case}`;
    const message = findings[0]?.message;
    if (ours === inp.expect) rows.push({ key, expect: inp.expect, rule: m.rule, ours, status: 'agree', message });
    else if (DELIBERATE[key]) {
      used.add(key);
      rows.push({ key, expect: inp.expect, rule: m.rule, ours, status: 'deliberate', note: DELIBERATE[key], message });
    } else rows.push({ key, expect: inp.expect, rule: m.rule, ours, status: 'unexplained', message });
  }
  const stale = Object.keys(DELIBERATE).filter((k) => !used.has(k));
  const agree = rows.filter((r) => r.status === 'agree').length;
  const deliberate = rows.filter((r) => r.status === 'deliberate').length;
  const unexplained = rows.filter((r) => r.status === 'unexplained');
  const unmappedCases = [...unmapped.values()].reduce((n, u) => n + u.cases, 0);

  const out: string[] = [];
  out.push('# Cloud conformance (AWS / EKS)', '');
  out.push('Generated by `node dist/scripts/conformance-cloud-aws.js` from `../shared/corpora/cloud-describe` (see its `expected.json` for sources, commits and licences). Do not edit by hand.', '');
  out.push(
    `- Kubescape regolibrary EKS inputs: ${rows.length + unmappedCases} cases; ${rows.length} mapped to kubeward rules (${agree} agree, ${deliberate} deliberate disagreements, ${unexplained.length} unexplained); ${unmappedCases} in regolibrary rules kubeward does not map (below, with the reason).`,
  );
  out.push('- Each input is read as given: the `ClusterDescribe` wrapper with Go SDK field names is one of the shapes `--cloud` recognises (docs/cloud.md).', '');
  out.push('## Verdicts', '');
  out.push('| case | regolibrary | kubeward rule | kubeward | status | why / kubeward message |', '|---|---|---|---|---|---|');
  for (const r of rows) out.push(`| ${r.key} | ${r.expect} | ${r.rule} | ${r.ours} | ${r.status} | ${(r.note ?? r.message ?? '').replace(/\|/g, '\\|')} |`);
  out.push('', '## Regolibrary EKS rules not mapped', '');
  out.push('| regolibrary rule | cases | why |', '|---|---|---|');
  for (const [rule, u] of [...unmapped].sort()) out.push(`| ${rule} | ${u.cases} | ${u.why} |`);
  out.push('');
  const doc = out.join('\n');

  console.log(`conformance-cloud-aws: ${rows.length} mapped EKS cases: agree ${agree}, deliberate ${deliberate}, unexplained ${unexplained.length}; ${unmappedCases} unmapped`);
  for (const r of unexplained) console.log(`  UNEXPLAINED ${r.key} [${r.rule}]: regolibrary ${r.expect}, kubeward ${r.ours}`);
  for (const p of problems) console.log(`  PROBLEM ${p}`);
  for (const k of stale) console.warn(`  warning: DELIBERATE entry no longer needed: ${k}`);
  const have = existsSync(DOC) ? readFileSync(DOC, 'utf8') : undefined;
  if (!check) {
    if (have !== doc) writeFileSync(DOC, doc);
    console.log(`docs/conformance-cloud-aws.md ${have === doc ? 'unchanged' : 'written'}`);
    return problems.length > 0 ? 1 : 0;
  }
  let failed = unexplained.length > 0 || stale.length > 0 || problems.length > 0;
  if (have !== doc) {
    console.error('conformance-cloud-aws: docs/conformance-cloud-aws.md is out of date: run node dist/scripts/conformance-cloud-aws.js');
    failed = true;
  }
  return failed ? 1 : 0;
}

process.exit(main());
