// End to end against a real AWS emulator: moto's server (scripts/testenv/moto.sh). The test builds
// the "shop" EKS cluster in moto with the AWS SDK, then runs `kubeward cloud collect aws` and
// `kubeward scan examples/shop --cloud aws:shop` as child processes (endpoint through
// AWS_ENDPOINT_URL, fake credentials) and checks the findings.
//
// moto 5.2.5 does not implement some APIs the collector calls: EKS access entries
// (ListAccessEntries, DescribeAccessEntry, ListAssociatedAccessPolicies), EKS Pod Identity
// (ListPodIdentityAssociations, DescribePodIdentityAssociation), EKS add-ons (ListAddons,
// DescribeAddon) and ec2:GetInstanceMetadataDefaults. For those a small proxy in front of moto
// answers with a REPLAY: recorded responses in the documented API shapes (test/helpers/aws-replay.ts).
// Everything else is moto's own answer. moto also differs from AWS in one way that matters here:
// get-event-selectors returns no selector for a trail created without any (AWS returns the default
// "All management events" selector).
//
// Without the moto venv this test FAILS (it does not skip): the error names the setup script.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';
import { existsSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fromRoot } from '../test/helpers/paths.js';
import { runBin } from '../test/helpers/cli.js';
import { eksReplay } from '../test/helpers/aws-replay.js';

const REGION = 'eu-west-1';
const ACCOUNT = '111122223333';
const CLUSTER = 'shop';
const MOTO_SCRIPT = fromRoot('scripts/testenv/moto.sh');

function motoVenv(): string {
  return spawnSync('bash', [MOTO_SCRIPT, '--print'], { encoding: 'utf8' }).stdout.trim();
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}

