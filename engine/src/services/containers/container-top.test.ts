import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePsOutput, psArguments } from './container-top.js';

test('ps output is filtered by PID and the command keeps its spaces', () => {
  const output = [
    'UID          PID    PPID  C STIME TTY          TIME CMD',
    'root           1       0  0 10:00 ?        00:00:01 /sbin/init',
    'root        4242    4200  0 10:01 ?        00:00:00 sleep 1000 --flag',
    '',
  ].join('\n');
  const result = parsePsOutput(output, new Set([4242]));
  assert.deepEqual(result.Titles, ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
  assert.deepEqual(result.Processes, [['root', '4242', '4200', '0', '10:01', '?', '00:00:00', 'sleep 1000 --flag']]);
});

test('ps arguments default to -ef, -q is refused, a header without PID is an error', () => {
  assert.deepEqual(psArguments(undefined), ['-ef']);
  assert.deepEqual(psArguments('-o pid,comm'), ['-o', 'pid,comm']);
  assert.throws(() => psArguments('-q 1'), /not supported/);
  assert.throws(() => parsePsOutput('COMMAND\nsh\n', new Set([1])), /PID field/);
});
