#!/usr/bin/env bash
# Everything a fresh machine needs before `npm start` or `npm test`: system packages, npm
# dependencies (native ones built for this Node), and a build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
# `npm install` honours package-lock.json; `npm ci` would refuse it because node-unix-socket lists
# prebuilt packages for other platforms that this registry does not serve.
npm install --no-audit --no-fund
npm run build