async function waitHttp(url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`moto did not answer at ${url} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The APIs moto lacks, answered from recorded responses; `seen` records which replays were used. */
function replayFor(req: http.IncomingMessage, body: string): { status: number; type: string; body: string; op: string } | undefined {
  const url = new URL(req.url ?? '/', 'http://x');
  const p = url.pathname.split('/').map(decodeURIComponent);
  // EKS (REST-JSON): /clusters/{name}/access-entries[/{principalArn}[/access-policies]], pod-identity-associations, addons
  if (req.method === 'GET' && p[1] === 'clusters' && p.length >= 4) {
    // On the wire, EKS timestamps are epoch seconds (the CLI prints them as ISO strings).
    const wire = (k: string, x: unknown) => (/At$/.test(k) && typeof x === 'string' && !Number.isNaN(Date.parse(x)) ? Date.parse(x) / 1000 : x);
    const json = (op: string, v: unknown) => ({ status: 200, type: 'application/json', body: JSON.stringify(JSON.parse(JSON.stringify(v)), wire), op });
    if (p[3] === 'access-entries') {
      if (p.length === 4) return json('eks:ListAccessEntries', eksReplay.listAccessEntries());
      if (p.length === 5) return json('eks:DescribeAccessEntry', eksReplay.describeAccessEntry(p[4]));
      if (p[5] === 'access-policies') return json('eks:ListAssociatedAccessPolicies', eksReplay.listAssociatedAccessPolicies(p[4]));
    }
    if (p[3] === 'pod-identity-associations') {
      if (p.length === 4) return json('eks:ListPodIdentityAssociations', eksReplay.listPodIdentityAssociations());
      return json('eks:DescribePodIdentityAssociation', eksReplay.describePodIdentityAssociation());
    }
    if (p[3] === 'addons') {
      if (p.length === 4) return json('eks:ListAddons', eksReplay.listAddons());
      return json('eks:DescribeAddon', eksReplay.describeAddon());
    }
  }
  // EC2 (query protocol, XML)
  if (req.method === 'POST' && /(^|&)Action=GetInstanceMetadataDefaults(&|$)/.test(body)) {
    return {
      status: 200,
      type: 'text/xml',
      body: '<?xml version="1.0" encoding="UTF-8"?>\n<GetInstanceMetadataDefaultsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>replay-0001</requestId><accountLevel/></GetInstanceMetadataDefaultsResponse>',
      op: 'ec2:GetInstanceMetadataDefaults',
    };
  }
  return undefined;
}

describe('AWS cloud context against moto', () => {
  let moto: ChildProcess | undefined;
  let proxy: http.Server | undefined;
  let motoUrl = '';
  let proxyUrl = '';
  const replayed = new Set<string>();
  let awsEnv: Record<string, string> = {};
  const work = mkdtempSync(path.join(os.tmpdir(), 'kubeward-moto-'));
  let setupMs = 0;

  it('has the moto environment (else: bash scripts/testenv/moto.sh)', () => {
    const venv = motoVenv();
    assert.ok(existsSync(path.join(venv, 'bin', 'python')), `moto is not installed in ${venv}: run bash scripts/testenv/moto.sh`);
  });

  before(async () => {
    if (!existsSync(path.join(motoVenv(), 'bin', 'python'))) throw new Error('moto is not installed: run bash scripts/testenv/moto.sh');
    const motoPort = await freePort();
    motoUrl = `http://127.0.0.1:${motoPort}`;
    moto = spawn('bash', [MOTO_SCRIPT, 'run', String(motoPort)], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, MOTO_ACCOUNT_ID: ACCOUNT } });
    let motoErr = '';
    moto.stderr!.setEncoding('utf8').on('data', (d: string) => (motoErr = (motoErr + d).slice(-4000)));
    await waitHttp(`${motoUrl}/moto-api/`, 60_000).catch((e) => {
      throw new Error(`${(e as Error).message}\n${motoErr}`);
    });
    proxy = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const r = replayFor(req, body.toString('utf8'));
        if (r) {
          replayed.add(r.op);
          res.writeHead(r.status, { 'content-type': r.type, 'x-amzn-requestid': 'replay' });
          res.end(r.body);
          return;
        }
        const up = http.request(`${motoUrl}${req.url}`, { method: req.method, headers: req.headers }, (ur) => {
          res.writeHead(ur.statusCode ?? 502, ur.headers);
          ur.pipe(res);
        });
        up.on('error', (e) => {
          res.writeHead(502);
          res.end(String(e));
        });
        up.end(body);
      });
    });
    const proxyPort = await freePort();
    await new Promise<void>((r) => proxy!.listen(proxyPort, '127.0.0.1', r));
    proxyUrl = `http://127.0.0.1:${proxyPort}`;
    awsEnv = {
      AWS_ENDPOINT_URL: proxyUrl,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: REGION,
      AWS_CONFIG_FILE: path.join(work, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(work, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const t0 = Date.now();
    await buildShop(motoUrl, awsEnv);
    setupMs = Date.now() - t0;
  });

  after(async () => {
    proxy?.close();
    if (moto?.pid && moto.exitCode === null) {
      moto.kill('SIGTERM');
      await new Promise((r) => moto!.once('exit', r));
    }
  });

  it('collects the cluster with `kubeward cloud collect aws`', async () => {
    const out = path.join(work, 'cloud.json');
    const t0 = Date.now();
    const r = await runBin(['cloud', 'collect', 'aws', '--cluster', CLUSTER, '--region', REGION, '-f', fromRoot('examples/shop'), '-o', out], { env: awsEnv, timeoutMs: 120_000 });
    const ms = Date.now() - t0;
    assert.equal(r.code, 0, r.stderr);
    console.log(`# moto: setup ${setupMs} ms; cloud collect ${ms} ms (child process, incl. node start); ${r.stderr.trim().split('\n')[0]}`);
    const bundle = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(bundle.kind, 'CloudContext');
    assert.equal(bundle.metadata.region, REGION);
    assert.deepEqual(bundle.notAssessed, [], 'every call answered (moto or replay)');
    const names = bundle.items.map((i: { kind: string; metadata: { name: string } }) => `${i.kind}/${i.metadata.name}`).sort();
    for (const want of ['EKSCluster/shop', 'EKSNodegroup/general', 'IAMRole/shop-node', 'IAMRole/shop-storefront', 'CloudTrailTrail/shop-audit', 'CloudWatchLogGroup//aws/eks/shop/cluster', 'EC2InstanceMetadataDefaults/account']) {
      assert.ok(names.includes(want), `${want} in ${names.join(', ')}`);
    }
    const lt = bundle.items.find((i: { kind: string }) => i.kind === 'EC2LaunchTemplateVersion');
    assert.equal(lt.spec.LaunchTemplateData.MetadataOptions.HttpTokens, 'optional');
    assert.equal(lt.spec.LaunchTemplateData.MetadataOptions.HttpPutResponseHopLimit, 2);
    const inst = bundle.items.filter((i: { kind: string }) => i.kind === 'EC2Instance');
    assert.equal(inst.length, 1, 'the node instance found by its eks:cluster-name tag');
    assert.deepEqual([...replayed].sort(), [
      'ec2:GetInstanceMetadataDefaults',
      'eks:DescribeAccessEntry',
      'eks:DescribeAddon',
      'eks:DescribePodIdentityAssociation',
      'eks:ListAccessEntries',
      'eks:ListAddons',
      'eks:ListAssociatedAccessPolicies',
      'eks:ListPodIdentityAssociations',
    ]);
  });

  it('scans examples/shop with --cloud aws:shop and reports the AWS problems', async () => {
    const t0 = Date.now();
    const r = await runBin(['scan', fromRoot('examples/shop'), '--cloud', `aws:${CLUSTER}@${REGION}`, '--format', 'json'], { env: awsEnv, timeoutMs: 120_000 });
    const ms = Date.now() - t0;
    assert.equal(r.code, 1, r.stderr);
    const j = r.json();
    console.log(`# moto: scan --cloud aws:${CLUSTER} ${ms} ms; ${j.findings.length} findings`);
    assert.deepEqual(j.errors, []);
    const by = (id: string) => j.findings.filter((f: { ruleId: string }) => f.ruleId === id);
    const one = (id: string, re: RegExp) => assert.ok(by(id).some((f: { message: string }) => re.test(f.message)), `${id} ~ ${re}: ${JSON.stringify(by(id).map((f: { message: string }) => f.message))}`);
    one('eks-node-role-overbroad', /node group general .* -> node instance role shop-node: allows \* on \*/);
    one('eks-workload-role-overbroad', /Deployment shop\/storefront -> ServiceAccount shop\/storefront \(IRSA\) -> IAM role shop-storefront: allows s3:\* on \*/);
    one('eks-workload-role-overbroad', /ServiceAccount payments\/ledger \(Pod Identity association/);
    one('eks-irsa-trust-not-pinned', /system:serviceaccount:\*/);
    one('eks-node-imdsv1-allowed', /node group general: IMDSv1 is allowed \(HttpTokens optional, from its launch template\)/);
    one('eks-node-imds-hop-limit', /node group general: IMDS hop limit is 2/);
    one('cloudtrail-multi-region-logging', /shop-audit: single-region, not logging/);
    one('eks-control-plane-logging', /audit, authenticator, controllerManager, scheduler logs not enabled/);
    one('eks-public-endpoint-open', /0\.0\.0\.0\/0/);
    one('eks-log-group-retention', /30 days/);
    one('eks-access-entry-cluster-admin', /platform-admins gets cluster-admin/);
    const awsCli = by('eks-control-plane-logging')[0].evidence.awsCli as string;
    assert.match(awsCli, /^aws eks update-cluster-config --region eu-west-1 --name shop --logging /);
  });

  it('sends exactly the actions of deploy/aws-iam-policy.json (recorded in-process)', async () => {
    const { createAwsCollector } = await import('../src/loaders/cloud/aws/collect.js');
    const { loadPaths } = await import('../src/loaders/files.js');
    const saved = { ...process.env };
    Object.assign(process.env, awsEnv);
    try {
      const sent = new Set<string>();
      const kube = await loadPaths([fromRoot('examples/shop')]);
      const bundle = await createAwsCollector({ onAction: (a) => sent.add(a) }).collect({ provider: 'aws', cluster: CLUSTER, region: REGION }, { kubeObjects: kube.objects });
      assert.deepEqual(bundle.notAssessed, []);
      const policy = JSON.parse(readFileSync(fromRoot('deploy/aws-iam-policy.json'), 'utf8')) as { Statement: Array<{ Action: string[] }> };
      assert.deepEqual([...sent].sort(), policy.Statement.flatMap((s) => s.Action).sort());
    } finally {
      for (const k of Object.keys(awsEnv)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it('fails with one clear line when the cluster does not exist (exit 2)', async () => {
    const r = await runBin(['cloud', 'collect', 'aws', '--cluster', 'nope', '--region', REGION], { env: awsEnv, timeoutMs: 60_000 });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^kubeward: EKS cluster nope in eu-west-1 not found/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });

  it('fails with one clear line when the endpoint is unreachable (exit 2)', async () => {
    const dead = await freePort();
    const r = await runBin(['cloud', 'collect', 'aws', '--cluster', CLUSTER, '--region', REGION], { env: { ...awsEnv, AWS_ENDPOINT_URL: `http://127.0.0.1:${dead}`, AWS_MAX_ATTEMPTS: '1' }, timeoutMs: 60_000 });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^kubeward: cannot reach the AWS API for EKS cluster shop in eu-west-1/);
  });

  // Keep the bundle for inspection when debugging.
  after(() => writeFileSync(path.join(work, 'README'), 'kubeward moto e2e scratch\n'));
});

/** Creates the shop cluster in moto (directly, not through the replay proxy). */
async function buildShop(endpoint: string, env: Record<string, string>): Promise<void> {
  const saved = { ...process.env };
  Object.assign(process.env, env, { AWS_ENDPOINT_URL: endpoint });
  try {
    const [eks, ec2, iam, ct, logs] = await Promise.all([
      import('@aws-sdk/client-eks'),
      import('@aws-sdk/client-ec2'),
      import('@aws-sdk/client-iam'),
      import('@aws-sdk/client-cloudtrail'),
      import('@aws-sdk/client-cloudwatch-logs'),
    ]);
    const cfg = { region: REGION };
    const I = new iam.IAMClient(cfg);
    const C = new ec2.EC2Client(cfg);
    const E = new eks.EKSClient(cfg);
    const T = new ct.CloudTrailClient(cfg);
    const L = new logs.CloudWatchLogsClient(cfg);
    const oidc = 'oidc.eks.eu-west-1.amazonaws.com/id/4B2E8C0F9D1A7E3B5C6D8E9F0A1B2C3D';

    // IAM: the node role with an AdministratorAccess-like customer policy; the IRSA role of
    // shop/storefront trusting system:serviceaccount:* with s3:* on *; the Pod Identity role with admin.
    await I.send(new iam.CreateRoleCommand({ RoleName: 'shop-node', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) }));
    const admin = await I.send(new iam.CreatePolicyCommand({ PolicyName: 'shop-node-admin', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) }));
    await I.send(new iam.AttachRolePolicyCommand({ RoleName: 'shop-node', PolicyArn: admin.Policy!.Arn }));
    await I.send(
      new iam.CreateRoleCommand({
        RoleName: 'shop-storefront',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${oidc}` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringLike: { [`${oidc}:sub`]: 'system:serviceaccount:*' } } }],
        }),
      }),
    );
    await I.send(new iam.PutRolePolicyCommand({ RoleName: 'shop-storefront', PolicyName: 'storefront-assets', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }) }));
    await I.send(new iam.CreateRoleCommand({ RoleName: 'payments-ledger', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }] }) }));
    await I.send(new iam.AttachRolePolicyCommand({ RoleName: 'payments-ledger', PolicyArn: admin.Policy!.Arn }));
    await I.send(new iam.CreateRoleCommand({ RoleName: 'shop-vpc-cni', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${oidc}` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${oidc}:sub`]: 'system:serviceaccount:kube-system:aws-node', [`${oidc}:aud`]: 'sts.amazonaws.com' } } }] }) }));

    // EC2: the node launch template (IMDSv1 allowed, hop limit 2) and one node instance.
    const lt = await C.send(new ec2.CreateLaunchTemplateCommand({ LaunchTemplateName: 'shop-general', LaunchTemplateData: { InstanceType: 'm6i.large', MetadataOptions: { HttpTokens: 'optional', HttpPutResponseHopLimit: 2, HttpEndpoint: 'enabled' } } }));
    const images = await C.send(new ec2.DescribeImagesCommand({ Owners: ['amazon'], MaxResults: 5 }));
    await C.send(
      new ec2.RunInstancesCommand({
        ImageId: images.Images![0].ImageId,
        MinCount: 1,
        MaxCount: 1,
        InstanceType: 'm6i.large',
        MetadataOptions: { HttpTokens: 'optional', HttpPutResponseHopLimit: 2, HttpEndpoint: 'enabled' },
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'eks:cluster-name', Value: CLUSTER }, { Key: 'eks:nodegroup-name', Value: 'general' }] }],
      }),
    );

    // EKS: public endpoint open to the world, only the API server log; a node group on the launch template.
    await E.send(
      new eks.CreateClusterCommand({
        name: CLUSTER,
        roleArn: `arn:aws:iam::${ACCOUNT}:role/shop-cluster`,
        resourcesVpcConfig: { subnetIds: ['subnet-0a1b2c3d4e5f60718'], endpointPublicAccess: true, endpointPrivateAccess: false, publicAccessCidrs: ['0.0.0.0/0'] },
        logging: { clusterLogging: [{ types: ['api'], enabled: true }, { types: ['audit', 'authenticator', 'controllerManager', 'scheduler'], enabled: false }] },
      }),
    );
    await E.send(
      new eks.CreateNodegroupCommand({
        clusterName: CLUSTER,
        nodegroupName: 'general',
        nodeRole: `arn:aws:iam::${ACCOUNT}:role/shop-node`,
        subnets: ['subnet-0a1b2c3d4e5f60718'],
        launchTemplate: { id: lt.LaunchTemplate!.LaunchTemplateId, version: '1' },
      }),
    );

    // CloudTrail: a single-region trail that is not logging (its bucket created with a bare S3 PUT to moto).
    const put = await fetch(`${endpoint}/shop-cloudtrail-${ACCOUNT}`, { method: 'PUT' });
    if (put.status !== 200) throw new Error(`creating the trail bucket in moto failed: ${put.status}`);
    await T.send(new ct.CreateTrailCommand({ Name: 'shop-audit', S3BucketName: `shop-cloudtrail-${ACCOUNT}`, IsMultiRegionTrail: false }));

    // CloudWatch Logs: the control-plane log group with 30 days retention.
    await L.send(new logs.CreateLogGroupCommand({ logGroupName: `/aws/eks/${CLUSTER}/cluster` }));
    await L.send(new logs.PutRetentionPolicyCommand({ logGroupName: `/aws/eks/${CLUSTER}/cluster`, retentionInDays: 30 }));
    for (const c of [I, C, E, T, L]) c.destroy();
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}
