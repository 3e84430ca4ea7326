/** Runs the compiled e2e specs one file at a time (2 CPU cores are shared). */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const specsDir = fileURLToPath(new URL('./specs/', import.meta.url));
const filter = process.argv[2];
const files = readdirSync(specsDir)
  .filter((name) => name.endsWith('.spec.js') && (filter === undefined || name.includes(filter)))
  .map((name) => join(specsDir, name));
if (files.length === 0) {
  process.stderr.write('no e2e specs found (run npm run build first)\n');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
