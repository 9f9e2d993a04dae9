// Gathers the objects every analysis command works on: files/folders/stdin and/or a live cluster.
import { Command, Option } from 'commander';
import type { InputError, LoadedObject, NotAssessed } from '../core/types.js';
import { UserError } from '../core/types.js';
import { loadPaths, DEFAULT_MAX_FILE_SIZE } from '../loaders/files.js';
import { ClusterState } from '../model/cluster-state.js';
import type { CliIO } from './io.js';

export interface InputOpts {
  file: string[];
  maxFileSize?: string;
  kubeconfig?: string;
  context?: string;
  inCluster?: boolean;
  live?: boolean;
  timeout?: string;
}

export interface GatheredInputs {
  state: ClusterState;
  errors: InputError[];
  files: number;
  live?: import('../loaders/live/index.js').LiveLoad;
}

/** Adds the input flags shared by scan, snapshot, rbac and metadata commands. */
export function addInputOptions(cmd: Command): Command {
  return cmd
    .option('-f, --file <path>', 'a file or folder to read (repeatable)', (v: string, p: string[]) => [...p, v], [])
    .option('--max-file-size <MiB>', `refuse files larger than this (default ${DEFAULT_MAX_FILE_SIZE / 1048576})`)
    .option('--live', 'read the cluster of the current kubeconfig context (like kubectl)')
    .option('--kubeconfig <file>', 'read a live cluster through this kubeconfig (implies --live)')
    .option('--context <name>', 'kubeconfig context to use (implies --live)')
    .option('--in-cluster', "read the cluster kubeward runs in, with its pod's service account (implies --live)")
    .addOption(new Option('--timeout <seconds>', 'overall deadline for reading a live cluster').default('300'));
}

export function wantsLive(o: InputOpts): boolean {
  return Boolean(o.live || o.kubeconfig || o.context || o.inCluster);
}

export async function gatherInputs(paths: string[], o: InputOpts, io: CliIO): Promise<GatheredInputs> {
  const inputs = [...paths, ...o.file];
  const live = wantsLive(o);
  if (inputs.length === 0 && !live) {
    throw new UserError('no input: give files or folders, - for stdin, or --live / --kubeconfig for a cluster (see --help)');
  }
  let maxFileSize: number | undefined;
  if (o.maxFileSize !== undefined) {
    const n = Number(o.maxFileSize);
    if (!Number.isFinite(n) || n <= 0) throw new UserError(`--max-file-size must be a positive number of MiB, got "${o.maxFileSize}"`);
    maxFileSize = n * 1048576;
  }
  const timeout = Number(o.timeout ?? 300);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new UserError(`--timeout must be a positive number of seconds, got "${o.timeout}"`);

  const objects: LoadedObject[] = [];
  const errors: InputError[] = [];
  const notAssessed: NotAssessed[] = [];
  let files = 0;
  let fromSnapshot = false;
  let liveLoad: GatheredInputs['live'];
  if (live) {
    const { loadLive } = await import('../loaders/live/index.js');
    const progress = io.errIsTTY
      ? (p: { done: number; total: number; objects: number; current?: string }) =>
          io.err(`\r\x1b[Kreading cluster: ${p.done}/${p.total} kinds, ${p.objects.toLocaleString('en')} objects${p.current ? ` (${p.current})` : ''}`)
      : undefined;
    liveLoad = await loadLive({ kubeconfig: o.kubeconfig, context: o.context, inCluster: o.inCluster }, { timeoutMs: timeout * 1000, onProgress: progress });
    if (progress) io.err('\r\x1b[K');
    objects.push(...liveLoad.objects);
    errors.push(...liveLoad.errors);
    notAssessed.push(...liveLoad.notAssessed);
  }
  if (inputs.length > 0) {
    const loaded = await loadPaths(inputs, {
      maxFileSize,
      cwd: io.cwd,
      stdin: () => io.stdinStream(),
    });
    objects.push(...loaded.objects);
    errors.push(...loaded.errors);
    notAssessed.push(...loaded.notAssessed);
    files = loaded.files;
    fromSnapshot = loaded.fromSnapshot;
  }
  const origin = live ? 'live' : fromSnapshot ? 'snapshot' : 'manifests';
  return { state: new ClusterState({ objects, notAssessed, origin }), errors, files, live: liveLoad };
}
