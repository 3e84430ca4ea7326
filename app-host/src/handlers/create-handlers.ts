import type { AppHandlers } from '@berth/common/contract';
import type { DockerClient } from '../docker/docker-client.js';
import { createContainerHandlers } from './containers.handlers.js';
import { createEngineHandlers } from './engine.handlers.js';
import { EventHub, eventHistory } from './event-hub.js';
import { createImageHandlers } from './images.handlers.js';
import { createNetworkHandlers } from './networks.handlers.js';
import { createTerminalHandlers } from './terminals.handlers.js';
import { TerminalSessions } from '../terminal/terminal-sessions.js';
import { createVolumeHandlers } from './volumes.handlers.js';

export interface AppHost {
  readonly handlers: AppHandlers;
  readonly hub: EventHub;
  close(): Promise<void>;
}

/** Composition root of the host: one Docker client, one event hub, all contract handlers. */
export function createAppHandlers(docker: DockerClient): AppHost {
  const hub = new EventHub(docker);
  const terminals = new TerminalSessions(docker);
  const handlers: AppHandlers = {
    containers: createContainerHandlers(docker),
    images: createImageHandlers(docker),
    volumes: createVolumeHandlers(docker),
    networks: createNetworkHandlers(docker),
    engine: createEngineHandlers(docker, hub),
    events: {
      onDidChange(emit) {
        return hub.onEvent(emit);
      },
      history: (input, { signal }) => eventHistory(docker, input.sinceSeconds, input.limit, signal),
    },
    terminals: createTerminalHandlers(terminals),
  };
  return {
    handlers,
    hub,
    async close() {
      hub.close();
      terminals.closeAll();
      await docker.close();
    },
  };
}
