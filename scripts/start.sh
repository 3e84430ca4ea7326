#!/usr/bin/env bash
# Starts Berth: the engine (root, in the background, logging to /var/log/berth-engine.log), then the
# desktop app where Electron and a display exist, otherwise the web UI on 127.0.0.1 (its URL, with a
# per-launch token, is printed first). Ctrl-C stops both; containers keep running, as with dockerd.
set -euo pipefail
cd "$(dirname "$0")/.."
socket="${BERTH_SOCKET:-/run/berth/docker.sock}"
data_root="${BERTH_DATA_ROOT:-/var/lib/berth}"
listen="${BERTH_WEB_LISTEN:-127.0.0.1:7681}"
log="${BERTH_ENGINE_LOG:-/var/log/berth-engine.log}"

[ -f engine/dist/main.js ] || npm run build

engine_pid=""
if curl -fsS --unix-socket "$socket" http://engine/_ping >/dev/null 2>&1; then
  echo "berth: an engine is already serving $socket"
else
  bin/berth engine --data-root "$data_root" --host "unix://$socket" 2>>"$log" &
  engine_pid=$!
  for _ in $(seq 1 100); do
    curl -fsS --unix-socket "$socket" http://engine/_ping >/dev/null 2>&1 && break
    kill -0 "$engine_pid" 2>/dev/null || { echo "berth: the engine failed to start; see $log" >&2; tail -n 20 "$log" >&2; exit 1; }
    sleep 0.1
  done
  echo "berth: engine running (pid $engine_pid), DOCKER_HOST=unix://$socket, log $log"
fi
stop_engine() { [ -n "$engine_pid" ] && kill -TERM "$engine_pid" 2>/dev/null && wait "$engine_pid" 2>/dev/null; true; }
trap stop_engine EXIT INT TERM

electron_bin="node_modules/electron/dist/electron"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x "$electron_bin" ] && [ -f electron/dist/main/main.js ]; then
  BERTH_DOCKER_HOST="unix://$socket" "$electron_bin" electron/dist/main/main.js
else
  echo "berth: no display or Electron binary here; serving the web UI instead"
  bin/berth web --host "unix://$socket" --listen "$listen"
fi
