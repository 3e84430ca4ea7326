import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { AppError } from '@berth/common';
import { openPortProxy } from './port-proxy.js';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/** A free TCP port on 127.0.0.1 (bound then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('tcp: bytes flow both ways and a half-close reaches the other side', async () => {
  // An upstream that answers with what it got once the client has finished sending.
  const upstream = createServer({ allowHalfOpen: true }, (socket) => {
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('end', () => socket.end(`echo:${received}`));
  });
  const targetPort = await listen(upstream);
  const hostPort = await freePort();
  const proxy = await openPortProxy({ hostIp: '127.0.0.1', hostPort, targetIp: '127.0.0.1', targetPort, protocol: 'tcp' });
  try {
    const answer = await new Promise<string>((resolve, reject) => {
      const client = connect({ host: '127.0.0.1', port: hostPort, allowHalfOpen: true });
      let data = '';
      client.on('data', (chunk: Buffer) => (data += chunk.toString()));
      client.on('end', () => resolve(data));
      client.on('error', reject);
      client.end('hello');
    });
    assert.equal(answer, 'echo:hello');
  } finally {
    await proxy.close();
    await new Promise((resolve) => upstream.close(resolve));
  }
});

test('tcp: a closed upstream port closes the client instead of hanging', async () => {
  const hostPort = await freePort();
  const targetPort = await freePort();
  const proxy = await openPortProxy({ hostIp: '127.0.0.1', hostPort, targetIp: '127.0.0.1', targetPort, protocol: 'tcp' });
  try {
    const closed = await new Promise<boolean>((resolve) => {
      const client = connect({ host: '127.0.0.1', port: hostPort });
      client.on('error', () => undefined);
      client.on('close', () => resolve(true));
    });
    assert.equal(closed, true);
  } finally {
    await proxy.close();
  }
});

test('tcp: a taken host port is a conflict with dockerd wording, and close frees the port', async () => {
  const holder = createServer();
  const hostPort = await listen(holder);
  await assert.rejects(
    openPortProxy({ hostIp: '127.0.0.1', hostPort, targetIp: '127.0.0.1', targetPort: 1, protocol: 'tcp' }),
    (error: unknown) => AppError.is(error) && error.kind === 'conflict' && /port is already allocated/.test(error.message),
  );
  await new Promise((resolve) => holder.close(resolve));
  const proxy = await openPortProxy({ hostIp: '127.0.0.1', hostPort, targetIp: '127.0.0.1', targetPort: 1, protocol: 'tcp' });
  await proxy.close();
  const again = createServer();
  assert.equal(await listen(again).then(() => true), true);
  await new Promise((resolve) => again.close(resolve));
});

test('udp: datagrams reach the target and replies come back to each client', async () => {
  const upstream = createSocket('udp4');
  upstream.on('message', (message, from) => upstream.send(`pong:${message.toString()}`, from.port, from.address));
  await new Promise<void>((resolve) => upstream.bind(0, '127.0.0.1', () => resolve()));
  const targetPort = upstream.address().port;
  const hostPort = await freePort();
  const proxy = await openPortProxy({ hostIp: '127.0.0.1', hostPort, targetIp: '127.0.0.1', targetPort, protocol: 'udp' });
  const ask = (text: string) =>
    new Promise<string>((resolve, reject) => {
      const client = createSocket('udp4');
      const timer = setTimeout(() => reject(new Error('no udp answer')), 3000);
      client.on('message', (reply) => {
        clearTimeout(timer);
        client.close();
        resolve(reply.toString());
      });
      client.send(text, hostPort, '127.0.0.1');
    });
  try {
    assert.deepEqual(await Promise.all([ask('a'), ask('b')]), ['pong:a', 'pong:b']);
  } finally {
    await proxy.close();
    upstream.close();
  }
});

test('sctp cannot be proxied: a clear invalid-argument error', async () => {
  await assert.rejects(
    openPortProxy({ hostIp: '127.0.0.1', hostPort: 1, targetIp: '127.0.0.1', targetPort: 1, protocol: 'sctp' }),
    (error: unknown) => AppError.is(error) && error.kind === 'invalid-argument',
  );
});
