#!/usr/bin/env bash
# Makes a Docker engine available for the workerpool runtime and its tests: installs the Debian packages
# (engine, registry, static busybox for FROM-scratch test images) when missing, starts dockerd when
# `docker info` fails, and waits until it answers. Safe to run again: it does nothing when all is there.
set -euo pipefail

need=()
for package in docker.io docker-registry busybox-static; do
  dpkg -s "$package" >/dev/null 2>&1 || need+=("$package")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

if docker info >/dev/null 2>&1; then
  echo "== Docker engine already running"
  exit 0
fi

echo "== starting dockerd (vfs storage, no bridge: containers run with --network none)"
log="${TMPDIR:-/tmp}/openpoco-dockerd.log"
nohup dockerd --storage-driver=vfs --iptables=false --bridge=none >"$log" 2>&1 &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    echo "== Docker engine up"
    exit 0
  fi
  sleep 1
done
echo "dockerd did not answer within 60 s; its log ($log) ends with:" >&2
tail -20 "$log" >&2
exit 1
