// Gathers the objects every analysis command works on: files/folders/stdin and/or a live cluster.
import { Command, Option } from 'commander';
import type { InputError, LoadedObject, NotAssessed } from '../core/types.js';
import { UserError } from '../core/types.js';
import { loadPaths, DEFAULT_MAX_FILE_SIZE, DEFAULT_MAX_YAML_SIZE } from '../loaders/files.js';
import { ClusterState } from '../model/cluster-state.js';
import type { CliIO } from './io.js';
import { LARGE_INPUT_BYTES, inputIsLarge, youngGenerationCheckpoint } from './heap.js';

export interface InputOpts {
  file: string[];
  maxFileSize?: string;
  kubeconfig?: string;
  context?: string;
  inCluster?: boolean;
  live?: boolean;
  timeout?: string;
  chunkSize?: string;
  /** --cloud specs: files/folders of cloud descriptions, or aws:NAME[@REGION] / azure:RG/NAME / gcp:PROJECT/LOCATION/NAME. */
  cloud?: string[];
}

export interface GatheredInputs {
  state: ClusterState;
  errors: InputError[];
  files: number;
  live?: import('../loaders/live/index.js').LiveLoad;
  /** `--cloud none`: no cloud context, on purpose. */
  noCloud?: boolean;
}

/** Adds the input flags shared by scan, snapshot, rbac and metadata commands. */
export function addInputOptions(cmd: Command): Command {
  return cmd
    .option('-f, --file <path>', 'a file or folder to read (repeatable)', (v: string, p: string[]) => [...p, v], [])
    .option('--max-file-size <MiB>', `refuse files larger than this (default ${DEFAULT_MAX_FILE_SIZE / 1048576} for JSON, ${DEFAULT_MAX_YAML_SIZE / 1048576} for YAML)`)
    .option('--live', 'read the cluster of the current kubeconfig context (like kubectl)')
    .option('--kubeconfig <file>', 'read a live cluster through this kubeconfig (implies --live)')
    .option('--context <name>', 'kubeconfig context to use (implies --live)')
    .option('--in-cluster', "read the cluster kubeward runs in, with its pod's service account (implies --live)")
    .addOption(new Option('--timeout <seconds>', 'overall deadline for reading a live cluster').default('300'))
    .addOption(new Option('--chunk-size <n>', 'objects per list request when reading a live cluster (like kubectl --chunk-size)').default('500'))
    .option(
      '--cloud <spec>',
      'cloud context: a file or folder of cloud descriptions (kubeward cloud collect output, or JSON printed by aws/az/gcloud), or live: aws:CLUSTER[@REGION], azure:RG/CLUSTER, gcp:PROJECT/LOCATION/CLUSTER (repeatable); none: no cloud context on purpose (rules that need one are not applicable instead of not assessed)',
      (v: string, p: string[]) => [...p, v],
      [],
    );
}

export function wantsLive(o: InputOpts): boolean {
  return Boolean(o.live || o.kubeconfig || o.context || o.inCluster);
}

export async function gatherInputs(paths: string[], o: InputOpts, io: CliIO): Promise<GatheredInputs> {
  const inputs = [...paths, ...o.file];
  const live = wantsLive(o);
  const noCloud = (o.cloud ?? []).includes('none');
  if (noCloud && (o.cloud ?? []).length > 1) throw new UserError('--cloud none cannot be combined with other --cloud inputs');
  const cloudSpecs = noCloud ? [] : (o.cloud ?? []);
  if (inputs.length === 0 && !live && cloudSpecs.length === 0) {
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
  const chunkSize = Number(o.chunkSize ?? 500);
  if (!Number.isInteger(chunkSize) || chunkSize <= 0) throw new UserError(`--chunk-size must be a positive integer, got "${o.chunkSize}"`);

  const objects: LoadedObject[] = [];
  const errors: InputError[] = [];
  const notAssessed: NotAssessed[] = [];
  let files = 0;
  let fromSnapshot = false;
  let liveLoad: GatheredInputs['live'];
  if (live) {
    inputIsLarge(); // a cluster is a large input
    const { loadLive } = await import('../loaders/live/index.js');
    const progress = io.errIsTTY
      ? (p: { done: number; total: number; objects: number; current?: string }) =>
          io.err(`\r\x1b[Kreading cluster: ${p.done}/${p.total} kinds, ${p.objects.toLocaleString('en')} objects${p.current ? ` (${p.current})` : ''}`)
      : undefined;
    liveLoad = await loadLive({ kubeconfig: o.kubeconfig, context: o.context, inCluster: o.inCluster }, { timeoutMs: timeout * 1000, pageSize: chunkSize, onProgress: progress });
    if (progress) io.err('\r\x1b[K');
    // Loops, not push(...spread): hundreds of thousands of objects would overflow the stack.
    for (const x of liveLoad.objects) objects.push(x);
    for (const x of liveLoad.errors) errors.push(x);
    for (const x of liveLoad.notAssessed) notAssessed.push(x);
  }
  if (inputs.length > 0) {
    let bytes = 0;
    const loaded = await loadPaths(inputs, {
      maxFileSize,
      cwd: io.cwd,
      stdin: () => io.stdinStream(),
      onSize: (n) => {
        bytes += n;
        if (bytes > LARGE_INPUT_BYTES) inputIsLarge();
        else youngGenerationCheckpoint();
      },
    });
    // Loops, not push(...spread): hundreds of thousands of objects would overflow the stack.
    for (const x of loaded.objects) objects.push(x);
    for (const x of loaded.errors) errors.push(x);
    for (const x of loaded.notAssessed) notAssessed.push(x);
    files = loaded.files;
    fromSnapshot = loaded.fromSnapshot;
  }
  if (cloudSpecs.length > 0) {
    // Loaded after the Kubernetes objects: ServiceAccount annotations name the IRSA / workload identities to collect.
    const { loadCloudInputs } = await import('../loaders/cloud/index.js');
    const cloud = await loadCloudInputs(cloudSpecs, {
      cwd: io.cwd,
      kubeObjects: objects,
      timeoutMs: timeout * 1000,
      onProgress: io.errIsTTY ? (m: string) => io.err(`\r\x1b[K${m}`) : undefined,
    });
    if (io.errIsTTY) io.err('\r\x1b[K');
    for (const x of cloud.objects) objects.push(x);
    for (const x of cloud.errors) errors.push(x);
    for (const x of cloud.notAssessed) notAssessed.push(x);
    files += cloud.files;
  }
  const origin = live ? 'live' : fromSnapshot ? 'snapshot' : 'manifests';
  return { state: new ClusterState({ objects, notAssessed, origin }), errors, files, live: liveLoad, ...(noCloud ? { noCloud } : {}) };
}
