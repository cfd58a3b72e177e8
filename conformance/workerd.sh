#!/usr/bin/env bash
# Runs the conformance suite on workerd (offline, from bench/node_modules) and records
# conformance/workerd.json, then prints the comparison with Flint's expected results.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
node "$here/workerd.mjs" "$@"
node "$here/compare.mjs" "$here/expected.json" "$here/workerd.json"
