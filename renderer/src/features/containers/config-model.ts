/** Readers of the inspect JSON for the Env, Mounts and Ports tabs (pure; the engine may omit any field). */
type Json = Record<string, unknown>;
const obj = (value: unknown): Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

export interface EnvEntry {
  readonly key: string;
  readonly value: string;
  /** Names that usually hold secrets are masked until revealed. */
  readonly secret: boolean;
}

const SECRET_NAME = /(pass(word)?|secret|token|key|credential|auth)/i;

export function envEntries(raw: Json): EnvEntry[] {
  const env = obj(raw['Config'])['Env'];
  if (!Array.isArray(env)) return [];
  return env
    .filter((line): line is string => typeof line === 'string')
    .map((line) => {
      const eq = line.indexOf('=');
      const key = eq < 0 ? line : line.slice(0, eq);
      return { key, value: eq < 0 ? '' : line.slice(eq + 1), secret: SECRET_NAME.test(key) };
    })
    .sort((a, b) => a.key.localeCompare(b.key));
}

export interface MountEntry {
  readonly type: string;
  readonly source: string;
  readonly destination: string;
  readonly name?: string;
  readonly readOnly: boolean;
}

export function mountEntries(raw: Json): MountEntry[] {
  const mounts = raw['Mounts'];
  if (!Array.isArray(mounts)) return [];
  return mounts.map((value) => {
    const m = obj(value);
    const name = str(m['Name']);
    return {
      type: str(m['Type']) || 'bind',
      source: str(m['Source']),
      destination: str(m['Destination']),
      ...(name !== '' ? { name } : {}),
      readOnly: m['RW'] === false,
    };
  });
}

export interface PortEntry {
  readonly containerPort: string;
  readonly protocol: string;
  readonly hostIp?: string;
  readonly hostPort?: string;
}

/** Published ports from `NetworkSettings.Ports` (running) or `HostConfig.PortBindings` (configured). */
export function portEntries(raw: Json): PortEntry[] {
  const live = obj(obj(raw['NetworkSettings'])['Ports']);
  const configured = obj(obj(raw['HostConfig'])['PortBindings']);
  const exposed = obj(obj(raw['Config'])['ExposedPorts']);
  const source = Object.keys(live).length > 0 ? live : configured;
  const keys = new Set([...Object.keys(source), ...Object.keys(exposed)]);
  const entries: PortEntry[] = [];
  for (const key of [...keys].sort((a, b) => parseInt(a, 10) - parseInt(b, 10))) {
    const [containerPort = key, protocol = 'tcp'] = key.split('/');
    const bindings = source[key];
    if (!Array.isArray(bindings) || bindings.length === 0) {
      entries.push({ containerPort, protocol });
      continue;
    }
    for (const binding of bindings) {
      const b = obj(binding);
      const hostIp = str(b['HostIp']);
      const hostPort = str(b['HostPort']);
      entries.push({
        containerPort,
        protocol,
        ...(hostIp !== '' ? { hostIp } : {}),
        ...(hostPort !== '' ? { hostPort } : {}),
      });
    }
  }
  return entries;
}

/** The URL a published TCP port opens in the browser. */
export function portUrl(entry: PortEntry): string | undefined {
  if (entry.protocol !== 'tcp' || entry.hostPort === undefined) return undefined;
  const ip = entry.hostIp;
  const host = ip === undefined || ip === '' || ip === '0.0.0.0' || ip === '::' ? 'localhost' : ip.includes(':') ? `[${ip}]` : ip;
  return `http://${host}:${entry.hostPort}/`;
}
