/**
 * Whether a process with this pid exists (EPERM: it does, owned by someone else). Only positive
 * integers are pids here: kill(0) and kill(-n) would probe process groups.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
