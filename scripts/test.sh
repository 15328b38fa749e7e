#!/bin/bash
# `make test`: the jest projects of every package (units and root
# integration), then the conformance suite against hull and runc side by
# side (runc is the proof that each case is right). Ends with the
# tests skipped for what this host lacks, each with its reason, then one
# closing line "N passed, N failed[, N skipped]".
set -uo pipefail
cd "$(dirname "$0")/.."
unset NODE_OPTIONS NODE_EXTRA_CA_CERTS
jest_out=$(mktemp)
conf_out=$(mktemp)
trap 'rm -f "$jest_out" "$conf_out"' EXIT
closing() { grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -1; }
# "N passed, N failed, N skipped" → field 1, 3 or 5 (0 when absent).
field() { echo "${1:-0 passed, 0 failed}" | tr -d ',' | awk -v f="$2" '{print ($f == "" ? 0 : $f)}'; }

pnpm exec jest --ci 2>&1 | tee "$jest_out"
jest_rc=${PIPESTATUS[0]}
jest=$(closing "$jest_out")

make -s conformance RUNTIME="hull runc" 2>&1 | tee "$conf_out"
conf_rc=${PIPESTATUS[0]}
conf=$(closing "$conf_out")

passed=$(( $(field "$jest" 1) + $(field "$conf" 1) ))
failed=$(( $(field "$jest" 3) + $(field "$conf" 3) ))
skipped=$(( $(field "$jest" 5) + $(field "$conf" 5) ))
# A phase that failed without counting a failure (a crash) still fails the total.
[ "$jest_rc" = 0 ] || [ "$(field "$jest" 3)" != 0 ] || failed=$((failed + 1))
[ "$conf_rc" = 0 ] || [ "$(field "$conf" 3)" != 0 ] || failed=$((failed + 1))
# Each phase lists its skips as "SKIP <what>: <reason>" (scripts/jest-summary.js, conformance/src/main.ts).
skips=$(grep -h '^SKIP ' "$jest_out" "$conf_out")
echo
if [ -n "$skips" ]; then
  echo "Skipped on this host, with the reason:"
  echo "$skips" | sed 's/^/  /'
  echo
fi
echo "$passed passed, $failed failed$([ "$skipped" = 0 ] || echo ", $skipped skipped")"
[ "$jest_rc" = 0 ] && [ "$conf_rc" = 0 ]
