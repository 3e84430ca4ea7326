#!/usr/bin/env bash
# The whole test suite: build, lint, unit tests, then the privileged integration tests (root:
# they run containers with runc, a real registry and the real docker CLI).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build
npm run lint
node scripts/run-tests.mjs --unit
if [ "$(id -u)" = 0 ]; then
  node scripts/run-tests.mjs --integration
else
  echo "test: integration tests need root (they run containers); run 'sudo npm test'" >&2
  exit 1
fi
