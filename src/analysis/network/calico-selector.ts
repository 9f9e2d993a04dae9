// Calico selector expressions (projectcalico.org/v3): a small recursive-descent parser.
//
//   all()  global()  k == 'v'  k != 'v'  has(k)  !has(k)  k in {'a','b'}  k not in {'a'}
//   k contains 's'  k starts with 's'  k ends with 's'  !expr  expr && expr  expr || expr  (expr)
//
// Semantics as libcalico-go: `k != 'v'` and `k not in {...}` are true when the label is absent;
// `&&` binds tighter than `||`; an empty expression selects everything (all()).

export type CalicoSelector = (labels: Readonly<Record<string, string>>) => boolean;

export class CalicoSelectorError extends Error {}

type Tok =
  | { t: 'label'; v: string }
  | { t: 'str'; v: string }
  | { t: 'op'; v: string };

const LABEL_RE = /^[A-Za-z0-9_./\-]+/;

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const rest = src.slice(i);
    const two = rest.slice(0, 2);
    if (two === '&&' || two === '||' || two === '==' || two === '!=') {
      out.push({ t: 'op', v: two });
      i += 2;
      continue;
    }
    if ('!(){},'.includes(c)) {
      out.push({ t: 'op', v: c });
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new CalicoSelectorError(`unterminated string at ${i}`);
      out.push({ t: 'str', v: src.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    let m = /^has\s*\(/.exec(rest);
    if (m) {
      out.push({ t: 'op', v: 'has(' });
      i += m[0].length;
      continue;
    }
    m = /^all\s*\(\s*\)/.exec(rest);
    if (m) {
      out.push({ t: 'op', v: 'all()' });
      i += m[0].length;
      continue;
    }
    m = /^global\s*\(\s*\)/.exec(rest);
    if (m) {
      out.push({ t: 'op', v: 'global()' });
      i += m[0].length;
      continue;
    }
    m = /^(not\s+in|in|contains|starts\s+with|ends\s+with)(?![A-Za-z0-9_./\-])/.exec(rest);
    if (m && out.length > 0 && out[out.length - 1].t === 'label') {
      out.push({ t: 'op', v: m[1].replace(/\s+/g, ' ') });
      i += m[0].length;
      continue;
    }
    m = LABEL_RE.exec(rest);
    if (m) {
      out.push({ t: 'label', v: m[0] });
      i += m[0].length;
      continue;
    }
    throw new CalicoSelectorError(`unexpected character '${c}' at ${i}`);
  }
  return out;
}

const cache = new Map<string, CalicoSelector>();

/** Parse a selector (cached). Throws CalicoSelectorError on a syntax error. */
export function parseCalicoSelector(src: string | undefined | null): CalicoSelector {
  const s = (src ?? '').trim();
  const hit = cache.get(s);
  if (hit) return hit;
  let f: CalicoSelector;
  if (s === '') f = () => true;
  else {
    const toks = tokenize(s);
    let pos = 0;
    const peek = (): Tok | undefined => toks[pos];
    const isOp = (v: string): boolean => peek()?.t === 'op' && peek()!.v === v;
    const expect = (v: string): void => {
      if (!isOp(v)) throw new CalicoSelectorError(`expected '${v}' in selector "${s}"`);
      pos++;
    };
    const str = (): string => {
      const t = peek();
      if (!t || t.t !== 'str') throw new CalicoSelectorError(`expected a quoted string in selector "${s}"`);
      pos++;
      return t.v;
    };
    const parseOr = (): CalicoSelector => {
      let left = parseAnd();
      while (isOp('||')) {
        pos++;
        const l = left;
        const r = parseAnd();
        left = (x) => l(x) || r(x);
      }
      return left;
    };
    const parseAnd = (): CalicoSelector => {
      let left = parseUnary();
      while (isOp('&&')) {
        pos++;
        const l = left;
        const r = parseUnary();
        left = (x) => l(x) && r(x);
      }
      return left;
    };
    const parseUnary = (): CalicoSelector => {
      if (isOp('!')) {
        pos++;
        const inner = parseUnary();
        return (x) => !inner(x);
      }
      if (isOp('(')) {
        pos++;
        const inner = parseOr();
        expect(')');
        return inner;
      }
      if (isOp('all()')) {
        pos++;
        return () => true;
      }
      if (isOp('global()')) {
        pos++;
        return () => false; // selects non-namespaced endpoints only; pods are namespaced
      }
      if (isOp('has(')) {
        pos++;
        const t = peek();
        if (!t || t.t !== 'label') throw new CalicoSelectorError(`expected a label in has() in "${s}"`);
        pos++;
        expect(')');
        const k = t.v;
        return (x) => Object.prototype.hasOwnProperty.call(x, k);
      }
      const t = peek();
      if (!t || t.t !== 'label') throw new CalicoSelectorError(`unexpected token in selector "${s}"`);
      pos++;
      const k = t.v;
      const op = peek();
      if (!op || op.t !== 'op') throw new CalicoSelectorError(`expected an operator after '${k}' in "${s}"`);
      pos++;
      const get = (x: Readonly<Record<string, string>>): string | undefined => (Object.prototype.hasOwnProperty.call(x, k) ? x[k] : undefined);
      switch (op.v) {
        case '==': {
          const v = str();
          return (x) => get(x) === v;
        }
        case '!=': {
          const v = str();
          return (x) => get(x) !== v;
        }
        case 'contains': {
          const v = str();
          return (x) => get(x)?.includes(v) ?? false;
        }
        case 'starts with': {
          const v = str();
          return (x) => get(x)?.startsWith(v) ?? false;
        }
        case 'ends with': {
          const v = str();
          return (x) => get(x)?.endsWith(v) ?? false;
        }
        case 'in':
        case 'not in': {
          expect('{');
          const set = new Set<string>();
          if (!isOp('}')) {
            set.add(str());
            while (isOp(',')) {
              pos++;
              set.add(str());
            }
          }
          expect('}');
          if (op.v === 'in') return (x) => { const v = get(x); return v !== undefined && set.has(v); };
          return (x) => { const v = get(x); return v === undefined || !set.has(v); };
        }
        default:
          throw new CalicoSelectorError(`unexpected operator '${op.v}' in "${s}"`);
      }
    };
    f = parseOr();
    if (pos !== toks.length) throw new CalicoSelectorError(`trailing tokens in selector "${s}"`);
  }
  if (cache.size > 10_000) cache.clear();
  cache.set(s, f);
  return f;
}

/** Label keys a selector refers to (to tell whether unknown labels could change its result). */
export function calicoSelectorKeys(src: string | undefined | null): string[] {
  const s = (src ?? '').trim();
  if (s === '') return [];
  try {
    return tokenize(s).filter((t) => t.t === 'label').map((t) => t.v);
  } catch {
    return [];
  }
}

/** Does the selector text mention global()? (selects non-namespaced resources: host endpoints, network sets) */
export function mentionsGlobal(src: string | undefined): boolean {
  return !!src && /global\s*\(\s*\)/.test(src);
}
