/** The log view's search: plain text (case-insensitive) or a regular expression. */
export interface LogQuery {
  readonly text: string;
  readonly regex: boolean;
  readonly caseSensitive: boolean;
}

export type CompiledQuery =
  | { readonly ok: true; readonly empty: boolean; test(line: string): boolean; ranges(line: string): Array<[number, number]> }
  | { readonly ok: false; readonly error: string };

const MAX_RANGES = 200;

export function compileQuery(query: LogQuery): CompiledQuery {
  if (query.text === '') return { ok: true, empty: true, test: () => true, ranges: () => [] };
  let pattern: RegExp;
  try {
    const source = query.regex ? query.text : query.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    pattern = new RegExp(source, query.caseSensitive ? 'g' : 'gi');
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  const tester = new RegExp(pattern.source, pattern.flags.replace('g', ''));
  return {
    ok: true,
    empty: false,
    test: (line) => tester.test(line),
    ranges(line) {
      const out: Array<[number, number]> = [];
      pattern.lastIndex = 0;
      for (let match = pattern.exec(line); match !== null && out.length < MAX_RANGES; match = pattern.exec(line)) {
        if (match[0] === '') {
          pattern.lastIndex++; // an empty match (`a*`) must not loop forever
          continue;
        }
        out.push([match.index, match.index + match[0].length]);
      }
      return out;
    },
  };
}
