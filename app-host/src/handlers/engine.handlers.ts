import type { AppHandlers } from '@berth/common/contract';
import type { DockerClient } from '../docker/docker-client.js';
import type { EventHub } from './event-hub.js';
import { num, obj, optStr, str } from './json.js';

export function createEngineHandlers(docker: DockerClient, hub: EventHub): AppHandlers['engine'] {
  return {
    async info(_input, { signal }) {
      const i = obj(await docker.json({ method: 'GET', path: '/info', signal }));
      return {
        id: str(i['ID']),
        name: str(i['Name']),
        serverVersion: str(i['ServerVersion']),
        operatingSystem: str(i['OperatingSystem']),
        osType: str(i['OSType']),
        architecture: str(i['Architecture']),
        kernelVersion: str(i['KernelVersion']),
        cpus: num(i['NCPU']),
        memoryBytes: num(i['MemTotal']),
        storageDriver: str(i['Driver']),
        rootDir: str(i['DockerRootDir']),
        containers: num(i['Containers']),
        containersRunning: num(i['ContainersRunning']),
        containersPaused: num(i['ContainersPaused']),
        containersStopped: num(i['ContainersStopped']),
        images: num(i['Images']),
      };
    },
    async version(_input, { signal }) {
      const v = obj(await docker.json({ method: 'GET', path: '/version', signal }));
      const version = {
        version: str(v['Version']),
        apiVersion: str(v['ApiVersion']),
        os: str(v['Os']),
        arch: str(v['Arch']),
      };
      const extra: { minApiVersion?: string; kernelVersion?: string; gitCommit?: string } = {};
      const min = optStr(v['MinAPIVersion']);
      if (min !== undefined) extra.minApiVersion = min;
      const kernel = optStr(v['KernelVersion']);
      if (kernel !== undefined) extra.kernelVersion = kernel;
      const commit = optStr(v['GitCommit']);
      if (commit !== undefined) extra.gitCommit = commit;
      return { ...version, ...extra };
    },
    async status(_input, { signal }) {
      try {
        await docker.ping(signal);
        return { ...hub.status, state: 'running' as const, host: docker.host.display };
      } catch (error) {
        return {
          state: 'unreachable' as const,
          host: docker.host.display,
          message: error instanceof Error ? error.message : String(error),
        };
      }
    },
    onDidChangeStatus(emit) {
      return hub.onStatus(emit);
    },
  };
}
