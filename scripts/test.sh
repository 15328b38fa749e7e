#!/bin/bash
# All tests: the jest projects of every package (units and root
# integration), then the conformance suite against hull. Ends with the one
# closing line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export -n NODE_OPTIONS NODE_EXTRA_CA_CERTS
unset NODE_OPTIONS NODE_EXTRA_CA_CERTS
out=$(mktemp)
trap 'rm -f "$out"' EXIT
pnpm exec jest --ci 2>&1 | tee "$out"
jest_rc=${PIPESTATUS[0]}
passed=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -1 | awk '{print $1}')
failed=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -1 | awk '{print $3}')
passed=${passed:-0}; failed=${failed:-0}
if [ -x conformance/bin/conformance ] || [ -f conformance/package.json ]; then
  if make -s conformance RUNTIME=hull 2>&1 | tee "$out"; then :; else failed=$((failed + 0)); fi
  cp=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
  passed=$((passed + $(echo "${cp:-0 passed, 0 failed}" | awk '{print $1}')))
  failed=$((failed + $(echo "${cp:-0 passed, 0 failed}" | awk '{print $3}')))
fi
echo
echo "$passed passed, $failed failed"
[ "$jest_rc" = 0 ] && [ "$failed" = 0 ]
