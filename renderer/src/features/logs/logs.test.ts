import { describe, expect, it } from 'vitest';
import { parseAnsi, stripAnsi } from './ansi';
import { LogBuffer, MatchIndex } from './log-buffer';
import { compileQuery } from './log-search';

const line = (text: string, stream: 'stdout' | 'stderr' = 'stdout') => ({ stream, text });

describe('LogBuffer', () => {
  it('appends across chunks and addresses lines by index and sequence', () => {
    const buffer = new LogBuffer(100_000);
    for (let i = 0; i < 10; i++)
      buffer.append(
        Array.from({ length: 1000 }, (_, j) => line(`l${i * 1000 + j}`)),
        stripAnsi,
      );
    expect(buffer.length).toBe(10_000);
    expect(buffer.at(0)?.text).toBe('l0');
    expect(buffer.at(4097)?.text).toBe('l4097');
    expect(buffer.at(9999)?.text).toBe('l9999');
    expect(buffer.at(10_000)).toBeUndefined();
    expect(buffer.bySeq(5000)?.text).toBe('l5000');
  });

  it('drops the oldest whole chunks past its capacity and keeps counts right', () => {
    const buffer = new LogBuffer(8192);
    for (let i = 0; i < 20; i++)
      buffer.append(
        Array.from({ length: 1000 }, (_, j) => line(`l${i * 1000 + j}`, j % 2 ? 'stderr' : 'stdout')),
        stripAnsi,
      );
    expect(buffer.length).toBeLessThanOrEqual(8192 + 4096);
    expect(buffer.length).toBeGreaterThanOrEqual(8192);
    expect(buffer.at(buffer.length - 1)?.text).toBe('l19999');
    expect(buffer.at(0)?.seq).toBe(buffer.firstSeq);
    expect(buffer.stderrCount).toBe([...buffer].filter((l) => l.stream === 'stderr').length);
  });

  it('match index forgets dropped lines', () => {
    const matches = new MatchIndex();
    for (const seq of [1, 5, 9, 12]) matches.push(seq);
    matches.trim(6);
    expect(matches.length).toBe(2);
    expect(matches.at(0)).toBe(9);
  });
});

describe('ANSI', () => {
  it('turns SGR into styles and drops every other escape', () => {
    const segments = parseAnsi(
      '\u001b[1;31merror\u001b[0m plain \u001b]0;title\u0007\u001b[2Kdone\u001b[38;5;82mX\u001b[38;2;1;2;3mY',
    );
    expect(segments.map((s) => s.text).join('')).toBe('error plain doneXY');
    expect(segments[0]).toEqual({ text: 'error', style: { bold: true, fg: 'var(--ansi-red)' } });
    expect(segments[1]?.style).toEqual({});
    expect(segments.at(-2)?.style.fg).toBe('rgb(95 255 0)');
    expect(segments.at(-1)?.style.fg).toBe('rgb(1 2 3)');
  });

  it('strips to exactly the parsed text', () => {
    const text = 'a\u001b[32mb\u001b[mc\u0007d\u001b[?25le';
    expect(stripAnsi(text)).toBe('abcde');
    expect(
      parseAnsi(text)
        .map((s) => s.text)
        .join(''),
    ).toBe(stripAnsi(text));
  });

  it('never produces markup from the text', () => {
    expect(parseAnsi('<img src=x onerror=alert(1)>')).toEqual([{ text: '<img src=x onerror=alert(1)>', style: {} }]);
  });

  it('ignores out-of-range colours', () => {
    expect(parseAnsi('\u001b[38;2;999;0;0mx')[0]?.style.fg).toBeUndefined();
  });
});

describe('log search', () => {
  it('matches plain text case-insensitively with ranges', () => {
    const query = compileQuery({ text: 'a.b', regex: false, caseSensitive: false });
    if (!query.ok) throw new Error('should compile');
    expect(query.test('xA.Bx')).toBe(true);
    expect(query.test('aXb')).toBe(false);
    expect(query.ranges('a.b a.b')).toEqual([
      [0, 3],
      [4, 7],
    ]);
  });

  it('supports regular expressions and reports bad ones', () => {
    const query = compileQuery({ text: 'tick \\d+$', regex: true, caseSensitive: true });
    if (!query.ok) throw new Error('should compile');
    expect(query.test('tick 42')).toBe(true);
    expect(query.test('Tick 42')).toBe(false);
    expect(compileQuery({ text: '(', regex: true, caseSensitive: false }).ok).toBe(false);
    const empty = compileQuery({ text: 'x*', regex: true, caseSensitive: false });
    if (!empty.ok) throw new Error('should compile');
    expect(empty.ranges('abxxc')).toEqual([[2, 4]]);
  });
});
