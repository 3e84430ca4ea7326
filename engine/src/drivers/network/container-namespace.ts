/** Name of a container's network namespace under /run/netns, shared by every network driver. */
export function namespaceName(containerId: string): string {
  return `berth-${containerId}`;
}
