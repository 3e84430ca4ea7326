import type { ContainerSummary } from '@berth/common/contract';

export type ListItem =
  | {
      readonly kind: 'group';
      readonly key: string;
      readonly project: string;
      readonly ids: readonly string[];
      readonly running: number;
      readonly collapsed: boolean;
    }
  | { readonly kind: 'container'; readonly key: string; readonly container: ContainerSummary; readonly grouped: boolean };

const isUp = (c: ContainerSummary): boolean => c.state === 'running' || c.state === 'paused' || c.state === 'restarting';

/**
 * The rows of the list: compose projects first (a header, then its containers unless collapsed),
 * then containers that belong to no project, in the order given.
 */
export function groupByProject(
  containers: readonly ContainerSummary[],
  grouped: boolean,
  collapsed: ReadonlySet<string>,
): ListItem[] {
  if (!grouped) return containers.map((c) => ({ kind: 'container', key: c.id, container: c, grouped: false }));
  const projects = new Map<string, ContainerSummary[]>();
  const loose: ContainerSummary[] = [];
  for (const c of containers) {
    if (c.composeProject === undefined || c.composeProject === '') loose.push(c);
    else {
      const members = projects.get(c.composeProject);
      if (members === undefined) projects.set(c.composeProject, [c]);
      else members.push(c);
    }
  }
  const items: ListItem[] = [];
  for (const project of [...projects.keys()].sort((a, b) => a.localeCompare(b))) {
    const members = projects.get(project) ?? [];
    const isCollapsed = collapsed.has(project);
    items.push({
      kind: 'group',
      key: `project:${project}`,
      project,
      ids: members.map((c) => c.id),
      running: members.filter(isUp).length,
      collapsed: isCollapsed,
    });
    if (!isCollapsed) for (const c of members) items.push({ kind: 'container', key: c.id, container: c, grouped: true });
  }
  for (const c of loose) items.push({ kind: 'container', key: c.id, container: c, grouped: false });
  return items;
}
