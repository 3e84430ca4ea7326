import { AppError, invalidArgument } from '@berth/common';

export interface TopResult {
  Titles: string[];
  Processes: string[][];
}

/** `ps_args` as dockerd takes them: space-separated, `-ef` by default. */
export function psArguments(psArgs: string | undefined): string[] {
  const args = (psArgs === undefined || psArgs === '' ? '-ef' : psArgs).split(/\s+/).filter((arg) => arg !== '');
  // dockerd refuses -q: it selects processes itself by PID.
  if (args.some((arg) => /^-[a-zA-Z]*q/.test(arg) && !arg.startsWith('--'))) throw invalidArgument('ps "-q" is not supported');
  return args;
}

/**
 * dockerd's parsePSOutput: the header gives the titles and the PID column; rows whose PID is in
 * the container keep their extra words joined into the last column (the command line).
 */
export function parsePsOutput(output: string, pids: ReadonlySet<number>): TopResult {
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  const header = lines[0];
  if (header === undefined) throw new AppError('internal', 'ps printed nothing');
  const titles = header.trim().split(/\s+/);
  const pidIndex = titles.indexOf('PID');
  if (pidIndex === -1) throw new AppError('internal', "Couldn't find PID field in ps output");
  const processes: string[][] = [];
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/);
    const pid = Number(fields[pidIndex]);
    if (!Number.isInteger(pid) || !pids.has(pid)) continue;
    if (fields.length > titles.length) {
      const last = fields.slice(titles.length - 1).join(' ');
      fields.splice(titles.length - 1, fields.length, last);
    }
    processes.push(fields);
  }
  return { Titles: titles, Processes: processes };
}
