#!/usr/bin/env bash
# Unpacks Debian's kernel (linux-image-amd64) for the pure cgroup v2 VM tests into
# /var/cache/berth/test-kernel: vmlinuz plus lib/modules/<version> with a modules.dep. The package
# is downloaded and unpacked, not installed: the host's own kernel and boot setup are untouched.
# Needs apt lists (setup-system.sh runs apt-get update first when anything was missing).
set -euo pipefail

target=${BERTH_TEST_KERNEL_DIR:-/var/cache/berth/test-kernel}
if [ -f "$target/vmlinuz" ] && [ -n "$(ls "$target/lib/modules" 2>/dev/null)" ]; then
  exit 0
fi
package=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
if [ -z "$package" ]; then
  apt-get update -q
  package=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -q "$package" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
deb=$(ls "$work"/*.deb)
mkdir -p "$work/root"
dpkg-deb -x "$deb" "$work/root"
version=$(ls "$work/root/lib/modules")
rm -rf "$target"
mkdir -p "$target/lib/modules"
cp "$work/root/boot/vmlinuz-$version" "$target/vmlinuz"
mv "$work/root/lib/modules/$version" "$target/lib/modules/$version"
# The package leaves modules.dep to depmod at install time; busybox's depmod writes the one
# busybox's modprobe reads in the VM.
busybox depmod -b "$target" "$version"
echo "berth setup: test kernel $version in $target"
