// Live collection of an EKS cluster's AWS context with the AWS SDK v3 (the only importer of
// @aws-sdk/*, loaded lazily). Credentials come from the SDK's standard chain (environment, shared
// config/credentials files and profiles, SSO, web identity, container/instance metadata); retries
// with backoff come from the SDK (standard mode). AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_<SERVICE>)
// are honoured by the SDK, which is how the moto e2e test points it at its emulator.
//
// Every call the collector can make is listed in AWS_COLLECTOR_ACTIONS, and deploy/aws-iam-policy.json
// allows exactly those actions (a test keeps them equal). A call refused with AccessDenied leaves that
// piece "not assessed", naming the action; no credentials, expired credentials, an unknown cluster or
// an unreachable endpoint are one clear line (UserError) when nothing could be collected.
import { UserError, type InputError, type KubeObject, type NotAssessed } from '../../../core/types.js';
import type { CloudKind } from '../../../cloud/model.js';
import { policyDocument } from '../shapes.js';
import { cloudItem, type CloudBundle, type CollectOptions, type Collector, type LiveTarget } from '../index.js';
import { ClusterState } from '../../../model/cluster-state.js';
import { IRSA_ANNOTATION } from '../../../analysis/identity/aws.js';
import { VERSION } from '../../../core/version.js';
import { importPackage } from '../../../core/packages.js';

/** Every IAM action the collector can call (service:Operation), in collection order. */
export const AWS_COLLECTOR_ACTIONS = [
  'eks:DescribeCluster',
  'eks:ListNodegroups',
  'eks:DescribeNodegroup',
  'eks:ListAccessEntries',
  'eks:DescribeAccessEntry',
  'eks:ListAssociatedAccessPolicies',
  'eks:ListPodIdentityAssociations',
  'eks:DescribePodIdentityAssociation',
  'eks:ListAddons',
  'eks:DescribeAddon',
  'ec2:DescribeLaunchTemplateVersions',
  'ec2:DescribeInstances',
  'ec2:GetInstanceMetadataDefaults',
  'iam:GetRole',
  'iam:ListAttachedRolePolicies',
  'iam:ListRolePolicies',
  'iam:GetRolePolicy',
  'iam:GetPolicy',
  'iam:GetPolicyVersion',
  'cloudtrail:DescribeTrails',
  'cloudtrail:GetTrailStatus',
  'cloudtrail:GetEventSelectors',
  'logs:DescribeLogGroups',
] as const;

/** IAM service prefix of each SDK client. */
const SERVICE_PREFIX = { eks: 'eks', ec2: 'ec2', iam: 'iam', cloudtrail: 'cloudtrail', logs: 'logs' } as const;
type Service = keyof typeof SERVICE_PREFIX;

