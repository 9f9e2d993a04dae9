// Cloud conformance: kubeward's Azure and GCP cloud readers and rules against real third-party data in
// <corpora>/cloud-describe (see its expected.json):
//   1. GKE facts: 28 real `gcloud container clusters describe` outputs (terraform-google-kubernetes-engine
//      golden files); every `facts` field must equal what our parser + model (src/cloud/gke.ts) expose.
//   2. Checkov's AKS ARM template checks: per managedClusters resource, our rule's verdict against the
//      PASSED/FAILED verdict of the example file; upstream totals shown beside ours.
//   3. Kubescape regolibrary cloud inputs (AKS and GKE ClusterDescribe objects) mapped to our rules.
// Every disagreement must be explained in DELIBERATE below.
//   node dist/scripts/conformance-cloud.js           writes docs/conformance-cloud.md, prints a summary
//   node dist/scripts/conformance-cloud.js --check   exits 1 on a fact mismatch, an unexplained
//                                                    disagreement, or a stale docs/conformance-cloud.md
// Corpora: $KUBEWARD_CORPORA, else <repo>/../shared/corpora. Not part of `npm test`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCloudTexts } from '../src/loaders/cloud/index.js';
import { ClusterState } from '../src/model/cluster-state.js';
import { runRules } from '../src/core/engine.js';
import { allRules, getRule } from '../src/rules/index.js';
import { gkeFacts } from '../src/cloud/gke.js';
import type { LoadedObject } from '../src/core/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DOC = path.join(ROOT, 'docs/conformance-cloud.md');

type Verdict = 'fail' | 'pass' | 'not assessed';

/** Checkov check -> kubeward rule (and the message ids that count), or why there is none. */
const CHECKOV_MAP: Record<string, { rule: string; messageIds?: string[] } | { unmapped: string }> = {
  CKV_AZURE_4: { rule: 'aks-audit-diagnostic-setting', messageIds: ['none', 'noDestination', 'adminOnly'] },
  CKV_AZURE_5: { rule: 'aks-rbac-disabled' },
  CKV_AZURE_6: { rule: 'aks-api-server-public' },
  CKV_AZURE_7: { rule: 'aks-network-policy-missing' },
  CKV_AZURE_141: { rule: 'aks-local-accounts' },
  CKV_AZURE_8: { unmapped: 'Kubernetes dashboard add-on: removed from AKS since Kubernetes 1.19 (the add-on profile is ignored); not a check kubeward makes' },
  CKV_AZURE_168: { unmapped: 'max pods per node >= 50: capacity, not security' },
  CKV_AZURE_169: { unmapped: 'VirtualMachineScaleSets agent pools: availability, not security' },
  CKV_AZURE_171: { unmapped: 'automatic upgrade channel: patch hygiene, outside kubeward\'s pillars' },
  CKV_AZURE_172: { unmapped: 'Secrets Store CSI driver secret rotation: outside kubeward\'s pillars' },
  CKV_AZURE_226: { unmapped: 'ephemeral OS disks: node hardening, outside kubeward\'s pillars' },
  CKV_AZURE_227: { unmapped: 'encryption at host: data-at-rest encryption, outside kubeward\'s pillars' },
};

