// Fixture annotations (Semgrep style): a comment `# ruleid: <id>` marks that the next non-comment
// line must be reported by rule <id>; `# ok: <id>` documents a line that must not be. Pure.

export interface FixtureExpectations {
  /** ruleId -> 1-based lines that must fire (a line may appear twice when two findings share it). */
  fire: Map<string, number[]>;
  ok: Map<string, number[]>;
}

export function parseFixtureAnnotations(text: string): FixtureExpectations {
  const lines = text.split('\n');
  const fire = new Map<string, number[]>();
  const ok = new Map<string, number[]>();
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*#\s*(ruleid|ok):\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)\s*$/.exec(lines[i]);
    if (!m) continue;
    let j = i + 1;
    while (j < lines.length && /^\s*(#.*)?$/.test(lines[j])) j++;
    const target = m[1] === 'ruleid' ? fire : ok;
    for (const id of m[2].split(',').map((s) => s.trim())) {
      const l = target.get(id) ?? [];
      l.push(j + 1);
      target.set(id, l);
    }
  }
  return { fire, ok };
}