export interface AwsCollectorHooks {
  /**
   * For tests: sees every command before it is sent ("eks:DescribeCluster", input). Return a value
   * to answer it without sending (a recorded response), or undefined to send it.
   */
  intercept?: (action: string, input: Record<string, unknown>) => unknown | Promise<unknown>;
  /** Called with every action sent or intercepted. */
  onAction?: (action: string) => void;
  /** Concurrent calls (default 4). */
  concurrency?: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

interface Failure {
  kind: 'denied' | 'not-found' | 'throttled' | 'no-credentials' | 'expired' | 'bad-credentials' | 'no-region' | 'unreachable' | 'aborted' | 'other';
  message: string;
}

const FATAL = new Set<Failure['kind']>(['no-credentials', 'expired', 'bad-credentials', 'no-region', 'unreachable']);

export function classifyAwsError(e: unknown): Failure {
  const err = e as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number }; Code?: string };
  const name = err?.name ?? err?.Code ?? '';
  const msg = String(err?.message ?? e).split('\n')[0];
  const status = err?.$metadata?.httpStatusCode;
  if (name === 'AbortError' || /aborted/i.test(name)) return { kind: 'aborted', message: 'timed out' };
  if (name === 'CredentialsProviderError' || /Could not load credentials|credential.*not.*found|Unable to load credentials/i.test(msg)) return { kind: 'no-credentials', message: msg };
  if (/^(ExpiredToken|ExpiredTokenException|RequestExpired|TokenRefreshRequired)$/.test(name) || /token.*expired|expired.*token|sso session.*expired/i.test(msg)) return { kind: 'expired', message: msg };
  if (/^(UnrecognizedClientException|InvalidClientTokenId|AuthFailure|SignatureDoesNotMatch|InvalidSignatureException|InvalidAccessKeyId)$/.test(name)) return { kind: 'bad-credentials', message: msg };
  if (/Region is missing|region.*not.*(set|configured)/i.test(msg)) return { kind: 'no-region', message: msg };
  if (/^(AccessDenied|AccessDeniedException|UnauthorizedOperation|UnauthorizedException|Forbidden)$/.test(name) || status === 403) return { kind: 'denied', message: msg };
  if (/NotFound|NoSuchEntity/.test(name) || status === 404) return { kind: 'not-found', message: msg };
  if (/Throttl|TooManyRequests|RequestLimitExceeded|SlowDown/.test(name) || status === 429) return { kind: 'throttled', message: msg };
  const code = (err as { code?: string })?.code ?? '';
  if (/^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH)$/.test(code) || name === 'TimeoutError' || /connect ECONNREFUSED|getaddrinfo/.test(msg)) {
    return { kind: 'unreachable', message: msg };
  }
  return { kind: 'other', message: `${name ? `${name}: ` : ''}${msg}` };
}

function fatalLine(f: Failure, target: LiveTarget, region: string | undefined): string {
  const where = `EKS cluster ${target.cluster}${region ? ` in ${region}` : ''}`;
  switch (f.kind) {
    case 'no-credentials':
      return `no AWS credentials found for ${where} (set AWS_PROFILE or --profile, run aws sso login, or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY): ${f.message}`;
    case 'expired':
      return `AWS credentials have expired (renew them, e.g. aws sso login${target.profile ? ` --profile ${target.profile}` : ''}): ${f.message}`;
    case 'bad-credentials':
      return `AWS rejected the credentials (wrong or revoked key, or wrong partition): ${f.message}`;
    case 'no-region':
      return `no AWS region for ${where}: pass --region (or aws:${target.cluster}@REGION) or set AWS_REGION`;
    case 'unreachable':
      return `cannot reach the AWS API for ${where}: ${f.message}`;
    case 'not-found':
      return `${where} not found (check the name, the region and the account of your credentials): ${f.message}`;
    case 'throttled':
      return `AWS kept throttling requests for ${where} after retries; try again later: ${f.message}`;
    case 'denied':
      return `access denied reading ${where}: ${f.message} (deploy/aws-iam-policy.json lists the read-only permissions kubeward needs)`;
    default:
      return `could not read ${where}: ${f.message}`;
  }
}

/** JSON-safe copy of an SDK output: Dates as ISO strings, no $metadata, no pagination tokens. */
function plain<T>(v: T): Any {
  return JSON.parse(JSON.stringify(v, (k, x) => (k === '$metadata' ? undefined : x)));
}

function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  const next = () => {
    if (active >= n || queue.length === 0) return;
    active++;
    queue.shift()!();
  };
  return <T>(fn: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push(() => {
        fn()
          .then(resolve, reject)
          .finally(() => {
            active--;
            next();
          });
      });
      next();
    });
}

export function createAwsCollector(hooks: AwsCollectorHooks = {}): Collector {
  return { collect: (target, opts) => collectAws(target, opts, hooks) };
}

export const awsCollector: Collector = createAwsCollector();

