import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { channelsOf, contract, findChannel, type AppHandlers } from '@berth/common/contract';
import { ContractDispatcher } from './contract-dispatcher.js';
import { LineSplitter, StdcopyDemuxer } from './docker/frames.js';
import { splitReference } from './handlers/images.handlers.js';

describe('app contract', () => {
  it('derives unique <service>.<member> channels with schemas for every member', () => {
    const channels = channelsOf(contract);
    assert.equal(new Set(channels.map((c) => c.channel)).size, channels.length);
    for (const entry of channels) {
      assert.match(entry.channel, /^[a-z][A-Za-z]*\.[a-z][A-Za-z]*$/);
      if (entry.spec.kind === 'event') assert.ok(entry.spec.payload);
      else assert.ok(entry.spec.input);
    }
    assert.ok(channels.some((c) => c.channel === 'containers.logs' && c.spec.kind === 'stream'));
    assert.ok(channels.some((c) => c.channel === 'events.onDidChange' && c.spec.kind === 'event'));
  });

  it('never resolves prototype keys as channels', () => {
    for (const name of [
      '__proto__.x',
      'constructor.name',
      'containers.constructor',
      'containers.__proto__',
      'toString.call',
      '.list',
      'containers',
    ]) {
      assert.equal(findChannel(contract, name), undefined, name);
    }
  });
});

describe('ContractDispatcher', () => {
  const calls: unknown[] = [];
  const handlers = {
    containers: {
      start: async (input: unknown) => void calls.push(input),
      list: async () => [{ bogus: true }],
    },
  } as unknown as AppHandlers;
  const dispatcher = new ContractDispatcher(contract, handlers);
  const signal = new AbortController().signal;

  it('validates input before calling a handler', async () => {
    const bad = await dispatcher.invoke('containers.start', { id: '../../etc' }, signal);
    assert.equal(bad.ok, false);
    assert.equal(!bad.ok && bad.error.kind, 'invalid-argument');
    const extra = await dispatcher.invoke('containers.start', { id: 'web', evil: 1 }, signal);
    assert.equal(extra.ok, false);
    assert.equal(calls.length, 0);
    assert.deepEqual(await dispatcher.invoke('containers.start', { id: 'web' }, signal), { ok: true, value: undefined });
    assert.deepEqual(calls, [{ id: 'web' }]);
  });

  it('reports unknown channels and unimplemented handlers as {kind, message}', async () => {
    const unknown = await dispatcher.invoke('containers.explode', {}, signal);
    assert.deepEqual(unknown, { ok: false, error: { kind: 'not-found', message: 'unknown method "containers.explode"' } });
    const missing = await dispatcher.invoke('images.list', {}, signal);
    assert.equal(!missing.ok && missing.error.kind, 'not-implemented');
  });

  it('rejects handler output that does not match the contract', async () => {
    const result = await dispatcher.invoke('containers.list', {}, signal);
    assert.equal(!result.ok && result.error.kind, 'internal');
  });
});

describe('Docker stream framing', () => {
  it('demultiplexes stdout/stderr frames split across chunks', () => {
    const frame = (stream: number, text: string): Buffer => {
      const header = Buffer.alloc(8);
      header[0] = stream;
      header.writeUInt32BE(Buffer.byteLength(text), 4);
      return Buffer.concat([header, Buffer.from(text)]);
    };
    const all = Buffer.concat([frame(1, 'hello\nwor'), frame(2, 'oops\n'), frame(1, 'ld\n')]);
    const demuxer = new StdcopyDemuxer();
    const frames = [...demuxer.push(all.subarray(0, 5)), ...demuxer.push(all.subarray(5, 20)), ...demuxer.push(all.subarray(20))];
    const lines = new LineSplitter();
    const out = frames.flatMap((f) => lines.push(f.stream, f.data.toString()).map((text) => `${f.stream}:${text}`));
    assert.deepEqual(out, ['stdout:hello', 'stderr:oops', 'stdout:world']);
  });

  it('splits image references like the docker CLI', () => {
    assert.deepEqual(splitReference('nginx'), { fromImage: 'nginx', tag: 'latest' });
    assert.deepEqual(splitReference('localhost:5000/app:1.2'), { fromImage: 'localhost:5000/app', tag: '1.2' });
    assert.deepEqual(splitReference('localhost:5000/app'), { fromImage: 'localhost:5000/app', tag: 'latest' });
    assert.deepEqual(splitReference('redis@sha256:abc'), { fromImage: 'redis', tag: 'sha256:abc' });
  });
});
