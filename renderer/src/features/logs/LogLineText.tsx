import type { CSSProperties, ReactNode } from 'react';
import { parseAnsi, type AnsiStyle } from './ansi';

function styleOf(style: AnsiStyle): { className?: string; css?: CSSProperties } {
  const classes: string[] = [];
  if (style.bold === true) classes.push('ansi-bold');
  if (style.dim === true) classes.push('ansi-dim');
  if (style.italic === true) classes.push('ansi-italic');
  if (style.underline === true) classes.push('ansi-underline');
  let fg = style.fg;
  let bg = style.bg;
  if (style.inverse === true) {
    [fg, bg] = [bg ?? 'var(--log-bg)', fg ?? 'var(--text)'];
  }
  const css: CSSProperties = {};
  if (fg !== undefined) css.color = fg;
  if (bg !== undefined) css.backgroundColor = bg;
  return {
    ...(classes.length > 0 ? { className: classes.join(' ') } : {}),
    ...(fg !== undefined || bg !== undefined ? { css } : {}),
  };
}

/**
 * One log line: ANSI colours as styled spans and search hits as <mark>, all as text nodes.
 * `ranges` are offsets into the line without escapes.
 */
export function LogLineText({ text, ranges }: { text: string; ranges: ReadonlyArray<readonly [number, number]> }) {
  const segments = parseAnsi(text);
  const out: ReactNode[] = [];
  let offset = 0;
  let r = 0;
  let key = 0;
  for (const segment of segments) {
    const { className, css } = styleOf(segment.style);
    const end = offset + segment.text.length;
    let cursor = offset;
    const pieces: ReactNode[] = [];
    while (cursor < end) {
      const range = ranges[r];
      if (range === undefined || range[0] >= end) {
        pieces.push(segment.text.slice(cursor - offset));
        cursor = end;
        break;
      }
      if (range[1] <= cursor) {
        r++;
        continue;
      }
      if (range[0] > cursor) {
        pieces.push(segment.text.slice(cursor - offset, range[0] - offset));
        cursor = range[0];
      }
      const hitEnd = Math.min(range[1], end);
      pieces.push(
        <mark key={`m${key++}`} className="log-hit">
          {segment.text.slice(cursor - offset, hitEnd - offset)}
        </mark>,
      );
      cursor = hitEnd;
      if (range[1] <= end) r++;
    }
    offset = end;
    if (className === undefined && css === undefined) out.push(...pieces);
    else
      out.push(
        <span key={`s${key++}`} className={className} style={css}>
          {pieces}
        </span>,
      );
  }
  return <span className="log-text">{out}</span>;
}
