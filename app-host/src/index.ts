export * from './contract-dispatcher.js';
export * from './docker/docker-client.js';
export * from './docker/docker-host.js';
export * from './docker/frames.js';
export * from './handlers/create-handlers.js';
export * from './handlers/event-hub.js';
export * from './web/security.js';
export * from './web/web-server.js';
