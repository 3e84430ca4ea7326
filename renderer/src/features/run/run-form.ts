import type { RestartPolicyName, RunContainerInput } from '@berth/common/contract';

/** What the run dialog's fields hold, as typed. */
export interface RunFormValues {
  readonly image: string;
  readonly name: string;
  readonly command: string;
  /** One `KEY=VALUE` per line. */
  readonly env: string;
  /** `8080:80, 127.0.0.1:5353:53/udp, 9000` (host:container, as `docker run -p`). */
  readonly ports: string;
  /** One `source:target[:ro]` per line. */
  readonly volumes: string;
  readonly restartPolicy: RestartPolicyName;
}

export type RunFormResult = { ok: true; input: RunContainerInput } | { ok: false; field: keyof RunFormValues; message: string };

/** Splits a command line into argv the way a POSIX shell would for quotes and backslashes (no expansion). */
export function splitCommandLine(line: string): string[] {
  const args: string[] = [];
  let current = '';
  let inArg = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else current += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1] as string)) current += line[++i];
      else current += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inArg = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      current += line[++i];
      inArg = true;
    } else if (/\s/.test(ch)) {
      if (inArg) args.push(current);
      current = '';
      inArg = false;
    } else {
      current += ch;
      inArg = true;
    }
  }
  if (quote !== undefined) throw new Error(`unterminated ${quote} quote`);
  if (inArg) args.push(current);
  return args;
}

type Port = NonNullable<RunContainerInput['ports']>[number];

/** Parses `docker run -p` forms: `80`, `8080:80`, `127.0.0.1:8080:80`, `127.0.0.1::80`, each with an optional `/udp`. */
export function parsePortSpec(spec: string): Port {
  const [addr = '', proto = 'tcp', ...extra] = spec.trim().split('/');
  if (extra.length > 0 || (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp')) throw new Error(`invalid port "${spec}"`);
  const parts = addr.split(':');
  const port = (text: string | undefined, allowEmpty: boolean): number | undefined => {
    if (text === undefined || text === '') {
      if (allowEmpty) return undefined;
      throw new Error(`invalid port "${spec}"`);
    }
    if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) throw new Error(`invalid port "${spec}"`);
    return Number(text);
  };
  let hostIp: string | undefined;
  let hostPort: number | undefined;
  let containerPort: number | undefined;
  if (parts.length === 1) containerPort = port(parts[0], false);
  else if (parts.length === 2) {
    hostPort = port(parts[0], true);
    containerPort = port(parts[1], false);
  } else if (parts.length === 3) {
    hostIp = parts[0] === '' ? undefined : parts[0];
    hostPort = port(parts[1], true);
    containerPort = port(parts[2], false);
  } else throw new Error(`invalid port "${spec}"`);
  return {
    containerPort: containerPort as number,
    protocol: proto,
    ...(hostPort !== undefined ? { hostPort } : {}),
    ...(hostIp !== undefined ? { hostIp } : {}),
  };
}

const lines = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

/** Turns the dialog's text fields into the contract input, or names the field that is wrong. */
export function toRunInput(values: RunFormValues): RunFormResult {
  const image = values.image.trim();
  if (image === '') return { ok: false, field: 'image', message: 'choose an image' };
  const name = values.name.trim();
  if (name !== '' && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) {
    return { ok: false, field: 'name', message: 'names use letters, digits and _ . - (starting with a letter or digit)' };
  }
  let command: string[];
  try {
    command = splitCommandLine(values.command);
  } catch (error) {
    return { ok: false, field: 'command', message: (error as Error).message };
  }
  const env = lines(values.env);
  const badEnv = env.find((entry) => !/^[^=\s][^=]*=/.test(entry));
  if (badEnv !== undefined) return { ok: false, field: 'env', message: `"${badEnv}" is not KEY=VALUE` };
  const ports: Port[] = [];
  for (const spec of values.ports.split(/[\s,]+/).filter((s) => s !== '')) {
    try {
      ports.push(parsePortSpec(spec));
    } catch (error) {
      return { ok: false, field: 'ports', message: (error as Error).message };
    }
  }
  const volumes = lines(values.volumes);
  const badVolume = volumes.find((entry) => !/^[^:]+:\/[^:]*(:(ro|rw))?$/.test(entry));
  if (badVolume !== undefined) return { ok: false, field: 'volumes', message: `"${badVolume}" is not source:/target[:ro]` };
  return {
    ok: true,
    input: {
      image,
      ...(name !== '' ? { name } : {}),
      ...(command.length > 0 ? { command } : {}),
      ...(env.length > 0 ? { env } : {}),
      ...(ports.length > 0 ? { ports } : {}),
      ...(volumes.length > 0 ? { volumes } : {}),
      restartPolicy: values.restartPolicy,
    },
  };
}
