#!/bin/bash
# `make test`: the jest projects of every package (units and root
# integration), then the conformance suite against hull. Ends with one
# closing line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
unset NODE_OPTIONS NODE_EXTRA_CA_CERTS
out=$(mktemp)
trap 'rm -f "$out"' EXIT
closing() { grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -1; }
field() { echo "${1:-0 passed, 0 failed}" | awk -v f="$2" '{print $f}'; }

pnpm exec jest --ci 2>&1 | tee "$out"
jest_rc=${PIPESTATUS[0]}
jest=$(closing)

make -s conformance RUNTIME=hull 2>&1 | tee "$out"
conf_rc=${PIPESTATUS[0]}
conf=$(closing)

passed=$(( $(field "$jest" 1) + $(field "$conf" 1) ))
failed=$(( $(field "$jest" 3) + $(field "$conf" 3) ))
# A phase that failed without counting a failure (a crash) still fails the total.
[ "$jest_rc" = 0 ] || [ "$(field "$jest" 3)" != 0 ] || failed=$((failed + 1))
[ "$conf_rc" = 0 ] || [ "$(field "$conf" 3)" != 0 ] || failed=$((failed + 1))
echo
echo "$passed passed, $failed failed"
[ "$jest_rc" = 0 ] && [ "$conf_rc" = 0 ]
