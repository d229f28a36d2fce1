#!/usr/bin/env bash
# The adversarial invariant suite (test/invariant): builds with Forge (through scripts/forge/solc, the solc-js
# compiler of node_modules), then runs its campaigns and prints Forge's summary.
#
#   bash scripts/invariant.sh [profile] [forge test options...]
#
# profile: "default" (a quick local run) or "ci" (100,000 calls in the ledger campaign); without one,
# FOUNDRY_PROFILE, else "ci" when CI is set, else "default". Extra options go to `forge test`, for instance
# `--fuzz-seed 0x1234` to replay a seed, or `-vvvv` for the traces of a failure. Forge replays the last failing
# sequence of each campaign (kept in forge-cache/invariant/) before a new campaign: delete that folder to start
# afresh. Exits non-zero when an invariant is broken.
set -euo pipefail
cd "$(dirname "$0")/.."

profile="${FOUNDRY_PROFILE:-}"
if [[ $# -gt 0 && "$1" != -* ]]; then
  profile="$1"
  shift
fi
if [[ -z "$profile" ]]; then
  if [[ -n "${CI:-}" ]]; then profile=ci; else profile=default; fi
fi
export FOUNDRY_PROFILE="$profile"

forge=node_modules/.bin/forge
if [[ ! -x "$forge" ]]; then
  echo "invariant: $forge is missing: run npm ci first" >&2
  exit 1
fi

# The set-up routes the facets of scripts/lib/hub-facets.ts, listed again in Solidity: both lists must agree.
ts_facets=$(grep -oE 'name: "[A-Za-z]+Facet"' scripts/lib/hub-facets.ts | sed -E 's/name: "(.*)"/\1/' | sort)
sol_facets=$(grep -oE 'names\[[0-9]+\] = "[A-Za-z]+Facet"' test/invariant/utils/HubDeployment.sol |
  sed -E 's/.*"(.*)"/\1/' | sort)
if [[ "$ts_facets" != "$sol_facets" ]]; then
  echo "invariant: the facets of test/invariant/utils/HubDeployment.sol differ from scripts/lib/hub-facets.ts:" >&2
  diff <(echo "$ts_facets") <(echo "$sol_facets") >&2 || true
  exit 1
fi

echo "== forge $("$forge" --version | head -n 1 | sed 's/^forge //'), profile $profile"
"$forge" build

log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$(date +%s)
status=0
"$forge" test "$@" 2>&1 | tee "$log" || status=$?
elapsed=$(($(date +%s) - start))

echo
echo "== summary (profile $profile, ${elapsed} s)"
# Forge prints each failure twice (with the suite, then among the failing tests): once is enough here.
grep -E '^\[(PASS|FAIL)' "$log" | awk '!seen[$0]++' || true
grep -E '^Ran [0-9]+ test suites?' "$log" || true
passed=$(grep -oE '[0-9]+ tests passed' "$log" | tail -n 1 | grep -oE '^[0-9]+' || echo 0)
failed=$(grep -oE 'passed, [0-9]+ failed' "$log" | tail -n 1 | grep -oE '[0-9]+ failed' | grep -oE '^[0-9]+' || echo 0)
if [[ "$status" -ne 0 && "$failed" -eq 0 ]]; then failed=1; fi
echo "invariant: $passed passed, $failed failed"
exit "$status"
