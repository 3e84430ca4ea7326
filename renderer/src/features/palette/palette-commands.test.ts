import { describe, expect, it } from 'vitest';
import { container } from '../../test-support/fake-api';
import { buildCommands, matchScore, rankCommands } from './palette-commands';

describe('command palette', () => {
  const calls: string[] = [];
  const commands = buildCommands({
    containers: [container('web'), container('db', { state: 'exited', status: 'Exited (0)' })],
    images: [],
    go: (hash) => calls.push(`go ${hash}`),
    open: (dialog) => calls.push(`open ${dialog}`),
    containerAction: (id, action) => calls.push(`${action} ${id}`),
    toggleTheme: () => calls.push('theme'),
  });

  it('offers every page, every create dialog and the right lifecycle actions per container', () => {
    const titles = commands.map((c) => c.title);
    for (const title of [
      'Containers',
      'Images',
      'Volumes',
      'Networks',
      'Run a container…',
      'Create a volume…',
      'Stop web',
      'Start db',
      'Terminal in web',
      'Remove db',
    ]) {
      expect(titles).toContain(title);
    }
    expect(titles).not.toContain('Stop db');
    expect(commands.find((c) => c.title === 'Remove web')?.destructive).toBe(true);
  });

  it('ranks fuzzy matches, word starts first', () => {
    expect(matchScore('Stop web', 'xyz')).toBeUndefined();
    expect(rankCommands(commands, 'stop web')[0]?.title).toBe('Stop web');
    expect(rankCommands(commands, 'term web')[0]?.title).toBe('Terminal in web');
    rankCommands(commands, 'vol')[0]?.run();
    expect(calls.at(-1)).toMatch(/volume/);
  });
});
