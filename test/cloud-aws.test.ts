// AWS cloud context: raw CLI JSON recognised by shape and merged with positions, what is missing
// reported as not assessed with the permission that fixes it, the live collector (driven by recorded
// responses through its intercept hook), the IAM policy it ships, and provider applicability in scan.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadCloudInputs, parseCloudTexts, bundleToObjects, parseLiveSpec } from '../src/loaders/cloud/index.js';
import { AWS_COLLECTOR_ACTIONS, classifyAwsError, createAwsCollector } from '../src/loaders/cloud/aws/collect.js';
import { parseManifestText } from '../src/loaders/manifest.js';
import { ClusterState } from '../src/model/cluster-state.js';
import { scan } from '../src/core/scan.js';
import { allRules } from '../src/rules/index.js';
import { UserError, type LoadedObject } from '../src/core/types.js';
import { fromRoot } from './helpers/paths.js';
import { kubeward } from './helpers/cli.js';
import { AwsError, shopReplay, urlEncoded } from './helpers/aws-replay.js';

const SHOP = fromRoot('examples/shop');
const kube = (text: string): LoadedObject[] => parseManifestText(text, 'k8s.yaml').objects;
const shopKube = (): LoadedObject[] => parseManifestText(readFileSync(fromRoot('examples/shop/shop.yaml'), 'utf8'), 'examples/shop/shop.yaml').objects;
const settings = { rules: allRules, suppression: { excludeNamespaces: [], excludeResources: [], ignores: [], today: '2026-01-01' }, failOn: 'high' as const };
const scanWith = (objects: LoadedObject[], notAssessed: import('../src/core/types.js').NotAssessed[] = []) =>
  scan(new ClusterState({ objects, notAssessed }), settings as unknown as Parameters<typeof scan>[1]);
const ruleIds = (r: ReturnType<typeof scanWith>) => [...new Set(r.findings.map((f) => f.ruleId))].sort();

