#!/usr/bin/env bash
# Installs the Debian tools the tests and benchmarks check against, when missing: `ipfs_cid` (package
# ipfs-cid), a CID calculator independent of the JS IPFS libraries, to prove the store's CIDs are kubo's;
# curl and openssl, the benchmark's compiled HTTP client and hasher (bench/ipfs.ts).
# Safe to run again: it does nothing when all is there.
set -euo pipefail

need=()
command -v ipfs_cid >/dev/null 2>&1 || need+=(ipfs-cid)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -eq 0 ]; then
  echo "== tools already installed (ipfs_cid, curl, openssl)"
  exit 0
fi
echo "== installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${need[@]}" >/dev/null
