import type { ContainerSummary, ImageSummary } from '@berth/common/contract';
import type { IconName } from '../../ui/Icon';

export type GlobalDialog = 'run' | 'pull' | 'create-volume' | 'create-network' | 'prune-images';

export interface Command {
  readonly id: string;
  readonly title: string;
  readonly group: 'Go to' | 'Create' | 'Container' | 'Image' | 'App';
  readonly icon: IconName;
  /** Destructive commands ask for a second Enter. */
  readonly destructive?: boolean;
  readonly run: () => void;
}

export interface CommandContext {
  readonly containers: readonly ContainerSummary[];
  readonly images: readonly ImageSummary[];
  readonly go: (hash: string) => void;
  readonly open: (dialog: GlobalDialog, image?: string) => void;
  readonly containerAction: (id: string, action: 'start' | 'stop' | 'restart' | 'pause' | 'unpause' | 'remove') => void;
  readonly toggleTheme: () => void;
}

/** Every action the app has, as palette commands (containers and images by name). */
export function buildCommands(ctx: CommandContext): Command[] {
  const commands: Command[] = [
    { id: 'go:dashboard', title: 'Dashboard', group: 'Go to', icon: 'dashboard', run: () => ctx.go('#/') },
    { id: 'go:containers', title: 'Containers', group: 'Go to', icon: 'containers', run: () => ctx.go('#/containers') },
    { id: 'go:images', title: 'Images', group: 'Go to', icon: 'images', run: () => ctx.go('#/images') },
    { id: 'go:volumes', title: 'Volumes', group: 'Go to', icon: 'volumes', run: () => ctx.go('#/volumes') },
    { id: 'go:networks', title: 'Networks', group: 'Go to', icon: 'networks', run: () => ctx.go('#/networks') },
    { id: 'create:run', title: 'Run a container…', group: 'Create', icon: 'play', run: () => ctx.open('run') },
    { id: 'create:pull', title: 'Pull an image…', group: 'Create', icon: 'download', run: () => ctx.open('pull') },
    { id: 'create:volume', title: 'Create a volume…', group: 'Create', icon: 'volumes', run: () => ctx.open('create-volume') },
    {
      id: 'create:network',
      title: 'Create a network…',
      group: 'Create',
      icon: 'networks',
      run: () => ctx.open('create-network'),
    },
    { id: 'app:prune', title: 'Prune images…', group: 'App', icon: 'trash', run: () => ctx.open('prune-images') },
    { id: 'app:theme', title: 'Toggle light/dark theme', group: 'App', icon: 'moon', run: ctx.toggleTheme },
  ];
  for (const c of ctx.containers) {
    const up = c.state === 'running' || c.state === 'restarting';
    const paused = c.state === 'paused';
    const tab =
      (name: string): (() => void) =>
      () =>
        ctx.go(`#/containers/${encodeURIComponent(c.id)}/${name}`);
    commands.push(
      { id: `c:${c.id}:open`, title: `Open ${c.name}`, group: 'Container', icon: 'containers', run: tab('logs') },
      { id: `c:${c.id}:terminal`, title: `Terminal in ${c.name}`, group: 'Container', icon: 'terminal', run: tab('terminal') },
      { id: `c:${c.id}:stats`, title: `Stats of ${c.name}`, group: 'Container', icon: 'chart', run: tab('stats') },
      { id: `c:${c.id}:inspect`, title: `Inspect ${c.name}`, group: 'Container', icon: 'code', run: tab('inspect') },
    );
    if (up || paused) {
      commands.push({
        id: `c:${c.id}:stop`,
        title: `Stop ${c.name}`,
        group: 'Container',
        icon: 'stop',
        run: () => ctx.containerAction(c.id, 'stop'),
      });
      commands.push({
        id: `c:${c.id}:pause`,
        title: `${paused ? 'Resume' : 'Pause'} ${c.name}`,
        group: 'Container',
        icon: paused ? 'play' : 'pause',
        run: () => ctx.containerAction(c.id, paused ? 'unpause' : 'pause'),
      });
    } else {
      commands.push({
        id: `c:${c.id}:start`,
        title: `Start ${c.name}`,
        group: 'Container',
        icon: 'play',
        run: () => ctx.containerAction(c.id, 'start'),
      });
    }
    commands.push(
      {
        id: `c:${c.id}:restart`,
        title: `Restart ${c.name}`,
        group: 'Container',
        icon: 'restart',
        run: () => ctx.containerAction(c.id, 'restart'),
      },
      {
        id: `c:${c.id}:remove`,
        title: `Remove ${c.name}`,
        group: 'Container',
        icon: 'trash',
        destructive: true,
        run: () => ctx.containerAction(c.id, 'remove'),
      },
    );
  }
  for (const image of ctx.images) {
    const tag = image.repoTags[0];
    if (tag === undefined) continue;
    commands.push({
      id: `i:${image.id}:run`,
      title: `Run ${tag}`,
      group: 'Image',
      icon: 'play',
      run: () => ctx.open('run', tag),
    });
  }
  return commands;
}

/**
 * Subsequence match ("stpweb" finds "Stop web"): a score that prefers matches at word starts and
 * close together; undefined when not every query character appears in order.
 */
export function matchScore(title: string, query: string): number | undefined {
  const q = query.trim().toLowerCase();
  if (q === '') return 0;
  const t = title.toLowerCase();
  let score = 0;
  let from = 0;
  let previous = -2;
  for (const char of q) {
    if (char === ' ') continue;
    const at = t.indexOf(char, from);
    if (at < 0) return undefined;
    if (at === 0 || t[at - 1] === ' ' || t[at - 1] === '-' || t[at - 1] === '_') score += 3;
    if (at === previous + 1) score += 2;
    score -= (at - from) * 0.05;
    previous = at;
    from = at + 1;
  }
  return score - t.length * 0.01;
}

export function rankCommands(commands: readonly Command[], query: string, limit = 50): Command[] {
  const scored: Array<{ command: Command; score: number }> = [];
  for (const command of commands) {
    const score = matchScore(`${command.title} ${command.group}`, query);
    if (score !== undefined) scored.push({ command, score });
  }
  return scored
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map((entry) => entry.command);
}