describe('--cloud FILE: raw AWS CLI output', () => {
  it('reads the example folder: every file recognised, merged into objects, nothing missing', async () => {
    const r = await loadCloudInputs([fromRoot('examples/shop/cloud')], { kubeObjects: shopKube() });
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.providers, ['aws']);
    const kinds = r.objects.map((o) => `${o.ref.kind}/${o.ref.name}`).sort();
    assert.deepEqual(kinds, [
      'CloudTrailTrail/shop-audit',
      'CloudWatchLogGroup//aws/eks/shop/cluster',
      'EC2InstanceMetadataDefaults/account',
      'EC2LaunchTemplateVersion/lt-0a1b2c3d4e5f60718:3',
      'EKSAccessEntry/arn:aws:iam::111122223333:role/platform-admins',
      'EKSAccessEntry/arn:aws:iam::111122223333:role/shop-node',
      'EKSCluster/shop',
      'EKSNodegroup/general',
      'IAMRole/shop-node',
      'IAMRole/shop-storefront',
    ]);
    assert.deepEqual(r.notAssessed, [], 'the example describes everything the AWS rules read');
    for (const o of r.objects) assert.equal(o.obj.metadata?.labels?.['cloud.kubeward.io/cluster'], 'shop');
  });

  it('locates merged fields in the file each came from', async () => {
    const r = await loadCloudInputs([fromRoot('examples/shop/cloud')]);
    const role = r.objects.find((o) => o.ref.name === 'shop-storefront')!;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const spec = (role.obj as any).spec;
    assert.equal(spec.attachedPolicies[0].Document.Statement[0].Action, 's3:*', 'get-policy-version document attached by file name');
    assert.equal(spec.inlinePolicies[0].PolicyName, 'storefront-workers');
    const at = (p: (string | number)[]) => role.locate(p);
    assert.match(at(['spec', 'attachedPolicies', 0, 'Document', 'Statement', 0])!.file, /shop-storefront-assets\.get-policy-version\.json$/);
    assert.equal(at(['spec', 'attachedPolicies', 0, 'Document', 'Statement', 0])!.line, 6);
    assert.match(at(['spec', 'inlinePolicies', 0, 'PolicyDocument', 'Statement', 0])!.file, /get-role-policy-storefront-workers\.json$/);
    assert.equal(at(['spec', 'inlinePolicies', 0, 'PolicyDocument', 'Statement', 0])!.line, 7);
    assert.match(at(['spec', 'AssumeRolePolicyDocument'])!.file, /get-role-shop-storefront\.json$/);
    const trail = r.objects.find((o) => o.ref.kind === 'CloudTrailTrail')!;
    assert.match(trail.locate(['spec', 'status', 'IsLogging'])!.file, /shop-audit\.get-trail-status\.json$/);
    assert.equal(trail.locate(['spec', 'status', 'IsLogging'])!.line, 2);
    assert.match(trail.locate(['spec', 'eventSelectors', 'EventSelectors', 0])!.file, /get-event-selectors-shop-audit\.json$/);
  });

  it('lists what is missing with the permission that would fix it', () => {
    const sa = kube(`apiVersion: v1
kind: ServiceAccount
metadata: {name: storefront, namespace: shop, annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::111122223333:role/shop-storefront"}}`);
    const r = parseCloudTexts([{ file: 'cluster.json', text: readFileSync(fromRoot('examples/shop/cloud/describe-cluster.json'), 'utf8') }], sa);
    assert.deepEqual(r.errors, []);
    const reasons = r.notAssessed.map((n) => `${n.what} :: ${n.reason}`);
    const has = (re: RegExp) => assert.ok(reasons.some((x) => re.test(x)), `expected ${re} in\n${reasons.join('\n')}`);
    has(/^cloud\.kubeward\.io\/IAMRole arn:aws:iam::111122223333:role\/shop-storefront :: iam:GetRole.*\(IRSA role of shop\/storefront\)/);
    has(/^cloud\.kubeward\.io\/CloudTrailTrail :: .*cloudtrail:DescribeTrails/);
    has(/^cloud\.kubeward\.io\/EKSNodegroup :: .*eks:ListNodegroups/);
    has(/^cloud\.kubeward\.io\/CloudWatchLogGroup :: .*logs:DescribeLogGroups/);
    has(/^cloud\.kubeward\.io\/EKSAccessEntry :: .*eks:ListAccessEntries/);
    // scan links each gap to the rules that read its kind, and no CloudTrail verdict is reached
    const res = scanWith([...sa, ...r.objects], r.notAssessed);
    const role = res.notAssessed.find((n) => n.what.includes('shop-storefront'))!;
    assert.ok(role.rules?.includes('eks-workload-role-overbroad'), JSON.stringify(role));
    assert.ok(!res.findings.some((f) => f.ruleId === 'cloudtrail-multi-region-logging'), 'no trail verdict without a trail listing');
  });

  it('an empty trail listing is a finding, a missing one is not', () => {
    const cluster = { file: 'c.json', text: readFileSync(fromRoot('examples/shop/cloud/describe-cluster.json'), 'utf8') };
    const without = parseCloudTexts([cluster]);
    const withEmpty = parseCloudTexts([cluster, { file: 'trails.json', text: '{"trailList": []}' }]);
    const f1 = scanWith(without.objects, without.notAssessed).findings.filter((f) => f.ruleId === 'cloudtrail-multi-region-logging');
    const f2 = scanWith(withEmpty.objects, withEmpty.notAssessed).findings.filter((f) => f.ruleId === 'cloudtrail-multi-region-logging');
    assert.equal(f1.length, 0);
    assert.equal(f2.length, 1);
    assert.match(f2[0].message, /no CloudTrail trail/);
  });

  it('a fragment that does not name its object must be named after it when ambiguous', () => {
    const role = (n: string) => ({ file: `${n}.json`, text: JSON.stringify({ Role: { RoleName: n, Arn: `arn:aws:iam::1:role/${n}` } }) });
    const attached = JSON.stringify({ AttachedPolicies: [{ PolicyName: 'AdministratorAccess', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }] });
    const bad = parseCloudTexts([role('a'), role('b'), { file: 'attached.json', text: attached }]);
    assert.equal(bad.errors.length, 1);
    assert.match(bad.errors[0].message, /cannot tell which IAMRole .*\(a, b\).*file name/);
    const good = parseCloudTexts([role('a'), role('b'), { file: 'b.attached-policies.json', text: attached }]);
    assert.deepEqual(good.errors, []);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    assert.equal((good.objects.find((o) => o.ref.name === 'b')!.obj as any).spec.attachedPolicies[0].PolicyName, 'AdministratorAccess');
  });

  it('decodes URL-encoded policy documents (the API form) and rejects unknown JSON with one line', () => {
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    const r = parseCloudTexts([
      { file: 'role.json', text: JSON.stringify({ Role: { RoleName: 'n', AssumeRolePolicyDocument: urlEncoded(trust) } }) },
      { file: 'other.json', text: '{"hello": "world"}' },
    ]);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    assert.deepEqual((r.objects[0].obj as any).spec.AssumeRolePolicyDocument, trust);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0].message, /not a recognised cloud description/);
  });

  it('documents every AWS shape in docs/cloud.md', async () => {
    const { SHAPES } = await import('../src/loaders/cloud/shapes.js');
    const doc = readFileSync(fromRoot('docs/cloud.md'), 'utf8');
    for (const s of SHAPES.filter((x) => x.provider === 'aws')) assert.ok(doc.includes(s.id.startsWith('aws ') ? s.id : 'ClusterDescribe'), `docs/cloud.md lacks ${s.id}`);
  });

  it('parses live specs', () => {
    assert.deepEqual(parseLiveSpec('aws:shop@eu-west-1'), { provider: 'aws', cluster: 'shop', region: 'eu-west-1' });
    assert.deepEqual(parseLiveSpec('aws:shop'), { provider: 'aws', cluster: 'shop' });
    assert.throws(() => parseLiveSpec('aws:bad name'), UserError);
  });
});