/** regolibrary rule -> kubeward rule, or why there is none. */
const REGO_MAP: Record<string, { rule: string } | { unmapped: string }> = {
  'rbac-enabled-cloud': { rule: 'aks-rbac-disabled' },
  'restrict-access-to-the-control-plane-endpoint': { rule: 'aks-api-server-public' },
  'ensure-clusters-are-created-with-private-endpoint-enabled-and-public-access-disabled': { rule: 'aks-api-server-public' },
  'rule-cni-enabled-aks': { rule: 'aks-network-policy-missing' },
  'k8s-audit-logs-enabled-cloud': { rule: 'gke-control-plane-logging' },
  'ensure-clusters-are-created-with-private-nodes': { unmapped: 'AKS nodes have no public IPs unless enableNodePublicIP is set; kubeward does not check node IPs' },
  'secret-etcd-encryption-cloud': { unmapped: 'etcd encryption with customer keys: data-at-rest, outside kubeward\'s pillars' },
  'ensure-image-vulnerability-scanning-using-azure-defender-image-scanning-or-a-third-party-provider': { unmapped: 'Defender image scanning: supply chain, outside kubeward\'s pillars' },
  'ensure-image-scanning-enabled-cloud': { unmapped: 'registry image scanning (DescribeRepositories): supply chain, outside kubeward\'s pillars' },
  'ensure-service-principle-has-read-only-permissions': { unmapped: 'a Kubescape-specific aggregate (ListEntitiesForPolicies) of ACR role definitions, not an Azure API output' },
  'list-role-definitions-in-acr': { unmapped: 'a listing that always alerts (no verdict)' },
  'list-iam-policies-in-gcp': { unmapped: 'a listing that always alerts (no verdict)' },
  'ensure-azure-rbac-is-set': {
    unmapped:
      'Azure RBAC for Kubernetes authorisation is one of two sound choices: Kubernetes RBAC bound to Entra ID groups is the other, so kubeward does not require it; it reports what bypasses both (aks-local-accounts, aks-rbac-disabled)',
  },
  'psp-enabled-cloud': { unmapped: 'PodSecurityPolicy was removed in Kubernetes 1.25; kubeward checks Pod Security admission labels instead' },
};

/** Explained disagreements, keyed "<source>:<case>". */
const OMS = 'Checkov passes a cluster whose OMS agent (Container insights) add-on is on: that ships container logs and metrics, not the Kubernetes audit log. kubeward asks for a diagnostic setting with kube-audit';
const DELIBERATE: Record<string, string> = {
  'checkov:CKV_AZURE_4/aksLoggingEnabled-PASSED.json': `${OMS}; this template has none, so the audit posture is not assessed (the diagnostic settings were not given), never passed`,
  'checkov:CKV_AZURE_4/aksLoggingEnabled-FAILED.json': `${OMS}; this template has no diagnostic setting, so kubeward reports not assessed rather than a verdict`,
  'checkov:CKV_AZURE_4/AKSLoggingEnabled-FAILED2.json': `${OMS}; this template has no diagnostic setting, so kubeward reports not assessed rather than a verdict`,
  'checkov:CKV_AZURE_4/aksLoggingEnabled-FAILED3.json': `${OMS}; this template has a managedClusters/providers/diagnosticSettings child resource sending kube-audit to a workspace, storage account and Event Hub: the audit log is kept, so kubeward passes it (it reports the missing guard category separately, at low severity)`,
  'regolibrary:ensure-clusters-are-created-with-private-endpoint-enabled-and-public-access-disabled/success':
    'the success input is public (publicNetworkAccess Enabled, no apiServerAccessProfile: not private, no authorised IP ranges) and differs from the failing input only in its name and fqdn; kubeward reports a public API server without IP restriction',
};

interface Row {
  source: 'checkov' | 'regolibrary';
  key: string;
  peer: string;
  peerExpect: 'fail' | 'pass';
  rule: string;
  ours: Verdict;
  status: 'agree' | 'deliberate' | 'unexplained';
  note?: string;
}

function verdict(ruleId: string, objects: LoadedObject[], notAssessed: ClusterState['notAssessed'], target: LoadedObject, messageIds?: string[]): Verdict {
  const rule = getRule(ruleId);
  if (!rule) throw new Error(`no rule ${ruleId}`);
  const state = new ClusterState({ objects, notAssessed: [...notAssessed] });
  const { findings, ruleErrors } = runRules(state, [rule]);
  if (ruleErrors.length > 0) throw new Error(`${ruleId}: ${ruleErrors[0].message}`);
  const mine = findings.filter((f) => f.resource.name === target.ref.name && f.resource.kind === target.ref.kind && (!messageIds || messageIds.includes(f.messageId)));
  // Findings on other objects about this cluster (its diagnostic settings) count too.
  const related = findings.filter((f) => f.resource.kind !== target.ref.kind && (!messageIds || messageIds.includes(f.messageId)));
  if (mine.length + related.length > 0) return 'fail';
  const gap = notAssessed.some((n) => rule.meta.reads?.includes(n.what.split(' ')[0]));
  return gap ? 'not assessed' : 'pass';
}

