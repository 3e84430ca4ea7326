import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { conflict, internal, invalidArgument, type AppError } from '@berth/common';
import type { PortProtocol } from '../../core/networks/network-driver.js';

/** One published port: `hostIp:hostPort` on the host forwarded to `targetIp:targetPort` in a container. */
export interface ProxiedPort {
  /** Empty for every IPv4 host address. */
  hostIp: string;
  hostPort: number;
  targetIp: string;
  targetPort: number;
  protocol: PortProtocol;
}

/** A listening forwarder; `close()` stops listening and drops its connections. */
export interface PortProxy {
  readonly port: ProxiedPort;
  close(): Promise<void>;
}

/** UDP "connections" without traffic for this long are forgotten (docker-proxy uses 90 s as well). */
const udpIdleMs = 90_000;

/**
 * Opens a userland forwarder for one published port (what dockerd's docker-proxy does), so a
 * container on the default bridge needs no per-container firewall rules: those cost a dozen
 * iptables processes per start and stop. TCP streams are spliced with half-close kept; UDP keeps
 * one upstream socket per client address so replies find their way back.
 */
export async function openPortProxy(port: ProxiedPort): Promise<PortProxy> {
  if (port.protocol === 'tcp') return openTcpProxy(port);
  if (port.protocol === 'udp') return openUdpProxy(port);
  throw invalidArgument(`${port.protocol} ports cannot be published on the default bridge network`);
}

function listenAddress(port: ProxiedPort): string {
  return port.hostIp === '' ? '0.0.0.0' : port.hostIp;
}

function bindFailure(port: ProxiedPort, error: NodeJS.ErrnoException): AppError {
  const where = `${listenAddress(port)}:${port.hostPort}`;
  if (error.code === 'EADDRINUSE') return conflict(`Bind for ${where} failed: port is already allocated`);
  return internal(`cannot listen on ${where}/${port.protocol}: ${error.message}`, error);
}

async function openTcpProxy(port: ProxiedPort): Promise<PortProxy> {
  const connections = new Set<Socket>();
  const server: Server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    const upstream = createConnection({ host: port.targetIp, port: port.targetPort, allowHalfOpen: true });
    connections.add(client);
    connections.add(upstream);
    const forget = (socket: Socket) => () => connections.delete(socket);
    client.once('close', forget(client));
    upstream.once('close', forget(upstream));
    // A refused or reset upstream closes the client the way a closed port would.
    upstream.once('error', () => client.destroy());
    client.once('error', () => upstream.destroy());
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    upstream.once('connect', () => {
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(bindFailure(port, error)));
    server.listen({ host: listenAddress(port), port: port.hostPort, exclusive: true }, () => resolve());
  });
  // After listening, errors of the server itself (rare: fd exhaustion) must not crash the engine.
  server.on('error', () => undefined);
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of connections) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

interface UdpFlow {
  upstream: UdpSocket;
  idle: NodeJS.Timeout;
}

async function openUdpProxy(port: ProxiedPort): Promise<PortProxy> {
  const listener = createSocket({ type: 'udp4', reuseAddr: false });
  const flows = new Map<string, UdpFlow>();
  const closeFlow = (key: string) => {
    const flow = flows.get(key);
    if (flow === undefined) return;
    flows.delete(key);
    clearTimeout(flow.idle);
    flow.upstream.close();
  };
  const flowFor = (client: RemoteInfo): UdpFlow => {
    const key = `${client.address}:${client.port}`;
    const existing = flows.get(key);
    if (existing !== undefined) {
      existing.idle.refresh();
      return existing;
    }
    // Not connect()ed: a send before the connect completes would fail. Replies are filtered by source instead.
    const upstream = createSocket('udp4');
    upstream.on('message', (reply, from) => {
      if (from.address !== port.targetIp || from.port !== port.targetPort) return;
      flows.get(key)?.idle.refresh();
      listener.send(reply, client.port, client.address);
    });
    upstream.on('error', () => closeFlow(key));
    const flow = { upstream, idle: setTimeout(() => closeFlow(key), udpIdleMs) };
    flow.idle.unref();
    flows.set(key, flow);
    return flow;
  };
  listener.on('message', (datagram, client) => {
    const flow = flowFor(client);
    flow.upstream.send(datagram, port.targetPort, port.targetIp, (error) => {
      if (error !== null && error !== undefined) closeFlow(`${client.address}:${client.port}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', (error: NodeJS.ErrnoException) => reject(bindFailure(port, error)));
    listener.bind({ address: listenAddress(port), port: port.hostPort, exclusive: true }, () => resolve());
  });
  listener.on('error', () => undefined);
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const key of [...flows.keys()]) closeFlow(key);
        listener.close(() => resolve());
      }),
  };
}
