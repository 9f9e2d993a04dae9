// `kubeward metadata`: per pod template, can it reach the cloud metadata API, through which path, and
// what would it obtain. The answers come from src/analysis/metadata/pod-exposure.ts; this file only
// reads inputs and prints.
import { Command, Option } from 'commander';
import type { CommandEnv } from '../main.js';
import { UserError } from '../../core/types.js';
import { PROVIDERS, type Provider } from '../../cloud/model.js';
import { addInputOptions, gatherInputs, type InputOpts } from '../inputs.js';
import { formatInputError } from '../../reporters/text.js';
import { clusterProvider, podMetadataExposure, type PodExposure } from '../../analysis/metadata/pod-exposure.js';

interface MetadataOpts extends InputOpts {
  format?: string;
  provider?: string;
}

export function toJson(p: PodExposure): Record<string, unknown> {
  return {
    namespace: p.namespace,
    name: p.name,
    ...(p.workload ? { workload: p.workload } : {}),
    hostNetwork: p.hostNetwork,
    verdict: p.verdict,
    ...(p.blockedBy ? { blockedBy: p.blockedBy } : {}),
    network: p.network,
    endpoints: p.endpoints,
    node: { verdict: p.nodes.length === 0 ? 'unknown' : p.nodes.some((n) => n.verdict === 'open') ? 'open' : p.nodes.some((n) => n.verdict === 'unknown') ? 'unknown' : 'blocked', pools: p.nodes.map((n) => ({ label: n.label, verdict: n.verdict, settings: n.settings, reason: n.reason, ...(n.identity ? { identity: n.identity } : {}) })) },
    ...(p.exposure ? { exposure: p.exposure } : {}),
    reasons: p.reasons,
  };
}

export function registerMetadata(program: Command, env: CommandEnv): void {
  addInputOptions(
    program
      .command('metadata')
      .description('per pod: can it reach the cloud metadata API (IMDS), through which path, and which cloud identity would it obtain')
      .argument('[paths...]', 'files or folders to read, - for stdin'),
  )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(new Option('--provider <cloud>', 'the cloud the cluster runs on (default: from the cloud context, node labels or providerIDs)').choices([...PROVIDERS]))
    .addHelpText(
      'after',
      `
Verdicts: reachable (the pod gets the node's credentials), blocked (by the network or by the node
settings), unknown (with the reason: no cloud context for the node groups, unknown NetworkPolicy
enforcement, implementation-defined policy semantics). Exit code 1 when some pod is reachable.

Examples:
  kubeward metadata examples/shop --cloud examples/shop/cloud
  kubeward metadata --live --cloud aws:shop@eu-west-1 --format json`,
    )
    .action(async (paths: string[], o: MetadataOpts) => {
      const { io } = env;
      const g = await gatherInputs(paths, o, io);
      for (const e of g.errors) io.err(`${formatInputError(e, io.cwd)}\n`);
      const { provider, why } = clusterProvider(g.state, o.provider as Provider | undefined);
      if (!provider) throw new UserError(`cannot tell which cloud the cluster runs on: ${why}`);
      const pods = podMetadataExposure(g.state, provider);
      if (o.format === 'json') {
        io.out(`${JSON.stringify({ provider, pods: pods.map(toJson) }, null, 2)}\n`);
      } else {
        io.out(`provider: ${provider} (${why})\n`);
        for (const p of pods) {
          const mark = p.verdict === 'reachable' ? 'REACHABLE' : p.verdict === 'blocked' ? `blocked${p.blockedBy ? ` by ${p.blockedBy}` : ''}` : 'UNKNOWN';
          io.out(`\n${p.namespace}/${p.workload ?? `Pod/${p.name}`}${p.hostNetwork ? ' [hostNetwork]' : ''}: ${mark}\n`);
          for (const e of p.endpoints) io.out(`  ${e.label} ${e.address.includes(':') ? `[${e.address}]` : e.address}:${e.port}: ${e.verdict} (${e.by.join(', ')})\n`);
          for (const r of p.reasons) io.out(`  - ${r}\n`);
          for (const i of p.exposure?.identities ?? []) {
            io.out(`  obtains: ${i.name}${i.overBroad.length > 0 ? `; over-broad: ${i.overBroad.join('; ')}` : ''}${i.unknown ? ` (permissions unknown: ${i.unknown})` : ''}\n`);
          }
        }
        const n = (v: string) => pods.filter((p) => p.verdict === v).length;
        io.out(`\n${pods.length} pod templates: ${n('reachable')} reachable, ${n('blocked')} blocked, ${n('unknown')} unknown\n`);
        if (n('reachable') + n('unknown') > 0) io.out('to block it: kubeward fix metadata (same inputs) -o fix.yaml\n');
      }
      if (g.errors.length > 0) env.setExit(2);
      else if (pods.some((p) => p.verdict === 'reachable')) env.setExit(1);
    });
}
