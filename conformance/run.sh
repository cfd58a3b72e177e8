#!/usr/bin/env bash
# Runs the conformance suite on Flint (each file in a fresh isolate, through the xunit test
# ConformanceTests) and prints passed/total per area, next to workerd's recorded results.
#   conformance/run.sh            run; fail if anything differs from conformance/expected.json
#   conformance/run.sh --update   run and record the results as the new conformance/expected.json
# Flint's latest results go to conformance/results/flint.json. workerd's come from
# conformance/workerd.sh (recorded in conformance/workerd.json).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
mkdir -p "$here/results"
export FLINT_CONFORMANCE_OUT="$here/results/flint.json"
[[ "${1:-}" == "--update" ]] && export FLINT_CONFORMANCE_UPDATE=1
dotnet test "$root/tests/Flint.JavaScript.Tests" --filter "FullyQualifiedName~ConformanceTests" --nologo -v q 2>&1 \
  | grep -E "REGRESSION|unrecorded|fixed \(record|missing \(recorded|differences from|Passed!|Failed!|error" | head -60
status=${PIPESTATUS[0]}
node "$here/compare.mjs" "$here/results/flint.json" "$here/workerd.json"
exit "$status"
