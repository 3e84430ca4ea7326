#!/usr/bin/env bash
# Everything a fresh machine needs before `npm start` or `npm test`: system packages, npm
# dependencies (native ones built for this Node), and a build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
npm run build
