#!/usr/bin/env bash
# Fault injection, long run: the CrashTests test (tests/Flint.Cli.Tests/CrashTests.cs) with many
# trials. Each trial kills flint dev's server process with SIGKILL at a random moment while KV
# (inline and blob) and D1 (single and batch) writes are in flight; its supervisor restarts it on
# the same data. Prints the trials run, the writes acknowledged and the writes lost.
#
#   bench/fault-injection.sh            # 40 trials
#   TRIALS=200 bench/fault-injection.sh
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export FLINT_FAULT_TRIALS="${TRIALS:-40}"
dotnet test "$REPO_DIR/tests/Flint.Cli.Tests" --filter "FullyQualifiedName~CrashTests" \
  --logger "console;verbosity=detailed" 2>&1 | tee /dev/stderr | grep -E "fault injection:|Passed!|Failed!" || true
