#!/usr/bin/env bash
# Installs the system packages Berth needs (Debian/Ubuntu, as root). Packages already present are
# not reinstalled, so this is quick on a prepared machine.
set -euo pipefail

packages=(
  runc conmon netavark aardvark-dns golang-github-containers-common # runtime, monitor, networking, seccomp profile
  iptables iproute2 attr util-linux tini catatonit                   # mounts, xattrs, --init
  docker-registry busybox-static umoci skopeo openssl                        # test registry and offline test images
  socat                                                              # a UDP server inside test containers
  apache2-utils                                                      # htpasswd -B for the authenticated test registry
  docker-compose                                                     # compose v1 (docker-py) compatibility tests
  docker.io                                                          # reference dockerd: save/load interop tests, bench
  chromium tmux                                                      # UI tests, interactive CLI checks
  crun qemu-system-x86                                               # the second runtime; a pure cgroup v2 VM for tests
)

if ! command -v apt-get >/dev/null 2>&1; then
  echo "berth setup: this script installs packages with apt-get (Debian/Ubuntu)." >&2
  echo "On another system install the equivalents of: ${packages[*]}" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "berth setup: run as root (sudo) to install system packages: ${packages[*]}" >&2
  exit 1
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "berth setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
  # docker.io is only a reference for tests and the bench, started on its own socket when needed:
  # a system dockerd it installed is not left running beside Berth.
  if [[ " ${missing[*]} " == *" docker.io "* ]] && [ -d /run/systemd/system ]; then
    systemctl disable --now docker.service docker.socket >/dev/null 2>&1 || true
  fi
fi
# The kernel the cgroup v2 VM tests boot (downloaded and unpacked, not installed).
bash "$(dirname "$0")/vm/fetch-test-kernel.sh"
