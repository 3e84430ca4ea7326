import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { signalArgument } from './signal-argument.js';

describe('signalArgument', () => {
  const valid: [string | number, string][] = [
    ['TERM', 'SIGTERM'],
    ['sigkill', 'SIGKILL'],
    ['SIGUSR1', 'SIGUSR1'],
    [15, '15'],
    ['9', '9'],
    ['RTMIN+3', 'SIGRTMIN+3'],
  ];
  for (const [input, expected] of valid)
    it(`${String(input)} → ${expected}`, () => assert.equal(signalArgument(input), expected));
  for (const input of ['NOPE', '', 0, 65, 1.5, '-1'])
    it(`rejects ${JSON.stringify(input)}`, () => assert.throws(() => signalArgument(input), { kind: 'invalid-argument' }));
});
