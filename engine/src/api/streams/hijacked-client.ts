import type { AttachClient } from '../../services/containers/attach-hub.js';
import { DetachKeyFilter } from './detach-keys.js';
import type { HijackedStream } from './hijacked-stream.js';
import { frame } from './stdcopy.js';

/**
 * An attach client over a hijacked connection: output raw for a TTY, stdcopy-framed otherwise;
 * stdin watched for the detach keys, which end the connection and leave the process running.
 */
export function hijackedAttachClient(
  stream: HijackedStream,
  options: { tty: boolean; detachKeys: readonly number[] },
): AttachClient {
  return {
    output: (streamName, data) => stream.write(options.tty ? data : frame(streamName, data)),
    end: () => stream.end(),
    readStdin: (onData, onEnd) => {
      const filter = new DetachKeyFilter(options.detachKeys);
      stream.readStdin(
        (chunk) => {
          const { forward, detach } = filter.push(chunk);
          if (forward.length > 0) onData(forward);
          if (detach) stream.end();
        },
        () => {
          const rest = filter.flush();
          if (rest.length > 0) onData(rest);
          onEnd();
        },
      );
    },
    ignoreStdin: () => stream.ignoreStdin(),
    onClose: (listener) => stream.onClose(listener),
  };
}
