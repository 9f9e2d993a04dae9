import { Command, Option } from 'commander';
import { promises as fsp } from 'node:fs';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandEnv } from '../main.js';
import { PILLARS, SEVERITIES, SEVERITY_RANK, UserError, type Severity } from '../../core/types.js';
import { allRules, getRule } from '../../rules/index.js';
import { renderRuleDoc } from '../../core/docs.js';

export function registerRules(program: Command, env: CommandEnv): void {
  const rules = program
    .command('rules')
    .description('list the rules (filter by pillar and severity), or show one rule\'s documentation')
    .addOption(new Option('--pillar <pillar>', 'only rules of this pillar').choices([...PILLARS]))
    .addOption(new Option('--severity <severity>', 'only rules at or above this default severity').choices([...SEVERITIES]))
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((opts: { pillar?: string; severity?: Severity; format: string }) => {
      let list = [...allRules];
      if (opts.pillar) list = list.filter((r) => r.meta.pillar === opts.pillar);
      if (opts.severity) list = list.filter((r) => SEVERITY_RANK[r.meta.severity] >= SEVERITY_RANK[opts.severity!]);
      list.sort((a, b) => (a.meta.pillar + a.meta.id < b.meta.pillar + b.meta.id ? -1 : 1));
      if (opts.format === 'json') {
        env.io.out(JSON.stringify(list.map((r) => ({ ...r.meta })), null, 2) + '\n');
        return;
      }
      const w = Math.max(...list.map((r) => r.meta.id.length), 4);
      env.io.out(`${'RULE'.padEnd(w)}  ${'PILLAR'.padEnd(16)}  ${'SEVERITY'.padEnd(8)}  TITLE\n`);
      for (const r of list) env.io.out(`${r.meta.id.padEnd(w)}  ${r.meta.pillar.padEnd(16)}  ${r.meta.severity.padEnd(8)}  ${r.meta.title}\n`);
      env.io.out(`\n${list.length} rule${list.length === 1 ? '' : 's'}. Details: kubeward rules show <rule>\n`);
    });
  rules
    .command('show')
    .description('print the documentation of one rule')
    .argument('<rule>', 'rule id, e.g. privileged-container')
    .action(async (id: string) => {
      const rule = getRule(id);
      if (!rule) {
        const near = allRules.map((r) => r.meta.id).filter((x) => x.includes(id) || id.includes(x));
        throw new UserError(`unknown rule "${id}"${near.length ? ` (did you mean ${near.slice(0, 3).join(', ')}?)` : ''}; list them with kubeward rules`);
      }
      env.io.out(await ruleDoc(rule.meta));
    });
}

/**
 * Rule prose lives beside the rule (src/rules/<pillar>/<id>/rule.md) in a checkout; an installed
 * package has the generated docs/rules/<id>.md instead.
 */
async function ruleDoc(meta: Parameters<typeof renderRuleDoc>[0]): Promise<string> {
  const root = packageRoot(path.dirname(fileURLToPath(import.meta.url)));
  try {
    return renderRuleDoc(meta, await fsp.readFile(path.join(root, 'src/rules', meta.pillar, meta.id, 'rule.md'), 'utf8'));
  } catch {
    /* not a checkout */
  }
  try {
    return await fsp.readFile(path.join(root, 'docs/rules', `${meta.id}.md`), 'utf8');
  } catch {
    return renderRuleDoc(meta, '');
  }
}

/** The package's root: the nearest folder above this module with a package.json (dist/src/cli/commands or dist/bundle). */
function packageRoot(dir: string): string {
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, 'package.json'))) return d;
    if (path.dirname(d) === d) return dir;
  }
}
