// Renders a rule's documentation from its metadata and prose. Used by `rules show` and docs generation.
import { PILLAR_TITLES, type RuleMeta } from './types.js';

export function renderRuleDoc(meta: RuleMeta, prose: string): string {
  const c = meta.compliance;
  const lines: string[] = [
    `# ${meta.id}: ${meta.title}`,
    '',
    `| | |`,
    `|---|---|`,
    `| Pillar | ${PILLAR_TITLES[meta.pillar]} (\`${meta.pillar}\`) |`,
    `| Default severity | ${meta.severity} |`,
  ];
  if (c.pss) lines.push(`| Pod Security Standards | ${c.pss} |`);
  if (c.cis?.length) lines.push(`| CIS | ${c.cis.join(', ')} |`);
  if (c.mitre?.length) lines.push(`| MITRE ATT&CK | ${c.mitre.join(', ')} |`);
  if (c.nsa?.length) lines.push(`| NSA/CISA | ${c.nsa.join(', ')} |`);
  if (meta.reads?.length) lines.push(`| Reads | ${meta.reads.map((k) => '`' + k + '`').join(', ')} |`);
  lines.push('', meta.description, '');
  if (prose.trim()) lines.push(prose.trim(), '');
  lines.push('## Remediation', '', meta.remediation, '');
  lines.push('## Messages', '');
  for (const [id, m] of Object.entries(meta.messages)) lines.push(`- \`${id}\`: ${m}`);
  lines.push('');
  if (meta.references.length) {
    lines.push('## References', '');
    for (const r of meta.references) lines.push(`- ${r}`);
    lines.push('');
  }
  lines.push(`<!-- generated from src/rules/${meta.pillar}/${meta.id}/ by npm run docs; do not edit -->`, '');
  return lines.join('\n');
}