describe('live collection (recorded responses through the intercept hook)', () => {
  const target = { provider: 'aws' as const, cluster: 'shop', region: 'eu-west-1' };

  it('sends exactly the actions of deploy/aws-iam-policy.json and yields the expected findings', async () => {
    const sent = new Set<string>();
    const collector = createAwsCollector({ intercept: shopReplay(), onAction: (a) => sent.add(a) });
    const bundle = await collector.collect(target, { kubeObjects: shopKube(), now: () => new Date('2026-01-01T00:00:00Z') });
    const policy = JSON.parse(readFileSync(fromRoot('deploy/aws-iam-policy.json'), 'utf8')) as { Statement: Array<{ Effect: string; Action: string[]; Resource: string }> };
    const allowed = new Set(policy.Statement.flatMap((s) => (s.Effect === 'Allow' ? s.Action : [])));
    assert.deepEqual([...sent].sort(), [...allowed].sort(), 'actions sent == actions allowed by the shipped policy');
    assert.deepEqual([...allowed].sort(), [...AWS_COLLECTOR_ACTIONS].sort());
    for (const s of policy.Statement) assert.ok(s.Action.every((a) => /^[a-z0-9-]+:(Describe|List|Get)[A-Za-z]+$/.test(a)), 'read-only actions only');

    assert.deepEqual(bundle.notAssessed, []);
    assert.equal(bundle.metadata.partial, false);
    assert.deepEqual(bundle.metadata.listed, ['CloudTrailTrail', 'CloudWatchLogGroup', 'EKSAccessEntry', 'EKSAddon', 'EKSNodegroup', 'EKSPodIdentityAssociation']);
    const roles = bundle.items.filter((i) => i.kind === 'IAMRole').map((i) => i.metadata!.name).sort();
    assert.deepEqual(roles, ['payments-ledger', 'shop-node', 'shop-storefront', 'shop-vpc-cni']);
    // documents arrive URL-encoded from IAM and are stored parsed
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const sf = bundle.items.find((i) => i.metadata!.name === 'shop-storefront') as any;
    assert.equal(sf.spec.AssumeRolePolicyDocument.Statement[0].Action, 'sts:AssumeRoleWithWebIdentity');
    assert.equal(sf.spec.attachedPolicies[0].Document.Statement[0].Action, 's3:*');

    const loaded = bundleToObjects(JSON.parse(JSON.stringify(bundle)), 'aws:shop', shopKube());
    assert.deepEqual(loaded.errors, []);
    const res = scanWith([...shopKube(), ...loaded.objects], loaded.notAssessed);
    const aws = ruleIds(res).filter((id) => /^(eks|cloudtrail)-/.test(id));
    assert.deepEqual(aws, [
      'cloudtrail-multi-region-logging',
      'eks-access-entry-cluster-admin',
      'eks-cluster-creator-admin',
      'eks-control-plane-logging',
      'eks-irsa-trust-not-pinned',
      'eks-log-group-retention',
      'eks-node-imds-hop-limit',
      'eks-node-imdsv1-allowed',
      'eks-public-endpoint-open',
      'eks-workload-role-overbroad',
    ]);
    const ledger = res.findings.find((f) => f.ruleId === 'eks-workload-role-overbroad' && f.resource.name === 'payments-ledger');
    assert.match(ledger!.message, /ServiceAccount payments\/ledger \(Pod Identity association a-0ledger0000000001\) -> IAM role payments-ledger: allows \* on \*/);
    assert.equal(ledger!.severity, 'critical');
  });

  it('an AccessDenied call leaves that piece not assessed, naming the action; the rest is collected', async () => {
    const collector = createAwsCollector({
      intercept: shopReplay({ 'cloudtrail:GetTrailStatus': new AwsError('AccessDeniedException', 'User: arn:aws:sts::111122223333:assumed-role/kubeward/ci is not authorized to perform: cloudtrail:GetTrailStatus', 403) }),
    });
    const bundle = await collector.collect(target, { kubeObjects: shopKube() });
    assert.equal(bundle.metadata.partial, true);
    assert.equal(bundle.notAssessed.length, 1);
    assert.equal(bundle.notAssessed[0].what, 'cloud.kubeward.io/CloudTrailTrail shop-audit');
    assert.match(bundle.notAssessed[0].reason, /^cloudtrail:GetTrailStatus on trail shop-audit was denied/);
    const loaded = bundleToObjects(bundle, 'aws:shop');
    const res = scanWith(loaded.objects, loaded.notAssessed);
    // The single-region trail fails whatever its status: still reported.
    assert.ok(res.findings.some((f) => f.ruleId === 'cloudtrail-multi-region-logging'));
    assert.ok(res.notAssessed.some((n) => n.rules?.includes('cloudtrail-multi-region-logging')));
  });

  it('no credentials, expired credentials and an unknown cluster are one clear line', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), /^no AWS credentials found for EKS cluster shop in eu-west-1 \(set AWS_PROFILE/],
      [new AwsError('ExpiredTokenException', 'The security token included in the request is expired', 403), /^AWS credentials have expired/],
      [new AwsError('ResourceNotFoundException', 'No cluster found for name: shop.', 404), /^EKS cluster shop in eu-west-1 not found/],
      [new AwsError('ThrottlingException', 'Rate exceeded', 429), /^AWS kept throttling/],
    ];
    for (const [err, re] of cases) {
      const collector = createAwsCollector({ intercept: shopReplay({ 'eks:DescribeCluster': err }) });
      await assert.rejects(collector.collect(target, {}), (e: unknown) => e instanceof UserError && re.test(e.message) && !e.message.includes('\n'));
    }
    // Everything denied: nothing collected -> one line, exit 2.
    const denied = createAwsCollector({ intercept: () => new AwsError('AccessDeniedException', 'not authorized', 403) });
    await assert.rejects(denied.collect(target, {}), (e: unknown) => e instanceof UserError && /access denied reading EKS cluster shop/.test(e.message) && e.exitCode === 2);
  });

  it('classifies SDK errors', () => {
    assert.equal(classifyAwsError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })).kind, 'unreachable');
    assert.equal(classifyAwsError(new AwsError('UnauthorizedOperation', 'You are not authorized', 403)).kind, 'denied');
    assert.equal(classifyAwsError(new AwsError('NoSuchEntity', 'role', 404)).kind, 'not-found');
  });
});