async function collectAws(target: LiveTarget, opts: CollectOptions, hooks: AwsCollectorHooks): Promise<CloudBundle> {
  // The SDK warns on Node < 22 about its releases after January 2027; package.json pins releases that support Node 20.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const [eksM, ec2M, iamM, ctM, logsM] = await Promise.all([
    importPackage<typeof import('@aws-sdk/client-eks')>('@aws-sdk/client-eks'),
    importPackage<typeof import('@aws-sdk/client-ec2')>('@aws-sdk/client-ec2'),
    importPackage<typeof import('@aws-sdk/client-iam')>('@aws-sdk/client-iam'),
    importPackage<typeof import('@aws-sdk/client-cloudtrail')>('@aws-sdk/client-cloudtrail'),
    importPackage<typeof import('@aws-sdk/client-cloudwatch-logs')>('@aws-sdk/client-cloudwatch-logs'),
  ]);
  const started = Date.now();
  const cfg: Any = { maxAttempts: 4, ...(target.region ? { region: target.region } : {}), ...(target.profile ? { profile: target.profile } : {}) };
  const clients: Record<Service, Any> = {
    eks: new eksM.EKSClient(cfg),
    ec2: new ec2M.EC2Client(cfg),
    iam: new iamM.IAMClient({ ...cfg, ...(target.region ? {} : { region: 'us-east-1' }) }),
    cloudtrail: new ctM.CloudTrailClient(cfg),
    logs: new logsM.CloudWatchLogsClient(cfg),
  };
  let region = target.region;
  if (!region) {
    try {
      region = await clients.eks.config.region();
    } catch {
      region = undefined;
    }
    if (!region) {
      for (const c of Object.values(clients)) c.destroy();
      throw new UserError(fatalLine({ kind: 'no-region', message: '' }, target, undefined));
    }
  }
  const abort = new AbortController();
  const timer = opts.timeoutMs ? setTimeout(() => abort.abort(), opts.timeoutMs) : undefined;
  timer?.unref?.();
  const run = limiter(hooks.concurrency ?? 4);
  const items: KubeObject[] = [];
  const notAssessed: NotAssessed[] = [];
  const errors: InputError[] = [];
  const listed: CloudKind[] = [];
  let calls = 0;
  let firstFatal: Failure | undefined;
  const cluster = target.cluster;
  const K = (kind: CloudKind) => `cloud.kubeward.io/${kind}`;
  const item = (kind: CloudKind, name: string, spec: Record<string, unknown>) => items.push(cloudItem('aws', kind, name, cluster, spec));

  /** Sends one command; on failure records the gap and returns undefined. */
  async function call(service: Service, op: string, input: Record<string, unknown>, gap: { what: string; on: string }): Promise<Any | undefined> {
    const action = `${SERVICE_PREFIX[service]}:${op}`;
    return run(async () => {
      if (abort.signal.aborted) {
        notAssessed.push({ what: gap.what, reason: `${action} on ${gap.on}: not attempted, the collection deadline passed` });
        return undefined;
      }
      calls++;
      hooks.onAction?.(action);
      opts.onProgress?.(`collecting AWS context of ${cluster}: ${calls} calls (${action})`);
      try {
        const canned = hooks.intercept ? await hooks.intercept(action, input) : undefined;
        if (canned !== undefined) {
          if (canned instanceof Error) throw canned;
          return plain(canned);
        }
        const mod: Any = { eks: eksM, ec2: ec2M, iam: iamM, cloudtrail: ctM, logs: logsM }[service];
        const Cmd = mod[`${op}Command`];
        const out = await clients[service].send(new Cmd(input), { abortSignal: abort.signal });
        return plain(out);
      } catch (e) {
        const f = classifyAwsError(e);
        if (FATAL.has(f.kind) && !firstFatal) firstFatal = f;
        const reason =
          f.kind === 'denied'
            ? `${action} on ${gap.on} was denied (${f.message})`
            : f.kind === 'not-found'
              ? `${action} on ${gap.on}: not found (${f.message})`
              : f.kind === 'aborted'
                ? `${action} on ${gap.on}: the collection deadline passed`
                : `${action} on ${gap.on} failed: ${f.message}`;
        notAssessed.push({ what: gap.what, reason });
        lastFailure.set(action + JSON.stringify(input), f);
        return undefined;
      }
    });
  }
  const lastFailure = new Map<string, Failure>();

  /** Pages through a list call; undefined when a page failed. */
  async function paged(service: Service, op: string, input: Record<string, unknown>, tokenIn: string, tokenOut: string, gap: { what: string; on: string }): Promise<Any[] | undefined> {
    const pages: Any[] = [];
    let token: string | undefined;
    for (let i = 0; i < 1000; i++) {
      const out = await call(service, op, token ? { ...input, [tokenIn]: token } : input, gap);
      if (!out) return undefined;
      pages.push(out);
      token = out[tokenOut];
      if (!token) break;
    }
    return pages;
  }

  try {
    // 1. The cluster. A fatal failure here (credentials, region, endpoint, unknown cluster) is one line.
    const dc = await call('eks', 'DescribeCluster', { name: cluster }, { what: K('EKSCluster'), on: `cluster ${cluster}` });
    if (!dc) {
      const f = lastFailure.get('eks:DescribeCluster' + JSON.stringify({ name: cluster }));
      if (f && (FATAL.has(f.kind) || f.kind === 'not-found' || f.kind === 'throttled')) throw new UserError(fatalLine(f, target, region));
    }
    const clusterSpec: Any = dc?.cluster;
    if (clusterSpec) item('EKSCluster', cluster, clusterSpec);
    const account = typeof clusterSpec?.arn === 'string' ? clusterSpec.arn.split(':')[4] : undefined;
    const authMode: string | undefined = clusterSpec?.accessConfig?.authenticationMode;

    const roleUses = new Map<string, string[]>();
    const useRole = (arn: unknown, use: string) => {
      if (typeof arn !== 'string' || !arn.startsWith('arn:')) return;
      const l = roleUses.get(arn) ?? [];
      l.push(use);
      roleUses.set(arn, l);
    };

    const tasks: Array<Promise<void>> = [];

    // 2. Node groups and their launch templates.
    tasks.push(
      (async () => {
        const pages = await paged('eks', 'ListNodegroups', { clusterName: cluster }, 'nextToken', 'nextToken', { what: K('EKSNodegroup'), on: `cluster ${cluster}` });
        if (!pages) return;
        listed.push('EKSNodegroup');
        const names: string[] = pages.flatMap((p) => p.nodegroups ?? []);
        await Promise.all(
          names.map(async (ng) => {
            const d = await call('eks', 'DescribeNodegroup', { clusterName: cluster, nodegroupName: ng }, { what: `${K('EKSNodegroup')} ${ng}`, on: `node group ${ng}` });
            const spec = d?.nodegroup;
            if (!spec) {
              item('EKSNodegroup', ng, { nodegroupName: ng, clusterName: cluster });
              return;
            }
            item('EKSNodegroup', ng, spec);
            useRole(spec.nodeRole, `node role of node group ${ng}`);
            const lt = spec.launchTemplate;
            if (lt && (lt.id || lt.name)) {
              const v = await call(
                'ec2',
                'DescribeLaunchTemplateVersions',
                { ...(lt.id ? { LaunchTemplateId: lt.id } : { LaunchTemplateName: lt.name }), Versions: [String(lt.version ?? '$Default')] },
                { what: `${K('EC2LaunchTemplateVersion')} ${lt.id ?? lt.name}`, on: `launch template ${lt.id ?? lt.name} version ${lt.version ?? '$Default'} (node group ${ng})` },
              );
              for (const ver of v?.LaunchTemplateVersions ?? []) item('EC2LaunchTemplateVersion', `${ver.LaunchTemplateId ?? ver.LaunchTemplateName}:${ver.VersionNumber}`, ver);
            }
          }),
        );
      })(),
    );

    // 3. Instances of the cluster (managed node groups tag eks:cluster-name; self-managed and Karpenter nodes kubernetes.io/cluster/NAME).
    tasks.push(
      (async () => {
        const seen = new Set<string>();
        const states = { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] };
        for (const filter of [
          { Name: 'tag:eks:cluster-name', Values: [cluster] },
          { Name: 'tag-key', Values: [`kubernetes.io/cluster/${cluster}`] },
        ]) {
          const pages = await paged('ec2', 'DescribeInstances', { Filters: [filter, states], MaxResults: 1000 }, 'NextToken', 'NextToken', {
            what: K('EC2Instance'),
            on: `instances of cluster ${cluster} (${filter.Name}=${filter.Values[0]})`,
          });
          for (const p of pages ?? []) {
            for (const r of p.Reservations ?? []) {
              for (const inst of r.Instances ?? []) {
                if (!inst.InstanceId || seen.has(inst.InstanceId)) continue;
                seen.add(inst.InstanceId);
                item('EC2Instance', inst.InstanceId, inst);
              }
            }
          }
        }
      })(),
    );
    tasks.push(
      (async () => {
        const d = await call('ec2', 'GetInstanceMetadataDefaults', {}, { what: K('EC2InstanceMetadataDefaults'), on: `account defaults in ${region}` });
        if (d) item('EC2InstanceMetadataDefaults', 'account', d.AccountLevel ?? {});
      })(),
    );

    // 4. Access entries (not with authenticationMode CONFIG_MAP) and their access policies.
    if (authMode !== 'CONFIG_MAP') {
      tasks.push(
        (async () => {
          const pages = await paged('eks', 'ListAccessEntries', { clusterName: cluster }, 'nextToken', 'nextToken', { what: K('EKSAccessEntry'), on: `cluster ${cluster}` });
          if (!pages) return;
          listed.push('EKSAccessEntry');
          const arns: string[] = pages.flatMap((p) => p.accessEntries ?? []);
          await Promise.all(
            arns.map(async (arn) => {
              const what = `${K('EKSAccessEntry')} ${arn}`;
              const [d, pols] = await Promise.all([
                call('eks', 'DescribeAccessEntry', { clusterName: cluster, principalArn: arn }, { what, on: `access entry ${arn}` }),
                paged('eks', 'ListAssociatedAccessPolicies', { clusterName: cluster, principalArn: arn }, 'nextToken', 'nextToken', { what, on: `access entry ${arn}` }),
              ]);
              const spec: Any = { ...(d?.accessEntry ?? { principalArn: arn, clusterName: cluster }) };
              if (pols) spec.accessPolicies = pols.flatMap((p) => p.associatedAccessPolicies ?? []);
              item('EKSAccessEntry', arn, spec);
            }),
          );
        })(),
      );
    }

    // 5. Pod Identity associations.
    tasks.push(
      (async () => {
        const pages = await paged('eks', 'ListPodIdentityAssociations', { clusterName: cluster }, 'nextToken', 'nextToken', { what: K('EKSPodIdentityAssociation'), on: `cluster ${cluster}` });
        if (!pages) return;
        listed.push('EKSPodIdentityAssociation');
        const summaries: Any[] = pages.flatMap((p) => p.associations ?? []);
        await Promise.all(
          summaries.map(async (s) => {
            const d = await call('eks', 'DescribePodIdentityAssociation', { clusterName: cluster, associationId: s.associationId }, {
              what: `${K('EKSPodIdentityAssociation')} ${s.associationId}`,
              on: `Pod Identity association ${s.associationId} (${s.namespace}/${s.serviceAccount})`,
            });
            const spec = d?.association ?? s;
            item('EKSPodIdentityAssociation', s.associationId, spec);
            useRole(spec.roleArn, `Pod Identity role of ${spec.namespace}/${spec.serviceAccount}`);
          }),
        );
      })(),
    );

    // 6. Add-ons (their IRSA roles).
    tasks.push(
      (async () => {
        const pages = await paged('eks', 'ListAddons', { clusterName: cluster }, 'nextToken', 'nextToken', { what: K('EKSAddon'), on: `cluster ${cluster}` });
        if (!pages) return;
        listed.push('EKSAddon');
        const names: string[] = pages.flatMap((p) => p.addons ?? []);
        await Promise.all(
          names.map(async (a) => {
            const d = await call('eks', 'DescribeAddon', { clusterName: cluster, addonName: a }, { what: `${K('EKSAddon')} ${a}`, on: `add-on ${a}` });
            if (d?.addon) {
              item('EKSAddon', a, d.addon);
              useRole(d.addon.serviceAccountRoleArn, `IRSA role of add-on ${a}`);
            }
          }),
        );
      })(),
    );

    // 7. CloudTrail: trails, status, event selectors.
    tasks.push(
      (async () => {
        const d = await call('cloudtrail', 'DescribeTrails', { includeShadowTrails: true }, { what: K('CloudTrailTrail'), on: `trails of ${region}` });
        if (!d) return;
        listed.push('CloudTrailTrail');
        await Promise.all(
          (d.trailList ?? []).map(async (t: Any) => {
            const id = t.TrailARN ?? t.Name;
            const what = `${K('CloudTrailTrail')} ${t.Name}`;
            const [st, sel] = await Promise.all([
              call('cloudtrail', 'GetTrailStatus', { Name: id }, { what, on: `trail ${t.Name}` }),
              call('cloudtrail', 'GetEventSelectors', { TrailName: id }, { what, on: `trail ${t.Name}` }),
            ]);
            item('CloudTrailTrail', t.Name, { ...t, ...(st ? { status: st } : {}), ...(sel ? { eventSelectors: sel } : {}) });
          }),
        );
      })(),
    );

    // 8. The control-plane log group.
    tasks.push(
      (async () => {
        const prefix = `/aws/eks/${cluster}/cluster`;
        const pages = await paged('logs', 'DescribeLogGroups', { logGroupNamePrefix: prefix }, 'nextToken', 'nextToken', { what: K('CloudWatchLogGroup'), on: `log group ${prefix}` });
        if (!pages) return;
        listed.push('CloudWatchLogGroup');
        for (const p of pages) for (const g of p.logGroups ?? []) if (g.logGroupName === prefix) item('CloudWatchLogGroup', g.logGroupName, g);
      })(),
    );

    // IRSA roles named by ServiceAccounts of the loaded Kubernetes objects.
    if (opts.kubeObjects && opts.kubeObjects.length > 0) {
      const state = new ClusterState({ objects: [...opts.kubeObjects] });
      for (const sa of state.ofKind('ServiceAccount')) {
        const arn = sa.obj.metadata?.annotations?.[IRSA_ANNOTATION];
        useRole(typeof arn === 'string' ? arn.trim() : undefined, `IRSA role of ${sa.ref.namespace ?? 'default'}/${sa.ref.name}`);
      }
    }

    await Promise.all(tasks);

    // 9. IAM roles used by nodes and pods, with their policies (documents of managed policies cached by ARN).
    const policyDocs = new Map<string, Promise<Any | undefined>>();
    const managedDocument = (arn: string, roleWhat: string, uses: string) => {
      let p = policyDocs.get(arn);
      if (!p) {
        p = (async () => {
          const gp = await call('iam', 'GetPolicy', { PolicyArn: arn }, { what: roleWhat, on: `${arn} (${uses})` });
          const v = gp?.Policy?.DefaultVersionId;
          if (!v) return undefined;
          const pv = await call('iam', 'GetPolicyVersion', { PolicyArn: arn, VersionId: v }, { what: roleWhat, on: `${arn} version ${v} (${uses})` });
          return pv?.PolicyVersion?.Document !== undefined ? policyDocument(pv.PolicyVersion.Document) : undefined;
        })();
        policyDocs.set(arn, p);
      }
      return p;
    };
    await Promise.all(
      [...roleUses].map(async ([arn, uses]) => {
        const name = arn.slice(arn.lastIndexOf('/') + 1);
        const what = `${K('IAMRole')} ${arn}`;
        const why = uses.join('; ');
        const roleAccount = arn.split(':')[4];
        if (account && roleAccount && roleAccount !== account) {
          // IAM reads by role name in the caller's account: a role of another account needs its own credentials.
          notAssessed.push({ what, reason: `iam:GetRole on ${arn} (${why}): the role is in account ${roleAccount}, not the cluster's ${account}; collect it with credentials of that account` });
          return;
        }
        const [gr, attached, inline] = await Promise.all([
          call('iam', 'GetRole', { RoleName: name }, { what, on: `${arn} (${why})` }),
          paged('iam', 'ListAttachedRolePolicies', { RoleName: name }, 'Marker', 'Marker', { what, on: `${arn} (${why})` }),
          paged('iam', 'ListRolePolicies', { RoleName: name }, 'Marker', 'Marker', { what, on: `${arn} (${why})` }),
        ]);
        if (!gr && !attached && !inline) return;
        const spec: Any = gr?.Role ? { ...gr.Role, AssumeRolePolicyDocument: policyDocument(gr.Role.AssumeRolePolicyDocument) } : { RoleName: name, Arn: arn };
        if (attached) {
          const list: Any[] = attached.flatMap((p) => p.AttachedPolicies ?? []);
          spec.attachedPolicies = await Promise.all(
            list.map(async (p) => {
              const doc = await managedDocument(p.PolicyArn, what, why);
              return doc !== undefined ? { ...p, Document: doc } : { ...p };
            }),
          );
        }
        if (inline) {
          const names: string[] = inline.flatMap((p) => p.PolicyNames ?? []);
          spec.inlinePolicyNames = names;
          const docs = await Promise.all(names.map((pn) => call('iam', 'GetRolePolicy', { RoleName: name, PolicyName: pn }, { what, on: `${arn} inline policy ${pn} (${why})` })));
          spec.inlinePolicies = docs.flatMap((d, i) => (d ? [{ PolicyName: names[i], PolicyDocument: policyDocument(d.PolicyDocument) }] : []));
        }
        item('IAMRole', name, spec);
      }),
    );

    if (items.length === 0) {
      const f = firstFatal ?? lastFailure.values().next().value;
      throw new UserError(f ? fatalLine(f, target, region) : `nothing could be collected for EKS cluster ${cluster} in ${region}`);
    }
    if (abort.signal.aborted) errors.push({ file: `aws:${cluster}`, message: `collection stopped at the deadline (${Math.round((opts.timeoutMs ?? 0) / 1000)} s): results are partial` });
    items.sort((a, b) => (a.kind! < b.kind! ? -1 : a.kind! > b.kind! ? 1 : String(a.metadata!.name) < String(b.metadata!.name) ? -1 : 1));
    const now = (opts.now ?? (() => new Date()))();
    return {
      apiVersion: 'kubeward.io/v1',
      kind: 'CloudContext',
      metadata: {
        provider: 'aws',
        cluster,
        region,
        ...(account ? { account } : {}),
        createdAt: now.toISOString(),
        createdBy: `kubeward ${VERSION}`,
        source: 'live',
        listed: [...new Set(listed)].sort(),
        calls,
        durationMs: Date.now() - started,
        partial: notAssessed.length > 0 || errors.length > 0,
      },
      items,
      notAssessed,
      errors,
    };
  } finally {
    if (timer) clearTimeout(timer);
    for (const c of Object.values(clients)) c.destroy();
  }
}
