/**
 * The real stack for end-to-end tests: a `berth engine` on a temp data root, a real docker-registry on
 * 127.0.0.1 holding an offline-built busybox image, and the web mode in front of the engine.
 * Needs root (runc, conmon, overlayfs), like the engine's integration tests.
 */
import { startEngineProcess, apiRequest, type EngineProcess } from '../../engine/dist/testing/engine-process.js';
import { startTestRegistry, type TestRegistry } from '../../engine/dist/testing/test-registry.js';
import { buildTestImage, pushTestImage } from '../../engine/dist/testing/test-images.js';
import { docker, type DockerResult } from '../../engine/dist/testing/docker-cli.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifactsDir } from './artifacts.js';
import { startWebMode, type WebMode } from './harness.js';

export interface RealStack {
  readonly engine: EngineProcess;
  readonly registry: TestRegistry;
  readonly web: WebMode;
  /** `127.0.0.1:PORT/busybox:latest`, pushed to the registry, not yet pulled. */
  readonly busybox: string;
  /** The docker CLI against the engine. */
  docker(args: readonly string[]): Promise<DockerResult>;
  /** Whether the engine serves `METHOD PATH` (anything but 404 "page not found"). */
  supports(method: string, path: string): Promise<boolean>;
  close(): Promise<void>;
}

export function canRunRealStack(): string | undefined {
  if (process.getuid?.() !== 0) return 'the real engine needs root (runc, conmon, overlayfs)';
  return undefined;
}

export async function startRealStack(): Promise<RealStack> {
  const registry = await startTestRegistry();
  let engine: EngineProcess | undefined;
  try {
    await pushTestImage(registry.host, 'busybox', 'latest', await buildTestImage());
    engine = await startEngineProcess({ extraArgs: [] });
    const web = await startWebMode({ socketPath: engine.socketPath });
    const running = engine;
    return {
      engine: running,
      registry,
      web,
      busybox: `${registry.host}/busybox:latest`,
      docker: (args) => docker(running.socketPath, args),
      async supports(method, path) {
        const response = await apiRequest(running.socketPath, method, `/v1.41${path}`);
        return !(response.status === 404 && response.body.includes('page not found'));
      },
      async close() {
        await web.close();
        // The engine's structured log is a CI artifact next to the screenshots.
        mkdirSync(artifactsDir, { recursive: true });
        writeFileSync(join(artifactsDir, 'engine.log'), running.stderr());
        if (running.process.exitCode !== null) {
          await registry.stop();
          throw new Error(`the engine exited early (${running.process.exitCode}); see ${artifactsDir}/engine.log`);
        }
        const left = await docker(running.socketPath, ['ps', '-aq']);
        const ids = left.stdout.split('\n').filter((id) => id !== '');
        if (ids.length > 0) await docker(running.socketPath, ['rm', '-f', ...ids]);
        await running.stop();
        await registry.stop();
      },
    };
  } catch (error) {
    await engine?.stop();
    await registry.stop();
    throw error;
  }
}
