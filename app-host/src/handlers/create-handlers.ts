import type { AppHandlers } from '@berth/common/contract';
import type { DockerClient } from '../docker/docker-client.js';
import { createContainerHandlers } from './containers.handlers.js';
import { createEngineHandlers } from './engine.handlers.js';
import { EventHub } from './event-hub.js';
import { createImageHandlers } from './images.handlers.js';
import { createNetworkHandlers } from './networks.handlers.js';
import { createVolumeHandlers } from './volumes.handlers.js';

export interface AppHost {
  readonly handlers: AppHandlers;
  readonly hub: EventHub;
  close(): Promise<void>;
}

/** Composition root of the host: one Docker client, one event hub, all contract handlers. */
export function createAppHandlers(docker: DockerClient): AppHost {
  const hub = new EventHub(docker);
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
    },
  };
  return {
    handlers,
    hub,
    async close() {
      hub.close();
      await docker.close();
    },
  };
}
