import { Command } from 'commander';
import type { CommandEnv } from '../main.js';
import { UserError } from '../../core/types.js';
import { addInputOptions, gatherInputs, wantsLive, type InputOpts } from '../inputs.js';
import { formatInputError } from '../../reporters/text.js';

interface SnapshotOpts extends InputOpts {
  output?: string;
}

export function registerSnapshot(program: Command, env: CommandEnv): void {
  const cmd = program
    .command('snapshot')
    .description('save the state of a live cluster (and what could not be read) to one JSON file, to scan offline later');
  addInputOptions(cmd)
    .option('-o, --output <file>', 'where to write the snapshot (default: stdout)')
    .addHelpText(
      'after',
      `
The snapshot holds every object kubeward reads (Secrets as metadata and type only, never data;
managedFields and last-applied annotations dropped), the kinds the cluster does not serve, and
the kinds it refused ("not assessed"). "kubeward scan cluster.json" gives the same findings offline.
Format: docs/snapshot-format.md.

Examples:
  kubeward snapshot -o cluster.json                      # current kubeconfig context
  kubeward snapshot --context prod-eks -o prod.json
  kubeward scan prod.json`,
    )
    .action(async (opts: SnapshotOpts) => {
      const io = env.io;
      if (!wantsLive(opts)) opts.live = true; // a snapshot is always of a live cluster
      if (opts.file.length > 0) throw new UserError('snapshot reads a live cluster; to scan files use kubeward scan');
      const { live, errors } = await gatherInputs([], opts, io);
      if (!live) throw new UserError('no live cluster was read');
      const { snapshotJsonChunks } = await import('../../loaders/live/index.js');
      // Written in pieces: the whole document as one string would double the peak memory.
      const chunks = snapshotJsonChunks(live, new Date());
      if (opts.output) await io.writeFile(opts.output, chunks);
      else for (const c of chunks) io.out(c);
      const s = live.collected.stats;
      io.err(
        `kubeward: ${s.objects} objects of ${s.kinds} kinds from ${live.identity.context} (${live.identity.server}) in ${(s.ms / 1000).toFixed(1)} s, ${s.requests} requests` +
          (live.notAssessed.length ? `; ${live.notAssessed.length} kinds not assessed` : '') +
          (live.collected.partial ? '; PARTIAL' : '') +
          '\n',
      );
      for (const n of live.notAssessed) io.err(`kubeward: not assessed: ${n.what}: ${n.reason}\n`);
      for (const e of errors) io.err(`kubeward: ${formatInputError(e, io.cwd)}\n`);
      env.setExit(errors.length > 0 || live.collected.partial ? 2 : 0);
    });
}