describe('provider applicability in scan', () => {
  const awsRules = allRules.filter((r) => r.meta.provider === 'aws').map((r) => r.meta.id);
  it('no cloud description: one "cloud context" entry listing the rules that need one', () => {
    const res = scanWith(shopKube());
    const entries = res.notAssessed.filter((n) => n.what.startsWith('cloud context'));
    assert.equal(entries.length, 1);
    assert.ok(awsRules.filter((id) => id !== 'eks-aws-auth-system-masters').every((id) => entries[0].rules!.includes(id)));
    assert.ok(!entries[0].rules!.includes('eks-aws-auth-system-masters'), 'aws-auth is read from Kubernetes objects');
  });
  it('an EKS node without a cloud description: AWS rules not assessed, other clouds not applicable', () => {
    const node = kube(`apiVersion: v1
kind: Node
metadata: {name: ip-10-0-1-23.eu-west-1.compute.internal, labels: {eks.amazonaws.com/nodegroup: general}}`);
    const res = scanWith(node);
    const e = res.notAssessed.filter((n) => n.what.startsWith('cloud context'));
    assert.equal(e.length, 1);
    assert.equal(e[0].what, 'cloud context (aws)');
    assert.match(e[0].reason, /runs on EKS \(AWS\) \(node label eks\.amazonaws\.com\/nodegroup on Node ip-10-0-1-23/);
    // Other clouds' rules, and self-managed control-plane checks (EKS runs the control plane).
    const others = allRules.filter((r) => (r.meta.provider && r.meta.provider !== 'aws') || r.meta.controlPlane === 'self-managed').length;
    assert.equal(res.summary.notApplicable ?? 0, others);
  });
});

describe('kubeward scan --cloud', () => {
  it('the README quick start scans the example with its cloud context (exit 1, AWS findings with file:line)', async () => {
    const r = await kubeward(['scan', SHOP, '--cloud', fromRoot('examples/shop/cloud'), '--format', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const j = r.json();
    assert.deepEqual(j.errors, []);
    const f = j.findings.find((x: { ruleId: string }) => x.ruleId === 'eks-node-imdsv1-allowed');
    assert.match(f.location.file, /describe-launch-template-versions\.json$/);
    assert.equal(f.location.line, 25);
    assert.match(f.evidence.awsCli, /^aws ec2 create-launch-template-version --launch-template-id lt-0a1b2c3d4e5f60718 --source-version 3 /);
    assert.match(f.evidence.terraform, /http_tokens\s+= "required"/);
  });
  it('a malformed live spec or a missing file is a clear error', async () => {
    const bad = await kubeward(['scan', SHOP, '--cloud', 'aws:not a name']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--cloud aws:not a name: an EKS cluster name/);
    const missing = await kubeward(['scan', SHOP, '--cloud', 'nope.json', '--format', 'json']);
    assert.equal(missing.code, 2);
    assert.match(JSON.stringify(missing.json().errors), /nope\.json.*no such file or folder/);
  });
});

describe('IAM semantics (src/analysis/identity/aws-iam.ts)', async () => {
  const { broadGrants, webIdentityTrust, broadResource, globMatch } = await import('../src/analysis/identity/aws-iam.js');
  const role = (spec: object): LoadedObject => parseCloudTexts([{ file: 'r.json', text: JSON.stringify({ Role: { RoleName: 'r', ...spec } }) }]).objects[0];
  const inline = (...Statement: object[]) => parseCloudTexts([{ file: 'r.json', text: JSON.stringify({ RoleName: 'r', PolicyName: 'p', PolicyDocument: { Statement } }) }]).objects[0];

  it('matches actions case-insensitively with * and ?', () => {
    assert.ok(globMatch('IAM:Pass*', 'iam:PassRole'));
    assert.ok(globMatch('s3:Get?bject', 's3:GetObject'));
    assert.ok(!globMatch('ec2:Describe*', 'ec2:ModifyInstanceMetadataOptions'));
  });
  it('treats only whole-account or whole-type resources as broad', () => {
    assert.equal(broadResource({ Resource: 'arn:aws:s3:::shop-assets/*' }), undefined);
    assert.equal(broadResource({ Resource: 'arn:aws:s3:::*' }), 'arn:aws:s3:::*');
    assert.equal(broadResource({ Resource: ['arn:aws:iam::111122223333:role/*'] }), 'arn:aws:iam::111122223333:role/*');
    assert.equal(broadResource({ Resource: 'arn:aws:iam::111122223333:role/app-*' }), undefined);
  });
  it('reports iam:* once as a sensitive service wildcard, and escalation hidden in a wider pattern', () => {
    const g = broadGrants(inline({ Effect: 'Allow', Action: 'iam:*', Resource: '*' }, { Effect: 'Allow', Action: 'sts:Assume*', Resource: '*' })).grants;
    assert.deepEqual(g.map((x) => `${x.level} ${x.action}`), ['service-wildcard iam:*', 'escalation sts:AssumeRole']);
    assert.equal(g[0].sensitive, true);
  });
  it('an unconditional Deny removes an escalation action', () => {
    const g = broadGrants(inline({ Effect: 'Allow', Action: ['iam:PassRole', 'iam:AttachRolePolicy'], Resource: '*' }, { Effect: 'Deny', Action: 'iam:PassRole', Resource: '*' })).grants;
    assert.deepEqual(g.map((x) => x.action), ['iam:AttachRolePolicy']);
  });
  it('IfExists conditions do not pin the subject; StringEquals with two subjects does', () => {
    const iss = 'oidc.eks.eu-west-1.amazonaws.com/id/X';
    const trust = (Condition: object) =>
      role({ AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::1:oidc-provider/${iss}` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition }] } });
    const ifExists = webIdentityTrust(trust({ StringEqualsIfExists: { [`${iss}:sub`]: 'system:serviceaccount:a:b' }, StringEquals: { [`${iss}:aud`]: 'sts.amazonaws.com' } }));
    assert.deepEqual(ifExists.problems.map((p) => p.kind), ['no-sub']);
    const two = webIdentityTrust(trust({ StringEquals: { [`${iss}:sub`]: ['system:serviceaccount:a:b', 'system:serviceaccount:a:c'], [`${iss}:aud`]: 'sts.amazonaws.com' } }));
    assert.deepEqual(two.problems, []);
    assert.deepEqual(two.statements[0].subjects, ['system:serviceaccount:a:b', 'system:serviceaccount:a:c']);
  });
});
