// `kubeward fix metadata`: writes the change that blocks the cloud metadata API for every
// non-hostNetwork pod (src/analysis/metadata/fix.ts plans and proves it) and prints the node-level
// commands and Terraform from the metadata-api rules. This file only reads inputs and writes.
import { Command, Option } from 'commander';
import { stringify } from 'yaml';
import type { CommandEnv } from '../main.js';
import { UserError, type Finding } from '../../core/types.js';
import { PROVIDERS, type Provider } from '../../cloud/model.js';
import { addInputOptions, gatherInputs, type InputOpts } from '../inputs.js';
import { formatInputError } from '../../reporters/text.js';
import { clusterProvider } from '../../analysis/metadata/pod-exposure.js';
import { planMetadataFix, proveFix, type FixMode, type FixPlan, type FixProof, type NodeFix } from '../../analysis/metadata/fix.js';
import { runRules } from '../../core/engine.js';
import { allRules } from '../../rules/index.js';

interface FixOpts extends InputOpts {
  output?: string;
  network?: FixMode | 'auto';
  excludeNamespace?: string[];
  provider?: string;
  format?: string;
  proof?: boolean;
  sample?: string;
}

/** The metadata-api node rules' findings, with the commands and Terraform their evidence carries. */
function nodeFixes(findings: readonly Finding[]): NodeFix[] {
  // One command often fixes several findings (IMDSv1 and the hop limit of one launch template): one entry each.
  const byFix = new Map<string, NodeFix>();
  for (const f of findings) {
    if (f.pillar !== 'metadata-api' || f.ruleId === 'metadata-api-reachable') continue;
    const e = (f.evidence ?? {}) as { awsCli?: string; terraform?: string; fix?: { command?: string; terraform?: string } };
    const command = e.awsCli ?? e.fix?.command;
    const terraform = e.terraform ?? e.fix?.terraform;
    const key = command || terraform ? `${command ?? ''}|${terraform ?? ''}` : `${f.ruleId}|${f.message}`;
    const same = byFix.get(key);
    if (same) {
      same.message += `; ${f.message.replace(/^[^:]*: /, '')}`;
      same.rule += `, ${f.ruleId}`;
      continue;
    }
    byFix.set(key, { rule: f.ruleId, target: `${f.resource.kind} ${f.resource.namespace ? `${f.resource.namespace}/` : ''}${f.resource.name}`, message: f.message, ...(command ? { command } : {}), ...(terraform ? { terraform } : {}) });
  }
  return [...byFix.values()];
}

function comment(text: string): string {
  return text
    .split('\n')
    .map((l) => (l.length > 0 ? `# ${l}` : '#'))
    .join('\n');
}

function renderYaml(plan: FixPlan, proof: FixProof | undefined): string {
  const head: string[] = [
    `kubeward fix metadata: block the ${plan.provider.toUpperCase()} instance metadata API (${plan.imdsCidrs.join(', ')}) for every non-hostNetwork pod.`,
    `Network: ${plan.mode} (${plan.modeWhy}).`,
  ];
  if (proof) {
    head.push(proofLine(proof));
    for (const c of proof.uncertain.slice(0, 10)) head.push(`  depends on the implementation: ${c.source} -> ${c.destination} ${c.flow} (${(c.why ?? []).join('; ')})`);
    for (const n of proofNotes(proof)) head.push(`  note: ${n}`);
  }
  for (const w of plan.warnings) head.push(`WARNING: ${w}`);
  if (plan.nodeFixes.length > 0) {
    head.push('', 'Node settings (they stop pods whatever the network allows; hostNetwork pods are only stopped by disabling the endpoint):');
    for (const n of plan.nodeFixes) {
      head.push('', `- ${n.target}: ${n.message}`);
      if (n.command) head.push(`  $ ${n.command}`);
      if (n.terraform) head.push('  Terraform:', ...n.terraform.split('\n').map((l) => `    ${l}`));
    }
  }
  const docs = plan.objects.map((o) => `${comment(`${o.action === 'replace' ? `replaces ${o.from ?? 'the existing object'}` : 'new'}: ${o.why}`)}\n${stringify(o.object, { lineWidth: 0 })}`);
  return `${comment(head.join('\n'))}\n${docs.length > 0 ? `---\n${docs.join('---\n')}` : '# (no Kubernetes object to apply: see the node settings above)\n'}`;
}

