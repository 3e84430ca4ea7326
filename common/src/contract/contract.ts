import type { ChannelOf, ClientOf, ContractSpec, HandlersOf } from './define.js';
import { containers } from './services/containers.js';
import { engine } from './services/engine.js';
import { events } from './services/events.js';
import { images } from './services/images.js';
import { networks } from './services/networks.js';
import { terminals } from './services/terminals.js';
import { volumes } from './services/volumes.js';

/** The one app contract: renderer ↔ (Electron main | web host). */
export const contract = { containers, images, volumes, networks, engine, events, terminals } as const satisfies ContractSpec;

export type AppContract = typeof contract;
/** `window.app` (Electron) and the web client implement this. */
export type AppApi = ClientOf<AppContract>;
/** What app-host implements. */
export type AppHandlers = HandlersOf<AppContract>;
export type AppChannel = ChannelOf<AppContract>;