function main(): number {
  const check = process.argv.includes('--check');
  const corpora = path.resolve(process.env.KUBEWARD_CORPORA || path.join(ROOT, '../shared/corpora'));
  const base = path.join(corpora, 'cloud-describe');
  if (!existsSync(base)) {
    console.error(`conformance-cloud: corpus not found at ${base} (set KUBEWARD_CORPORA)`);
    return 2;
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const expected = JSON.parse(readFileSync(path.join(base, 'expected.json'), 'utf8')) as any;
  const out: string[] = [];
  const used = new Set<string>();

  // 1. GKE facts.
  const factRows: Array<{ fixture: string; compared: number; mismatches: string[] }> = [];
  const gcpFindings = new Map<string, Set<string>>();
  for (const c of expected.gke.clusters as Array<{ file: string; fixture: string; facts: Record<string, unknown> }>) {
    const text = readFileSync(path.join(base, c.file), 'utf8');
    const r = parseCloudTexts([{ file: c.file, text }]);
    const cluster = r.objects.find((o) => o.ref.kind === 'GKECluster');
    const mismatches: string[] = [];
    if (!cluster || r.errors.length > 0) {
      mismatches.push(`not read as a GKE cluster: ${r.errors.map((e) => e.message).join('; ')}`);
    } else {
      const ours = gkeFacts((cluster.obj as { spec: unknown }).spec) as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(c.facts)) {
        if (!(k in ours)) mismatches.push(`${k}: not exposed`);
        else if (JSON.stringify(canon(ours[k])) !== JSON.stringify(canon(v))) mismatches.push(`${k}: corpus ${JSON.stringify(v)}, kubeward ${JSON.stringify(ours[k])}`);
      }
    }
    factRows.push({ fixture: c.fixture, compared: Object.keys(c.facts).length, mismatches });
    // Smoke: every GCP rule over the real describe (findings are informative; a rule error fails).
    if (cluster) {
      const { findings, ruleErrors } = runRules(new ClusterState({ objects: r.objects, notAssessed: r.notAssessed }), allRules.filter((x) => x.meta.provider === 'gcp'));
      for (const e of ruleErrors) mismatches.push(`rule ${e.ruleId} threw: ${e.message}`);
      for (const f of findings) gcpFindings.set(f.ruleId, (gcpFindings.get(f.ruleId) ?? new Set()).add(c.fixture));
    }
  }

  // 2. Checkov AKS ARM checks.
  const rows: Row[] = [];
  const checkovTotals: Array<{ checkId: string; name: string; rule: string; upstream: string; ours: string }> = [];
  for (const chk of expected.aksArm.checks as Array<{ checkId: string; checkName: string; dir: string; files: string[]; passed: number; failed: number }>) {
    const m = CHECKOV_MAP[chk.checkId];
    if (!m) throw new Error(`no mapping for ${chk.checkId}`);
    if ('unmapped' in m) {
      checkovTotals.push({ checkId: chk.checkId, name: chk.checkName.trim(), rule: `— (${m.unmapped})`, upstream: `${chk.passed} pass / ${chk.failed} fail`, ours: '' });
      continue;
    }
    const tally = { pass: 0, fail: 0, 'not assessed': 0 };
    for (const file of chk.files) {
      const text = readFileSync(path.join(base, chk.dir, file), 'utf8');
      const r = parseCloudTexts([{ file, text }]);
      const clusters = r.objects.filter((o) => o.ref.kind === 'AKSCluster');
      const hint: 'fail' | 'pass' = /fail/i.test(file) ? 'fail' : 'pass';
      for (const c of clusters) {
        const ours = verdict(m.rule, r.objects, r.notAssessed, c, m.messageIds);
        tally[ours]++;
        const key = `checkov:${chk.checkId}/${file}`;
        rows.push(row('checkov', key, chk.checkId, hint, m.rule, ours, used));
      }
    }
    checkovTotals.push({
      checkId: chk.checkId,
      name: chk.checkName.trim(),
      rule: m.rule,
      upstream: `${chk.passed} pass / ${chk.failed} fail`,
      ours: `${tally.pass} pass / ${tally.fail} fail${tally['not assessed'] ? ` / ${tally['not assessed']} not assessed` : ''}`,
    });
  }

  // 3. regolibrary cloud inputs (AKS and GKE).
  const unmappedRego: Array<{ rule: string; cases: number; why: string }> = [];
  for (const inp of expected.regolibrary.inputs as Array<{ file: string; rule: string; case: string; provider: string[]; expect: 'fail' | 'pass' }>) {
    if (inp.provider.includes('eks')) continue; // EKS inputs: the AWS rules' own harness
    const m = REGO_MAP[inp.rule];
    if (!m) throw new Error(`no mapping for regolibrary rule ${inp.rule}`);
    if ('unmapped' in m) {
      const u = unmappedRego.find((x) => x.rule === inp.rule);
      if (u) u.cases++;
      else unmappedRego.push({ rule: inp.rule, cases: 1, why: m.unmapped });
      continue;
    }
    // Read as given: kubeward recognises Kubescape's ClusterDescribe wrapper.
    const r = parseCloudTexts([{ file: inp.file, text: readFileSync(path.join(base, inp.file), 'utf8') }]);
    const target = r.objects.find((o) => o.ref.kind === 'AKSCluster' || o.ref.kind === 'GKECluster');
    if (!target) throw new Error(`${inp.file}: not read (${r.errors.map((e) => e.message).join('; ')})`);
    const ours = verdict(m.rule, r.objects, r.notAssessed, target);
    rows.push(row('regolibrary', `regolibrary:${inp.rule}/${inp.case}`, inp.rule, inp.expect, m.rule, ours, used));
  }
  const stale = Object.keys(DELIBERATE).filter((k) => !used.has(k));

  // Report.
  const factTotal = factRows.reduce((n, r) => n + r.compared, 0);
  const factBad = factRows.reduce((n, r) => n + r.mismatches.length, 0);
  const agree = rows.filter((r) => r.status === 'agree').length;
  const deliberate = rows.filter((r) => r.status === 'deliberate').length;
  const unexplained = rows.filter((r) => r.status === 'unexplained');
  out.push('# Cloud conformance (Azure and GCP)', '');
  out.push('Generated by `node dist/scripts/conformance-cloud.js` from `../shared/corpora/cloud-describe` (see its `expected.json` for sources, commits and licences). Do not edit by hand.', '');
  out.push(`- GKE describe facts: ${factRows.length} real clusters, ${factTotal} facts compared, ${factTotal - factBad} equal, ${factBad} different.`);
  out.push(`- Verdicts (Checkov AKS ARM checks and Kubescape regolibrary AKS/GKE inputs, mapped to kubeward rules): ${rows.length} cases, ${agree} agree, ${deliberate} deliberate disagreements, ${unexplained.length} unexplained.`);
  out.push('');
  out.push('## 1. GKE: `gcloud container clusters describe` facts', '');
  out.push('Every `facts` field of `expected.json` (`gke.clusters[]`) against `gkeFacts()` of `src/cloud/gke.ts`, the reading the GKE rules use, after the file went through the `--cloud` loader.', '');
  out.push('| fixture | facts | result |', '|---|---|---|');
  for (const r of factRows) out.push(`| ${r.fixture} | ${r.compared} | ${r.mismatches.length === 0 ? 'all equal' : r.mismatches.join('<br>')} |`);
  out.push('');
  out.push('GCP rules run over the same 28 clusters (cluster description only: IAM-dependent rules are not assessed). Clusters each rule reports:', '');
  out.push('| rule | clusters |', '|---|---|');
  for (const r of allRules.filter((x) => x.meta.provider === 'gcp')) {
    const hit = [...(gcpFindings.get(r.meta.id) ?? [])].sort();
    out.push(`| ${r.meta.id} | ${hit.length === 0 ? '0' : `${hit.length}: ${hit.join(', ')}`} |`);
  }
  out.push('');
  out.push('## 2. Checkov AKS ARM checks', '');
  out.push('Each `Microsoft.ContainerService/managedClusters` resource of the example files, scanned with only the mapped rule; the expected verdict is the PASSED/FAILED hint of the file name. Upstream totals are Checkov\'s own counts (Checkov leaves some resources out of its count: see the notes).', '');
  out.push('| check | name | kubeward rule | Checkov | kubeward |', '|---|---|---|---|---|');
  for (const t of checkovTotals) out.push(`| ${t.checkId} | ${t.name} | ${t.rule} | ${t.upstream} | ${t.ours} |`);
  out.push('');
  out.push('## 3. Verdicts and disagreements', '');
  out.push('| case | expected | kubeward rule | kubeward | status | why |', '|---|---|---|---|---|---|');
  for (const r of rows) out.push(`| ${r.key} | ${r.peerExpect} | ${r.rule} | ${r.ours} | ${r.status} | ${r.note ?? ''} |`);
  out.push('');
  out.push('## 4. Regolibrary cloud rules not mapped', '');
  out.push('| regolibrary rule | cases | why |', '|---|---|---|');
  for (const u of unmappedRego) out.push(`| ${u.rule} | ${u.cases} | ${u.why} |`);
  out.push('', 'EKS inputs of the corpus are compared by the AWS rules\' harness, not here.', '');
  const doc = out.join('\n');

  console.log(`conformance-cloud: GKE facts ${factTotal - factBad}/${factTotal} equal over ${factRows.length} clusters; verdicts ${rows.length}: agree ${agree}, deliberate ${deliberate}, unexplained ${unexplained.length}`);
  for (const r of factRows) for (const m of r.mismatches) console.log(`  FACT ${r.fixture}: ${m}`);
  for (const r of unexplained) console.log(`  UNEXPLAINED ${r.key} [${r.rule}]: expected ${r.peerExpect}, kubeward ${r.ours}`);
  for (const k of stale) console.warn(`  warning: DELIBERATE entry no longer needed: ${k}`);
  const have = existsSync(DOC) ? readFileSync(DOC, 'utf8') : undefined;
  if (!check) {
    if (have !== doc) writeFileSync(DOC, doc);
    console.log(`docs/conformance-cloud.md ${have === doc ? 'unchanged' : 'written'}`);
    return 0;
  }
  let failed = factBad > 0 || unexplained.length > 0 || stale.length > 0;
  if (have !== doc) {
    console.error('conformance-cloud: docs/conformance-cloud.md is out of date: run node dist/scripts/conformance-cloud.js');
    failed = true;
  }
  return failed ? 1 : 0;
}

function row(source: Row['source'], key: string, peer: string, peerExpect: 'fail' | 'pass', rule: string, ours: Verdict, used: Set<string>): Row {
  if (ours === peerExpect) return { source, key, peer, peerExpect, rule, ours, status: 'agree' };
  const why = DELIBERATE[key];
  if (why) {
    used.add(key);
    return { source, key, peer, peerExpect, rule, ours, status: 'deliberate', note: why };
  }
  return { source, key, peer, peerExpect, rule, ours, status: 'unexplained' };
}

/** Facts compare as JSON with object keys sorted. */
function canon(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])]));
  return v;
}

process.exit(main());
