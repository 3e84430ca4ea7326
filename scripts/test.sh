#!/usr/bin/env bash
# The whole test suite: build, lint, unit and component tests, then the privileged integration
# tests (root: they run containers with runc, a real registry and the real docker CLI), then the
# browser end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
  echo "test: the integration tests run containers and need root; run 'sudo npm test'" >&2
  exit 1
fi
npm run build
npm run lint
node scripts/run-tests.mjs --unit
npm run test:renderer
node scripts/run-tests.mjs --integration
npm run test:e2e
