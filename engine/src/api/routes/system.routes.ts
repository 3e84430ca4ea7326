import { cpus, hostname, release, totalmem } from 'node:os';
import type { Route } from '../router.js';
import { maxApiVersion, minApiVersion } from '../api-version.js';

/** What /info reports about the engine itself; counts come from the services at request time. */
export interface SystemInfoSource {
  engineId: string;
  dataRoot: string;
  runtimeName: string;
  insecureRegistries: string[];
  registryMirrors: string[];
  /** The host's cgroup hierarchy: v1 (also hybrid) or v2, and what its memory controller accounts. */
  cgroup: { version: 1 | 2; swapLimit: boolean; kernelMemory: boolean; kernelMemoryTcp: boolean };
  /** The OCI runtime's commit, as its `--version` prints it. */
  runtimeCommit: string;
  /** Host problems worth a `docker info` warning (an OCI runtime with a known breakout). */
  warnings: string[];
  counts(): Promise<{ containers: number; running: number; paused: number; stopped: number; images: number }>;
}

export const engineVersion = '0.1.0';

export function systemRoutes(source: SystemInfoSource): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/_ping',
      handler: (context) => {
        const headers = {
          'Cache-Control': 'no-cache, no-store, must-revalidate',
          Pragma: 'no-cache',
          'Content-Type': 'text/plain; charset=utf-8',
          'Builder-Version': '1',
          Swarm: 'inactive',
        };
        context.text(200, 'OK', headers);
      },
    },
    {
      method: 'GET',
      pattern: '/version',
      handler: (context) => {
        const details = {
          ApiVersion: maxApiVersion,
          Arch: 'amd64',
          BuildTime: '2026-11-28T00:00:00.000000000+00:00',
          Experimental: 'false',
          GitCommit: 'berth',
          GoVersion: process.version,
          KernelVersion: release(),
          MinAPIVersion: minApiVersion,
          Os: 'linux',
        };
        context.send(200, {
          Platform: { Name: 'Berth Engine' },
          Components: [
            { Name: 'Engine', Version: engineVersion, Details: details },
            { Name: source.runtimeName, Version: '', Details: { GitCommit: '' } },
          ],
          Version: engineVersion,
          // The same facts at the top, but Experimental: dockerd leaves it out when false.
          ...withoutExperimental(details),
        });
      },
    },
    {
      method: 'GET',
      pattern: '/info',
      handler: async (context) => {
        const counts = await source.counts();
        context.send(200, {
          ID: source.engineId,
          Containers: counts.containers,
          ContainersRunning: counts.running,
          ContainersPaused: counts.paused,
          ContainersStopped: counts.stopped,
          Images: counts.images,
          Driver: 'overlay2',
          DriverStatus: [
            ['Backing Filesystem', 'extfs'],
            ['Supports d_type', 'true'],
          ],
          Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'none'], Authorization: null, Log: ['k8s-file'] },
          MemoryLimit: true,
          SwapLimit: source.cgroup.swapLimit,
          KernelMemory: source.cgroup.kernelMemory,
          KernelMemoryTCP: source.cgroup.kernelMemoryTcp,
          CpuCfsPeriod: true,
          CpuCfsQuota: true,
          CPUShares: true,
          CPUSet: true,
          PidsLimit: true,
          IPv4Forwarding: true,
          BridgeNfIptables: true,
          BridgeNfIp6tables: true,
          Debug: false,
          NFd: 0,
          OomKillDisable: true,
          NGoroutines: 0,
          SystemTime: new Date().toISOString(),
          LoggingDriver: 'json-file',
          CgroupDriver: 'cgroupfs',
          CgroupVersion: String(source.cgroup.version),
          NEventsListener: 0,
          KernelVersion: release(),
          OperatingSystem: 'Berth Engine',
          OSVersion: '',
          OSType: 'linux',
          Architecture: 'x86_64',
          IndexServerAddress: 'https://index.docker.io/v1/',
          RegistryConfig: {
            AllowNondistributableArtifactsCIDRs: [],
            AllowNondistributableArtifactsHostnames: [],
            InsecureRegistryCIDRs: ['127.0.0.0/8'],
            IndexConfigs: {
              'docker.io': { Name: 'docker.io', Mirrors: source.registryMirrors, Secure: true, Official: true },
              ...Object.fromEntries(
                source.insecureRegistries.map((registry) => [
                  registry,
                  { Name: registry, Mirrors: [], Secure: false, Official: false },
                ]),
              ),
            },
            Mirrors: source.registryMirrors,
          },
          NCPU: cpus().length,
          MemTotal: totalmem(),
          GenericResources: null,
          DockerRootDir: source.dataRoot,
          HttpProxy: '',
          HttpsProxy: '',
          NoProxy: '',
          Name: hostname(),
          Labels: [],
          ExperimentalBuild: false,
          ServerVersion: engineVersion,
          Runtimes: { [source.runtimeName]: { path: source.runtimeName } },
          DefaultRuntime: source.runtimeName,
          Swarm: {
            NodeID: '',
            NodeAddr: '',
            LocalNodeState: 'inactive',
            ControlAvailable: false,
            Error: '',
            RemoteManagers: null,
          },
          LiveRestoreEnabled: true,
          Isolation: '',
          InitBinary: 'tini',
          ContainerdCommit: { ID: '', Expected: '' },
          RuncCommit: { ID: source.runtimeCommit, Expected: source.runtimeCommit },
          InitCommit: { ID: '', Expected: '' },
          SecurityOptions: ['name=seccomp,profile=default'],
          Warnings: source.warnings,
        });
      },
    },
  ];
}

function withoutExperimental(details: Record<string, string>): Record<string, string> {
  const { Experimental: _experimental, ...rest } = details;
  return rest;
}
