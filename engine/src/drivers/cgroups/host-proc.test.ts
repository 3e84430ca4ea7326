import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMemTotal, parseNetDev, parseProcStat } from './host-proc.js';

test('/proc/stat: the first seven fields of the cpu line in nanoseconds; online CPUs counted', () => {
  const stat = [
    'cpu  67247 429 18054 555042 2929 0 239 66 0 0',
    'cpu0 31229 260 8148 281738 558 0 48 29 0 0',
    'cpu1 36018 168 9906 273303 2370 0 191 36 0 0',
    'intr 1234 0 0',
    'ctxt 99',
    '',
  ].join('\n');
  // steal (66) is left out, as dockerd does.
  assert.deepEqual(parseProcStat(stat), {
    systemUsageNs: (67247 + 429 + 18054 + 555042 + 2929 + 0 + 239) * 10_000_000,
    onlineCpus: 2,
  });
});

test('/proc/meminfo: MemTotal in bytes', () => {
  assert.equal(parseMemTotal('MemTotal:       24683812 kB\nMemFree:         1000 kB\n'), 24683812 * 1024);
});

test('/proc/<pid>/net/dev: interfaces but loopback and fallback tunnels; none left means undefined', () => {
  const header =
    'Inter-|   Receive                                                |  Transmit\n' +
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n';
  const lo =
    '    lo:     120       2    0    0    0     0          0         0      120       2    0    0    0     0       0          0\n';
  assert.equal(parseNetDev(header + lo), undefined);
  const eth0 =
    '  eth0:    1182      13    1    2    0     0          0         0      656       8    3    4    0     0       0          0\n';
  const tunl0 =
    ' tunl0:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0\n';
  assert.deepEqual(parseNetDev(header + lo + eth0 + tunl0), {
    eth0: { rxBytes: 1182, rxPackets: 13, rxErrors: 1, rxDropped: 2, txBytes: 656, txPackets: 8, txErrors: 3, txDropped: 4 },
  });
});
