import type { Container } from '../../core/containers/container.js';
import type { EngineEvent } from '../../core/events/engine-event.js';

/** A container event as dockerd shapes it: the container's labels, then `image` and `name`, then the action's own attributes. */
export function containerEvent(
  container: Pick<Container, 'id' | 'name' | 'imageName' | 'config'>,
  action: string,
  extra: Record<string, string> = {},
): Omit<EngineEvent, 'timeNano'> {
  return {
    type: 'container',
    action,
    actor: {
      id: container.id,
      attributes: { ...(container.config.Labels ?? {}), image: container.imageName, name: container.name, ...extra },
    },
  };
}
