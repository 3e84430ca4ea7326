import { posix } from 'node:path';
import { invalidArgument } from '@berth/common';
import type { ImageContainerConfig } from '../../core/images/image-config.js';

/** Instructions `docker commit -c` / `docker import -c` accept (dockerd's list). */
const allowed = new Set(['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'LABEL', 'ONBUILD', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']);

/**
 * Applies Dockerfile-style `changes` (`CMD ["sh"]`, `ENV A=1 B=2`, `EXPOSE 80/udp`, ...) to a copy of
 * `config`, in order. Each change string may hold several lines. Unknown or malformed instructions
 * are invalid-argument errors worded as dockerd's.
 */
export function applyDockerfileChanges(config: ImageContainerConfig, changes: readonly string[]): ImageContainerConfig {
  const out: ImageContainerConfig = structuredClone(config);
  for (const line of changes.flatMap((change) => change.split('\n'))) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = /^(\S+)\s*(.*)$/s.exec(trimmed);
    const instruction = (match?.[1] ?? '').toUpperCase();
    const rest = (match?.[2] ?? '').trim();
    if (!allowed.has(instruction)) throw invalidArgument(`${instruction.toLowerCase()} is not a valid change command`);
    switch (instruction) {
      case 'CMD':
        out.Cmd = commandForm(rest);
        break;
      case 'ENTRYPOINT':
        out.Entrypoint = commandForm(rest);
        break;
      case 'ENV':
        for (const [key, value] of keyValues(rest, 'ENV')) {
          out.Env = [...(out.Env ?? []).filter((entry) => entry.split('=')[0] !== key), `${key}=${value}`];
        }
        break;
      case 'LABEL':
        for (const [key, value] of keyValues(rest, 'LABEL')) out.Labels = { ...(out.Labels ?? {}), [key]: value };
        break;
      case 'EXPOSE':
        for (const port of words(rest)) {
          if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/i.test(port)) throw invalidArgument(`invalid containerPort: ${port}`);
          out.ExposedPorts = { ...(out.ExposedPorts ?? {}), [port.includes('/') ? port.toLowerCase() : `${port}/tcp`]: {} };
        }
        break;
      case 'VOLUME':
        for (const volume of jsonArray(rest) ?? words(rest)) {
          if (volume === '') throw invalidArgument('VOLUME specified can not be an empty string');
          out.Volumes = { ...(out.Volumes ?? {}), [volume]: {} };
        }
        break;
      case 'USER':
        out.User = single(rest, 'USER');
        break;
      case 'WORKDIR': {
        const dir = single(rest, 'WORKDIR');
        out.WorkingDir = posix.isAbsolute(dir) ? posix.normalize(dir) : posix.join('/', out.WorkingDir ?? '/', dir);
        break;
      }
      case 'STOPSIGNAL':
        out.StopSignal = single(rest, 'STOPSIGNAL');
        break;
      case 'ONBUILD':
        out.OnBuild = [...(out.OnBuild ?? []), single(rest, 'ONBUILD')];
        break;
    }
  }
  return out;
}

/** JSON (exec) form, or shell form wrapped in `/bin/sh -c`. */
function commandForm(rest: string): string[] {
  return jsonArray(rest) ?? ['/bin/sh', '-c', rest];
}

function jsonArray(rest: string): string[] | undefined {
  if (!rest.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(rest);
    if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) return parsed;
  } catch {
    // Not JSON: dockerd falls back to the shell form too.
  }
  return undefined;
}

function single(rest: string, instruction: string): string {
  if (rest === '') throw invalidArgument(`${instruction} requires exactly one argument`);
  return rest;
}

/** Splits on whitespace, honouring double and single quotes and backslash escapes. */
function words(input: string): string[] {
  const out: string[] = [];
  let current = '';
  let quote: string | undefined;
  let started = false;
  for (let i = 0; i < input.length; i++) {
    const char = input[i] as string;
    if (char === '\\' && quote !== "'" && i + 1 < input.length) {
      current += input[++i];
      started = true;
    } else if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      started = true;
    } else if (/\s/.test(char)) {
      if (started) out.push(current);
      current = '';
      started = false;
    } else {
      current += char;
      started = true;
    }
  }
  if (quote !== undefined) throw invalidArgument(`unmatched quote in "${input}"`);
  if (started) out.push(current);
  return out;
}

/** `K=V K2="v 2"` pairs, or the legacy `K value with spaces` form (one pair). */
function keyValues(rest: string, instruction: string): [string, string][] {
  const parts = words(rest);
  if (parts.length === 0) throw invalidArgument(`${instruction} requires at least one argument`);
  if (!(parts[0] as string).includes('=')) {
    const [key, ...value] = rest.split(/\s+/);
    if (value.length === 0) throw invalidArgument(`${instruction} must have two arguments`);
    return [[key as string, words(rest.slice((key as string).length)).join(' ')]];
  }
  return parts.map((part) => {
    const equals = part.indexOf('=');
    if (equals <= 0) throw invalidArgument(`${instruction} names can not be blank`);
    return [part.slice(0, equals), part.slice(equals + 1)];
  });
}
