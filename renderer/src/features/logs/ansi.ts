/**
 * ANSI escape handling for log lines. SGR (`ESC [ … m`) becomes styled segments rendered as React
 * text nodes (never HTML); every other escape or control sequence is dropped, so a process cannot
 * move the cursor, set titles or smuggle markup into the page through its logs.
 */
export interface AnsiStyle {
  readonly fg?: string;
  readonly bg?: string;
  readonly bold?: boolean;
  readonly dim?: boolean;
  readonly italic?: boolean;
  readonly underline?: boolean;
  readonly inverse?: boolean;
}

export interface AnsiSegment {
  readonly text: string;
  readonly style: AnsiStyle;
}

// CSI … final byte, OSC … BEL/ST, other two-byte escapes, and stray C0 controls except tab.
const ESCAPES =
  // eslint-disable-next-line no-control-regex -- matching terminal control characters is the point
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]|[\u0000-\u0008\u000b-\u001a\u001c-\u001f\u007f]/g;

export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching terminal control characters is the point
  if (!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text)) return text;
  return text.replace(ESCAPES, '');
}

const BASIC = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'] as const;

/** Colour names map to CSS variables (`--ansi-red`, `--ansi-bright-red`) so both themes can tune them. */
function basicColor(index: number, bright: boolean): string {
  return `var(--ansi-${bright ? 'bright-' : ''}${BASIC[index] ?? 'white'})`;
}

function color256(n: number): string | undefined {
  if (!Number.isInteger(n) || n < 0 || n > 255) return undefined;
  if (n < 8) return basicColor(n, false);
  if (n < 16) return basicColor(n - 8, true);
  if (n >= 232) {
    const level = 8 + (n - 232) * 10;
    return `rgb(${level} ${level} ${level})`;
  }
  const i = n - 16;
  const steps = [0, 95, 135, 175, 215, 255];
  return `rgb(${steps[Math.floor(i / 36)] ?? 0} ${steps[Math.floor(i / 6) % 6] ?? 0} ${steps[i % 6] ?? 0})`;
}

function rgb(r: number | undefined, g: number | undefined, b: number | undefined): string | undefined {
  const ok = (v: number | undefined): v is number => v !== undefined && Number.isInteger(v) && v >= 0 && v <= 255;
  return ok(r) && ok(g) && ok(b) ? `rgb(${r} ${g} ${b})` : undefined;
}

type MutableStyle = { -readonly [K in keyof AnsiStyle]: AnsiStyle[K] };

function applySgr(style: MutableStyle, params: number[]): MutableStyle {
  let next: MutableStyle = { ...style };
  for (let i = 0; i < params.length; i++) {
    const p = params[i] ?? 0;
    if (p === 0) next = {};
    else if (p === 1) next.bold = true;
    else if (p === 2) next.dim = true;
    else if (p === 3) next.italic = true;
    else if (p === 4) next.underline = true;
    else if (p === 7) next.inverse = true;
    else if (p === 22) {
      delete next.bold;
      delete next.dim;
    } else if (p === 23) delete next.italic;
    else if (p === 24) delete next.underline;
    else if (p === 27) delete next.inverse;
    else if (p >= 30 && p <= 37) next.fg = basicColor(p - 30, false);
    else if (p === 39) delete next.fg;
    else if (p >= 40 && p <= 47) next.bg = basicColor(p - 40, false);
    else if (p === 49) delete next.bg;
    else if (p >= 90 && p <= 97) next.fg = basicColor(p - 90, true);
    else if (p >= 100 && p <= 107) next.bg = basicColor(p - 100, true);
    else if (p === 38 || p === 48) {
      const mode = params[i + 1];
      let value: string | undefined;
      if (mode === 5) {
        value = color256(params[i + 2] ?? -1);
        i += 2;
      } else if (mode === 2) {
        value = rgb(params[i + 2], params[i + 3], params[i + 4]);
        i += 4;
      } else {
        break; // malformed: ignore the rest of this sequence
      }
      if (value !== undefined) {
        if (p === 38) next.fg = value;
        else next.bg = value;
      }
    }
  }
  return next;
}

/** Splits a line into styled segments whose texts, joined, equal `stripAnsi(text)`. */
export function parseAnsi(text: string): AnsiSegment[] {
  if (!text.includes('\u001b')) return [{ text: stripAnsi(text), style: {} }];
  const segments: AnsiSegment[] = [];
  let style: MutableStyle = {};
  let last = 0;
  const pattern = new RegExp(ESCAPES.source, 'g');
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    if (match.index > last) segments.push({ text: text.slice(last, match.index), style });
    last = match.index + match[0].length;
    // eslint-disable-next-line no-control-regex -- matching terminal control characters is the point
    const sgr = /^\u001b\[([0-9;:]*)m$/.exec(match[0]);
    if (sgr !== null) {
      const params = (sgr[1] ?? '') === '' ? [0] : (sgr[1] ?? '').split(/[;:]/).map((v) => (v === '' ? 0 : Number(v)));
      style = applySgr(style, params);
    }
  }
  if (last < text.length) segments.push({ text: text.slice(last), style });
  return segments.filter((segment) => segment.text !== '');
}
