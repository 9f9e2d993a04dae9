// `kubeward cloud collect aws|azure|gcp --cluster NAME ... -o cloud.json`: reads a managed cluster's
// cloud context through the provider's SDK and writes a CloudContext bundle for `scan --cloud FILE`.
import { Argument, Command, Option } from 'commander';
import type { CommandEnv } from '../main.js';
import { UserError } from '../../core/types.js';
import { PROVIDERS, type Provider } from '../../cloud/model.js';
import { loadPaths } from '../../loaders/files.js';

interface CollectOpts {
  cluster: string;
  region?: string;
  profile?: string;
  resourceGroup?: string;
  subscription?: string;
  project?: string;
  location?: string;
  file: string[];
  output?: string;
  timeout: string;
}

export function registerCloud(program: Command, env: CommandEnv): void {
  const cloud = program.command('cloud').description('cloud context of a managed cluster (EKS, AKS, GKE)');
  cloud
    .command('collect')
    .description('read the cluster\'s cloud context (read-only API calls) and write it as a bundle for `kubeward scan --cloud FILE`')
    .addArgument(new Argument('<provider>', 'aws, azure or gcp').choices([...PROVIDERS]))
    .requiredOption('--cluster <name>', 'cluster name')
    .option('--region <region>', 'AWS region (default: from AWS_REGION / the profile)')
    .option('--profile <profile>', 'AWS shared-config profile (default: AWS_PROFILE or the default chain)')
    .option('--resource-group <rg>', 'Azure resource group')
    .option('--subscription <id>', 'Azure subscription')
    .option('--project <id>', 'Google Cloud project')
    .option('--location <location>', 'Google Cloud region or zone of the cluster')
    .option('-f, --file <path>', 'Kubernetes manifests or a snapshot: their ServiceAccounts name workload identities (IRSA roles...) to collect too (repeatable)', (v: string, p: string[]) => [...p, v], [])
    .option('-o, --output <file>', 'write the bundle here (default: stdout)')
    .addOption(new Option('--timeout <seconds>', 'overall deadline').default('300'))
    .addHelpText(
      'after',
      `
Credentials come from each provider's standard chain (AWS: environment, profiles, SSO; see docs/cloud.md).
The read-only permissions needed are in deploy/aws-iam-policy.json, deploy/azure-role.json and deploy/gcp-role.yaml. Calls that are refused are listed
as "not assessed" in the bundle, naming the permission; exit 2 when nothing could be collected.

Examples:
  kubeward cloud collect aws --cluster shop --region eu-west-1 -o cloud.json
  kubeward cloud collect aws --cluster shop --profile prod -f k8s/ -o cloud.json
  kubeward cloud collect azure --resource-group shop-rg --cluster shop --subscription SUB_ID -f k8s/ -o cloud.json
  kubeward cloud collect gcp --project acme-prod --location europe-west1 --cluster shop -f k8s/ -o cloud.json
  kubeward scan k8s/ --cloud cloud.json`,
    )
    .action(async (provider: Provider, opts: CollectOpts) => {
      const io = env.io;
      const timeout = Number(opts.timeout);
      if (!Number.isFinite(timeout) || timeout <= 0) throw new UserError(`--timeout must be a positive number of seconds, got "${opts.timeout}"`);
      const { collectLive, PROVIDER_SUPPORT } = await import('../../loaders/cloud/index.js');
      const support = PROVIDER_SUPPORT[provider];
      if (!support) throw new UserError(`live collection for ${provider} is not available in this build`);
      const target = Object.fromEntries(
        Object.entries({ provider, cluster: opts.cluster, region: opts.region, profile: opts.profile, resourceGroup: opts.resourceGroup, subscription: opts.subscription, project: opts.project, location: opts.location }).filter(
          ([, v]) => v !== undefined,
        ),
      ) as { provider: Provider; cluster: string };
      let kubeObjects: import('../../core/types.js').LoadedObject[] = [];
      if (opts.file.length > 0) {
        const loaded = await loadPaths(opts.file, { cwd: io.cwd });
        for (const e of loaded.errors) io.err(`kubeward: ${e.file}${e.line ? `:${e.line}` : ''}: ${e.message}\n`);
        kubeObjects = loaded.objects;
      }
      const t0 = Date.now();
      const bundle = await collectLive(target, {
        kubeObjects,
        timeoutMs: timeout * 1000,
        onProgress: io.errIsTTY ? (m) => io.err(`\r\x1b[K${m}`) : undefined,
      });
      if (io.errIsTTY) io.err('\r\x1b[K');
      const text = JSON.stringify(bundle, null, 2) + '\n';
      if (opts.output) await io.writeFile(opts.output, text);
      else io.out(text);
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      io.err(
        `kubeward: collected ${bundle.items.length} cloud objects of ${provider} cluster ${opts.cluster} in ${secs} s` +
          (bundle.notAssessed.length > 0 ? `; ${bundle.notAssessed.length} not assessed (partial):` : '') +
          '\n',
      );
      for (const n of bundle.notAssessed.slice(0, 20)) io.err(`  not assessed: ${n.reason}\n`);
      if (bundle.notAssessed.length > 20) io.err(`  ... and ${bundle.notAssessed.length - 20} more (see notAssessed in the bundle)\n`);
      for (const e of bundle.errors) io.err(`kubeward: ${e.message}\n`);
    });
}
