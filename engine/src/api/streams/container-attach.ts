import { invalidArgument } from '@berth/common';
import type { ContainerService } from '../../services/containers/container-service.js';
import type { ContainerLogService } from '../../services/containers/container-log-service.js';
import { parseBoolean } from '../query.js';
import type { RequestContext } from '../request-context.js';
import { requireDetachKeys } from './detach-keys.js';
import { hijackedAttachClient } from './hijacked-client.js';
import { frame } from './stdcopy.js';

/**
 * `POST /containers/{id}/attach`: takes over the connection, replays the log first with
 * `logs=1`, then (with `stream=1`) connects to the container's stdio now or at its next start.
 */
export async function attachContainer(
  context: RequestContext,
  containers: ContainerService,
  logs: ContainerLogService,
): Promise<void> {
  const id = context.params['id'];
  if (id === undefined || id === '') throw invalidArgument('missing id');
  const container = containers.get(id);
  const wantsStdin = parseBoolean(context.query.get('stdin'));
  const wantsStdout = parseBoolean(context.query.get('stdout'));
  const wantsStderr = parseBoolean(context.query.get('stderr'));
  const wantsLogs = parseBoolean(context.query.get('logs'));
  const wantsStream = parseBoolean(context.query.get('stream'));
  const detachKeys = requireDetachKeys(context.query.get('detachKeys'), 'detach');
  const tty = container.config.Tty === true;
  const stream = context.hijack();
  if (wantsLogs) {
    await logs.read(container.id, { follow: false, signal: context.signal }, (entry) => {
      if ((entry.stream === 'stdout' && wantsStdout) || (entry.stream === 'stderr' && wantsStderr))
        stream.write(tty ? entry.data : frame(entry.stream, entry.data));
    });
  }
  if (!wantsStream) {
    stream.end();
    return;
  }
  await containers.attach(container.id, {
    options: {
      stdin: wantsStdin && container.config.OpenStdin === true,
      stdout: wantsStdout,
      stderr: wantsStderr,
      closeStdinOnEnd: container.config.StdinOnce === true,
    },
    client: hijackedAttachClient(stream, { tty, detachKeys }),
  });
}
