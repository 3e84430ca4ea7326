import { invalidArgument } from '@berth/common';
import type { EngineEvent } from '../../core/events/engine-event.js';

/** Filter keys `GET /events` accepts (dockerd's list); the swarm ones never match a local event. */
const acceptedKeys = new Set([
  'container',
  'image',
  'event',
  'label',
  'volume',
  'network',
  'type',
  'daemon',
  'plugin',
  'node',
  'service',
  'secret',
  'config',
  'scope',
]);

export type EventFilterValues = ReadonlyMap<string, readonly string[]>;

/**
 * dockerd's event filter (daemon/events/filter.go): every given key must match; values of one key
 * are alternatives. Names and IDs match by prefix (`container=web` matches `web-1`), `event` and
 * `type` exactly, `image` with or without its tag, `label` as `key` or `key=value` on the actor's
 * attributes (container labels are there).
 */
export class EventFilter {
  private readonly values: Map<string, Set<string>>;

  constructor(filters: EventFilterValues) {
    this.values = new Map();
    for (const [key, values] of filters) {
      if (!acceptedKeys.has(key)) throw invalidArgument(`invalid filter '${key}'`);
      if (values.length > 0) this.values.set(key, new Set(values));
    }
  }

  matches(event: EngineEvent): boolean {
    const { id, attributes } = event.actor;
    return (
      this.matchAction(event.action) &&
      this.exact('type', event.type) &&
      this.exact('scope', 'local') &&
      this.named('daemon', id, attributes) &&
      this.named('container', id, attributes) &&
      this.named('plugin', id, attributes) &&
      this.named('volume', id, attributes) &&
      this.named('network', id, attributes) &&
      this.matchImage(event) &&
      this.named('node', id, attributes) &&
      this.named('service', id, attributes) &&
      this.named('secret', id, attributes) &&
      this.named('config', id, attributes) &&
      this.matchLabels(attributes)
    );
  }

  /** `health_status`, `exec_create` and `exec_start` carry a suffix (`exec_start: sh`): matched as prefixes. */
  private matchAction(action: string): boolean {
    const wanted = this.values.get('event');
    if (wanted === undefined) return true;
    if (['health_status', 'exec_create', 'exec_start'].some((name) => wanted.has(name))) return this.fuzzy('event', action);
    return wanted.has(action);
  }

  private matchImage(event: EngineEvent): boolean {
    if (!this.values.has('image')) return true;
    const id = event.actor.id;
    // Image events name the image in `name`, container events in `image`.
    const name = event.actor.attributes[event.type === 'image' ? 'name' : 'image'] ?? '';
    return [id, name, stripTag(id), stripTag(name)].some((candidate) => this.exact('image', candidate));
  }

  private matchLabels(attributes: Record<string, string>): boolean {
    const wanted = this.values.get('label');
    if (wanted === undefined) return true;
    for (const label of wanted) {
      const equals = label.indexOf('=');
      const key = equals < 0 ? label : label.slice(0, equals);
      if (!(key in attributes)) return false;
      if (equals >= 0 && attributes[key] !== label.slice(equals + 1)) return false;
    }
    return true;
  }

  private exact(key: string, value: string): boolean {
    const wanted = this.values.get(key);
    return wanted === undefined || wanted.has(value);
  }

  private fuzzy(key: string, value: string): boolean {
    const wanted = this.values.get(key);
    if (wanted === undefined || wanted.has(value)) return true;
    for (const prefix of wanted) if (value.startsWith(prefix)) return true;
    return false;
  }

  /** An object of the given kind named by the filter: by ID or `name` attribute, both by prefix. */
  private named(key: string, id: string, attributes: Record<string, string>): boolean {
    return this.fuzzy(key, id) || this.fuzzy(key, attributes['name'] ?? '');
  }
}

/** `busybox:latest` -> `busybox`, `127.0.0.1:5000/busybox@sha256:…` -> `127.0.0.1:5000/busybox`. */
function stripTag(reference: string): string {
  if (reference.startsWith('sha256:')) return reference;
  const at = reference.indexOf('@');
  const withoutDigest = at < 0 ? reference : reference.slice(0, at);
  const colon = withoutDigest.lastIndexOf(':');
  return colon > withoutDigest.lastIndexOf('/') ? withoutDigest.slice(0, colon) : withoutDigest;
}
