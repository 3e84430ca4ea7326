import { describe, expect, it } from 'vitest';
import { createInputQueue } from './input-queue';
import { safeLinkUrl, sanitizeTitle } from './terminal-safety';

describe('terminal safety', () => {
  it('sanitises titles: no controls, no bidi tricks, one bounded line', () => {
    expect(sanitizeTitle('root@box:\u001b[31m~\u0007\n\u202egnp.exe')).toBe('root@box:[31m~ gnp.exe');
    expect(sanitizeTitle('x'.repeat(500)).length).toBe(120);
  });

  it('opens only plain http(s) links', () => {
    expect(safeLinkUrl('https://example.com/a')?.href).toBe('https://example.com/a');
    expect(safeLinkUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeLinkUrl('file:///etc/passwd')).toBeUndefined();
    expect(safeLinkUrl('http://user:pw@example.com/')).toBeUndefined();
    expect(safeLinkUrl('not a url')).toBeUndefined();
  });
});

describe('terminal input queue', () => {
  it('sends in order, one request at a time, batching what was typed meanwhile', async () => {
    const sent: string[] = [];
    let release: (() => void) | undefined;
    const queue = createInputQueue(
      (data) =>
        new Promise<void>((resolve) => {
          sent.push(data);
          release = resolve;
        }),
      () => undefined,
    );
    queue.push('e');
    queue.push('c');
    queue.push('h');
    expect(sent).toEqual(['e']);
    release?.();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(sent).toEqual(['e', 'ch']);
    release?.();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(queue.idle).toBe(true);
  });
});