const NODE_NOTE =
  'traffic to nodes and hostNetwork pods passes the generated ipBlock 0.0.0.0/0 only where the implementation applies ipBlock to node IPs (most do; Cilium only with policy-cidr-match-mode=nodes: use --network cilium there)';

function proofNotes(p: FixProof): string[] {
  return p.uncertain.some((c) => (c.why ?? []).some((w) => w.includes('node IP'))) ? [NODE_NOTE] : [];
}

function proofLine(p: FixProof): string {
  const unc = p.counts.uncertain > 0 ? `; ${p.counts.uncertain} other flows now depend on the implementation (see below)` : '';
  const left = p.imds.leftAlone > 0 ? `, ${p.imds.leftAlone} open in namespaces left alone` : '';
  return `Proof (${p.enforcement}): ${p.flows} flows from ${p.sources} pod templates to ${p.destinations} destinations evaluated before and after${p.sampled ? ' (sampled)' : ''}: metadata API ${p.imds.blockedNow} flows blocked now, ${p.imds.alreadyBlocked} already blocked, ${p.imds.open} still open${left}; ${p.counts.unexpected === 0 ? 'no other flow cut or opened' : `${p.counts.unexpected} other flows cut or opened`}${unc}.`;
}

export function registerFix(program: Command, env: CommandEnv): void {
  const fix = program.command('fix').description('write fixes for what kubeward finds');
  addInputOptions(
    fix
      .command('metadata')
      .description('block the cloud metadata API (169.254.169.254) for every non-hostNetwork pod without cutting other traffic, and print the node settings that close it for good')
      .argument('[paths...]', 'files or folders to read, - for stdin'),
  )
    .option('-o, --output <file>', 'write the Kubernetes objects (YAML, node commands as comments) to this file; default stdout, with the report on stderr')
    .addOption(new Option('--network <mode>', 'how to block it in the network: auto picks Cilium or Calico when they enforce policy, else per-namespace NetworkPolicies; none for node settings only').choices(['auto', 'networkpolicy', 'cilium', 'calico', 'none']).default('auto'))
    .option('--exclude-namespace <ns...>', 'namespaces to leave alone (pods there that need IMDS)')
    .addOption(new Option('--provider <cloud>', 'the cloud the cluster runs on (default: from the cloud context, node labels or providerIDs)').choices([...PROVIDERS]))
    .addOption(new Option('--format <format>', 'report format').choices(['text', 'json']).default('text'))
    .option('--no-proof', 'skip the before/after evaluation')
    .option('--sample <n>', 'pod templates sampled as sources and as destinations by the proof', '150')
    .addHelpText(
      'after',
      `
NetworkPolicy only allows, so a policy added to a namespace isolates its pods: the generated policy
allows every destination but the metadata API, and selects only the pods no Egress policy selects
(existing Egress policies that let IMDS through are rewritten instead). With Cilium or Calico one
cluster-wide deny is written. The proof evaluates every sampled pod towards the metadata API, other
link-local and external addresses and the other pods, before and after: only the metadata API may
change. Exit code 1 when the proof finds another change or a pod still reaching IMDS.

Examples:
  kubeward fix metadata examples/shop --cloud examples/shop/cloud -o fix.yaml
  kubeward fix metadata --live --network cilium --exclude-namespace kube-system -o fix.yaml`,
    )
    .action(async (paths: string[], o: FixOpts) => {
      const { io } = env;
      const g = await gatherInputs(paths, o, io);
      for (const e of g.errors) io.err(`${formatInputError(e, io.cwd)}\n`);
      const { provider, why } = clusterProvider(g.state, o.provider as Provider | undefined);
      if (!provider) throw new UserError(`cannot tell which cloud the cluster runs on: ${why}`);
      const sample = Number(o.sample);
      if (!Number.isInteger(sample) || sample < 1) throw new UserError(`--sample must be a positive integer, got ${o.sample}`);
      const plan = planMetadataFix(g.state, { provider, mode: o.network ?? 'auto', excludeNamespaces: o.excludeNamespace ?? [] });
      const rules = allRules.filter((r) => r.meta.pillar === 'metadata-api' && (!r.meta.provider || r.meta.provider === provider));
      plan.nodeFixes = nodeFixes(runRules(g.state, rules).findings);
      const proof = o.proof === false ? undefined : proveFix(g.state, plan, { sample });
      const yaml = renderYaml(plan, proof);
      const report = (s: string) => (o.output ? io.out(s) : io.err(s));
      if (o.output) await io.writeFile(o.output, yaml);
      else io.out(yaml);
      if (o.format === 'json') {
        report(`${JSON.stringify({ provider, mode: plan.mode, modeWhy: plan.modeWhy, imdsCidrs: plan.imdsCidrs, namespaces: plan.namespaces, objects: plan.objects, nodeFixes: plan.nodeFixes, warnings: plan.warnings, ...(proof ? { proof } : {}) }, null, 2)}\n`);
      } else {
        report(`provider: ${provider} (${why}); network: ${plan.mode} (${plan.modeWhy})\n`);
        const created = plan.objects.filter((x) => x.action === 'create').length;
        const replaced = plan.objects.length - created;
        report(`${created} objects to create, ${replaced} to replace; namespaces covered: ${plan.namespaces.covered.length}${plan.namespaces.skipped.length > 0 ? `, left alone: ${plan.namespaces.skipped.map((s) => `${s.namespace} (${s.reason})`).join('; ')}` : ''}\n`);
        for (const x of plan.objects) {
          const m = x.object.metadata as { name?: string; namespace?: string };
          report(`  ${x.action} ${String(x.object.kind)} ${m.namespace ? `${m.namespace}/` : ''}${m.name}: ${x.why}\n`);
        }
        if (plan.nodeFixes.length > 0) {
          report(`node settings (${plan.nodeFixes.length}):\n`);
          for (const n of plan.nodeFixes) report(`  ${n.target}: ${n.message}${n.command ? `\n    $ ${n.command}` : ''}\n`);
        }
        for (const w of plan.warnings) report(`warning: ${w}\n`);
        if (proof) {
          report(`${proofLine(proof)}\n`);
          for (const c of proof.imds.stillOpen.slice(0, 20)) report(`  still open: ${c.source} -> ${c.destination} ${c.flow}: ${c.after}${c.by?.length ? ` (decided by ${c.by.join('; ')})` : ''}${c.why?.length ? ` (${c.why.join('; ')})` : ''}\n`);
          for (const c of proof.unexpected.slice(0, 20)) report(`  changed: ${c.source} -> ${c.destination} ${c.flow}: ${c.before} -> ${c.after}\n`);
          for (const c of proof.uncertain.slice(0, 10)) report(`  depends on the implementation: ${c.source} -> ${c.destination} ${c.flow}: ${c.before} -> ${c.after} (${(c.why ?? []).join('; ')})\n`);
          for (const n of proofNotes(proof)) report(`  note: ${n}\n`);
        }
        if (o.output) report(`written: ${o.output}\n`);
      }
      if (g.errors.length > 0) env.setExit(2);
      else if (proof && (proof.counts.unexpected > 0 || proof.imds.open > 0)) env.setExit(1);
    });
}
