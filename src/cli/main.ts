// Entry point: parses argv, dispatches to commands, maps errors to exit codes. Never throws.
import { Command, CommanderError } from 'commander';
import { UserError } from '../core/types.js';
import { VERSION } from '../core/version.js';
import { processIO, type CliIO } from './io.js';
import { registerScan } from './commands/scan.js';
import { registerRules } from './commands/rules.js';
import { registerSnapshot } from './commands/snapshot.js';
import { registerAudit } from './commands/audit.js';

export interface CommandEnv {
  io: CliIO;
  /** Set by commands: the exit code to return. */
  setExit(code: number): void;
}

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  let exitCode = 0;
  const env: CommandEnv = { io, setExit: (c) => (exitCode = Math.max(exitCode, c)) };
  const program = new Command();
  program
    .name('kubeward')
    .description('Security analysis for managed Kubernetes (EKS, AKS, GKE): workload hardening, least privilege,\nmetadata API exposure and audit logging, with evidence and a fix for every finding.')
    .version(VERSION, '-V, --version', 'print the version')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  registerScan(program, env);
  registerSnapshot(program, env);
  registerRules(program, env);
  registerAudit(program, env);
  program.commands.forEach((c) => c.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) }));
  try {
    if (argv.length === 0) {
      program.outputHelp();
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
    io.err(`kubeward: internal error: ${(e as Error)?.stack ?? String(e)}\nPlease report this at https://github.com/kubeward/kubeward/issues\n`);
    return 3;
  }
  return exitCode;
}
