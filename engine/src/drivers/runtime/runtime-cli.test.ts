import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runtimeMessage } from './runtime-cli.js';

describe('runtimeMessage', () => {
  it('keeps the msg of logfmt and JSON lines, plain lines as they are', () => {
    assert.equal(
      runtimeMessage('time="2026-01-01T00:00:00Z" level=error msg="container does not exist"\n'),
      'container does not exist',
    );
    assert.equal(runtimeMessage('{"level":"error","msg":"exec: \\"x\\": not found","time":"t"}'), 'exec: "x": not found');
    assert.equal(runtimeMessage('time="t" level=error msg="say \\"hi\\""'), 'say "hi"');
    assert.equal(runtimeMessage('crun: plain failure\n\n'), 'crun: plain failure');
    assert.equal(runtimeMessage(''), '');
  });
});
