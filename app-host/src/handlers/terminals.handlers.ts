import type { AppHandlers } from '@berth/common/contract';
import type { TerminalSessions } from '../terminal/terminal-sessions.js';

export function createTerminalHandlers(sessions: TerminalSessions): AppHandlers['terminals'] {
  return {
    open: (input, { signal }) => sessions.open(input, signal),
    list: async (input) => sessions.list(input.containerId),
    attach: (input, { signal }) => sessions.attach(input.id, signal),
    input: async (input) => sessions.write(input.id, input.data),
    resize: (input, { signal }) => sessions.resize(input.id, input.cols, input.rows, signal),
    close: async (input) => sessions.close(input.id),
  };
}
