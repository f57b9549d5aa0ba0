#!/usr/bin/env bash
# Runs the whole RagService test suite. Tests that score against ../shared/data run when it is
# present and report themselves as skipped (with the reason) when it is not.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh || exit 1
dotnet build RagService.sln -c Release -nologo -v quiet || exit 1
log=$(mktemp)
dotnet test RagService.sln -c Release --no-build -nologo --logger "console;verbosity=normal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# The failed tests again, each with its message and the top of its stack, so that the end of the log names them.
if grep -qE '^ +Failed [A-Za-z_]' "$log"; then
  echo "failed tests:"
  awk '/^ +Failed [A-Za-z_]/ { n = 40; print; next }
       n > 0 && /^ +(Passed|Skipped) [A-Za-z_]/ { n = 0; next }
       n > 0 { print; n-- }' "$log"
fi
# One closing line for the whole suite, summed over the test projects.
awk '/^ *Passed: +[0-9]+ *$/ { p += $2 } /^ *Failed: +[0-9]+ *$/ { f += $2 } /^ *Skipped: +[0-9]+ *$/ { s += $2 }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
# A crashed test host leaves no failed test behind, only an aborted run: say so, so the line above is not read as green.
if grep -q "Test Run Aborted" "$log"; then
  echo "a test host crashed and its run was aborted (see above): the suite did not pass"
fi
rm -f "$log"
exit "$status"
