#!/usr/bin/env bash
# Tries MoEScope as a new user would on a fresh Debian machine: a minimal Debian chroot (debootstrap, minbase) with
# only Maven, git and a JDK >= 21 added, a clean clone of this repository, then
#   1. ./moescope without a display and without GTK 3 (each must be one sentence saying what to install),
#   2. .ci/run (installs the OpenCL runtime, GTK 3 and a font, then runs every test with OpenCL required).
# Needs root, debootstrap and network access to the Debian mirror; the chroot stays in $FRESH for reruns.
# Usage (as root): scripts/fresh-debian-check.sh [JDK_DIR]   (default: the JDK find-jdk.sh picks)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/find-jdk.sh"
jdk="${1:-}"
if [ -z "$jdk" ]; then moescope_find_jdk; jdk="$JAVA_HOME"; fi
fresh="${FRESH:-/var/tmp/moescope-fresh-debian}"
suite="${SUITE:-bookworm}"

if [ ! -x "$fresh/usr/bin/apt-get" ]; then
  debootstrap --variant=minbase "$suite" "$fresh" http://deb.debian.org/debian
fi
cp /etc/resolv.conf "$fresh/etc/"
mountpoint -q "$fresh/proc" || mount -t proc proc "$fresh/proc"
mountpoint -q "$fresh/dev" || mount --rbind /dev "$fresh/dev"
# POCL reads the CPU's topology from /sys (hwloc) and aborts without it; every real machine has one
mountpoint -q "$fresh/sys" || mount --rbind /sys "$fresh/sys"
mkdir -p "$fresh/opt/jdk"
mountpoint -q "$fresh/opt/jdk" || mount --bind "$jdk" "$fresh/opt/jdk"
# Maven's cache, when there is one, saves the downloads; it changes nothing else.
[ -d "$HOME/.m2" ] && [ ! -d "$fresh/root/.m2" ] && cp -a "$HOME/.m2" "$fresh/root/"
chroot "$fresh" bash -c 'DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null &&
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends maven git ca-certificates >/dev/null'
rm -rf "$fresh/root/moescope"
git clone -q "$root" "$fresh/root/moescope"

echo "== ./moescope with no display"
chroot "$fresh" bash -c 'cd /root/moescope && unset DISPLAY WAYLAND_DISPLAY; JAVA_HOME=/opt/jdk ./moescope; echo "exit $?"'
echo "== ./moescope with a display but no GTK 3 (as long as the chroot has none)"
chroot "$fresh" bash -c 'cd /root/moescope && DISPLAY=:0 JAVA_HOME=/opt/jdk ./moescope; echo "exit $?"'
echo "== .ci/run"
chroot "$fresh" bash -c 'cd /root/moescope && JAVA_HOME=/opt/jdk CI=true .ci/run'
