#!/usr/bin/env node
// Runs the compiled tests with node's test runner. Unit tests are `*.test.js`; tests that need root,
// runc, a registry or the docker CLI are `*.integration.test.js`. Usage: run-tests.mjs [--unit|--integration] [filter]
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const mode = args.includes('--unit') ? 'unit' : args.includes('--integration') ? 'integration' : 'all';
const filter = args.find((arg) => !arg.startsWith('--'));

function walk(dir, found) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, found);
    else if (name.endsWith('.test.js')) found.push(path);
  }
  return found;
}

const distDirs = ['common/dist', 'engine/dist', 'app-host/dist', 'electron/dist'].map((dir) => join(root, dir));
const files = distDirs
  .flatMap((dir) => {
    try {
      return walk(dir, []);
    } catch {
      return [];
    }
  })
  .filter((file) => {
    const integration = file.endsWith('.integration.test.js');
    if (mode === 'unit' && integration) return false;
    if (mode === 'integration' && !integration) return false;
    return filter === undefined || relative(root, file).includes(filter);
  })
  .sort();

if (files.length === 0) {
  process.stderr.write(`no ${mode} test files found (did you run npm run build?)\n`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(result.status ?? 1);
