import type { LogEntry } from '../../core/logs/log-entry.js';

/**
 * conmon's k8s-file log format, one record a line:
 * `2026-11-28T01:02:03.123456789+00:00 stdout F text` (F = full line, P = partial chunk).
 */
const recordPattern =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2}) (stdout|stderr) ([FP])(?: (.*))?$/s;

export function parseK8sFileRecord(line: Buffer): LogEntry | undefined {
  // The header is ASCII; find the third space to split header and payload without decoding the payload.
  let spaces = 0;
  let headerEnd = -1;
  for (let index = 0; index < line.length && index < 64; index++) {
    if (line[index] === 0x20 && ++spaces === 3) {
      headerEnd = index;
      break;
    }
  }
  const header = (headerEnd === -1 ? line : line.subarray(0, headerEnd)).toString('latin1');
  const match = recordPattern.exec(header);
  if (match === null) return undefined;
  const [, seconds = '', fraction = '', zone = 'Z', stream, tag] = match;
  const payload = headerEnd === -1 ? Buffer.alloc(0) : line.subarray(headerEnd + 1);
  const partial = tag === 'P';
  return {
    stream: stream === 'stderr' ? 'stderr' : 'stdout',
    timeNano: toEpochNano(seconds, fraction, zone),
    data: partial ? payload : Buffer.concat([payload, Buffer.from('\n')]),
    partial,
  };
}

function toEpochNano(seconds: string, fraction: string, zone: string): bigint {
  const epochMs = Date.parse(`${seconds}${zone === 'Z' ? 'Z' : zone}`);
  return BigInt(epochMs) * 1_000_000n + BigInt(fraction.padEnd(9, '0'));
}
