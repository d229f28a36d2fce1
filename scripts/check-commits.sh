#!/usr/bin/env bash
# Every commit after BASELINE has a subject of at most 72 characters and, unless it is a merge, a body after a
# blank line saying why. History up to BASELINE (main's head when this check came in, issue #19) is published
# and cannot be rewritten: many of its subjects are whole paragraphs, so the check starts after it.
#
# Usage: scripts/check-commits.sh [revision, default HEAD]. On a shallow clone that lacks BASELINE, every
# commit the clone holds is newer than BASELINE and is checked.
set -euo pipefail
cd "$(dirname "$0")/.."

BASELINE=ac0424d56eeac2e455d2c32646eab4b2a2d8e99e
MAX_SUBJECT=72
TIP=${1:-HEAD}

if git cat-file -e "$BASELINE^{commit}" 2>/dev/null; then
  if ! git merge-base --is-ancestor "$BASELINE" "$TIP"; then
    echo "check-commits: $BASELINE is not an ancestor of $TIP (history rewritten?)" >&2
    exit 1
  fi
  range=("$BASELINE..$TIP")
elif [ "$(git rev-parse --is-shallow-repository)" = true ]; then
  echo "check-commits: shallow clone without the baseline: checking every commit it holds"
  range=("$TIP")
else
  echo "check-commits: baseline $BASELINE is not in this repository's history" >&2
  exit 1
fi

failures=0
checked=0
for sha in $(git rev-list "${range[@]}"); do
  checked=$((checked + 1))
  subject=$(git log -1 --format=%s "$sha")
  parents=$(git log -1 --format=%p "$sha" | wc -w)
  # The raw message: line 2 must be blank and something must follow (git strips trailing blank lines).
  body=$(git log -1 --format=%B "$sha" | sed -n '3,$p' | grep -v '^[[:space:]]*$' || true)
  second=$(git log -1 --format=%B "$sha" | sed -n '2p')
  if [ "${#subject}" -gt "$MAX_SUBJECT" ]; then
    echo "${sha:0:10}: subject of ${#subject} characters (at most $MAX_SUBJECT): $subject"
    failures=$((failures + 1))
  fi
  if [ "$parents" -le 1 ] && { [ -n "$second" ] || [ -z "$body" ]; }; then
    echo "${sha:0:10}: no body after a blank line: $subject"
    failures=$((failures + 1))
  fi
done

if [ "$failures" -gt 0 ]; then
  echo "check-commits: $failures problem(s) in $checked commit(s) after ${BASELINE:0:10}" >&2
  exit 1
fi
echo "check-commits: $checked commit(s) after ${BASELINE:0:10}: subjects at most $MAX_SUBJECT characters, bodies present"
