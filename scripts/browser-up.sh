#!/usr/bin/env bash
# Makes Debian's chromium available for the explorer's browser tests and benchmark (driven by
# playwright-core, which never downloads a browser): installs the `chromium` package when /usr/bin/chromium
# is missing, then checks that it starts. Safe to run again: it does nothing when chromium is there.
# CHROMIUM_PATH points the tests at another binary.
set -euo pipefail

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ ! -x "$chromium" ]; then
  if [ "$chromium" != /usr/bin/chromium ]; then
    echo "CHROMIUM_PATH=$chromium is not an executable file: fix it or unset it to use Debian's chromium." >&2
    exit 1
  fi
  echo "== installing Debian's chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi

# `chromium --version` is a shell wrapper on Debian; the headless shell itself must start too.
if ! version="$("$chromium" --headless --no-sandbox --disable-gpu --version 2>/dev/null)"; then
  echo "$chromium does not start: reinstall it (apt-get install --reinstall chromium)." >&2
  exit 1
fi
echo "== ${version:-chromium} ready at $chromium"
