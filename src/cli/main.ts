// Entry point: parses argv, dispatches to commands, maps errors to exit codes. Never throws.
import { Command, CommanderError } from 'commander';
import { UserError } from '../core/types.js';
import { VERSION } from '../core/version.js';
import { processIO, type CliIO } from './io.js';
import { registerScan } from './commands/scan.js';
import { mapBundleStack } from './stack.js';

export interface CommandEnv {
  io: CliIO;
  /** Set by commands: the exit code to return. */
  setExit(code: number): void;
}

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  let exitCode = 0;
  const env: CommandEnv = { io, setExit: (c) => (exitCode = Math.max(exitCode, c)) };
  const program = new Command();
  // Usage errors are one line: "kubeward: unknown option '--x' (see kubeward scan --help)".
  const output = (cmd: Command) => ({
    writeOut: (s: string) => io.out(s),
    writeErr: (s: string) => io.err(s),
    outputError: (s: string, write: (s: string) => void) =>
      write(`kubeward: ${s.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')} (see ${commandPath(cmd)} --help)\n`),
  });
  program
    .name('kubeward')
    .description(
      'Security analysis for managed Kubernetes (EKS, AKS, GKE): workload hardening, least privilege, metadata API exposure and audit logging, with evidence and a fix for every finding.',
    )
    .version(VERSION, '-V, --version', 'print the version')
    .configureOutput(output(program))
    .exitOverride();
  registerScan(program, env);
  // `kubeward scan` (the common case, often on small inputs) does not load the other commands'
  // modules; every other invocation (help included) registers them all.
  if (argv[0] !== 'scan') {
    const [{ registerSnapshot }, { registerRules }, { registerAudit }, { registerRbac }, { registerCloud }, { registerMetadata }, { registerFix }] = await Promise.all([
      import('./commands/snapshot.js'),
      import('./commands/rules.js'),
      import('./commands/audit.js'),
      import('./commands/rbac.js'),
      import('./commands/cloud.js'),
      import('./commands/metadata.js'),
      import('./commands/fix.js'),
    ]);
    registerSnapshot(program, env);
    registerRules(program, env);
    registerAudit(program, env);
    registerRbac(program, env);
    registerCloud(program, env);
    registerMetadata(program, env);
    registerFix(program, env);
  }
  const configure = (c: Command): void => {
    c.exitOverride().configureOutput(output(c));
    c.commands.forEach(configure);
  };
  program.commands.forEach(configure);
  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return 2;
    }
    const helpFor = argv[0] === 'help' ? argv[1] : undefined;
    if (helpFor && !helpFor.startsWith('-') && !program.commands.some((c) => c.name() === helpFor || c.aliases().includes(helpFor))) {
      io.err(`kubeward: unknown command '${helpFor}' (see kubeward --help)\n`);
      return 2;
    }
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2; // commander already printed the message
    }
    if (e instanceof UserError) {
      io.err(`kubeward: ${e.message}\n`);
      return e.exitCode;
    }
    const stack = (e as Error)?.stack;
    io.err(`kubeward: internal error: ${stack ? mapBundleStack(stack) : String(e)}\nPlease report this at https://github.com/kubeward/kubeward/issues\n`);
    return 3;
  }
  return exitCode;
}

function commandPath(c: Command): string {
  const names: string[] = [];
  for (let x: Command | null = c; x; x = x.parent) names.unshift(x.name());
  return names.join(' ');
}
