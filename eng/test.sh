#!/usr/bin/env bash
# The one test command (README.md, "Running the tests"; .ci/run calls it unchanged).
#
#   bash eng/test.sh [extra `dotnet test` arguments, e.g. --filter FullyQualifiedName~Catalog]
#
# 1. Installs PostgreSQL from Debian's packages when its server binaries are missing.
# 2. Starts a throwaway cluster on a free 127.0.0.1 port (as the `postgres` user when run as root:
#    initdb refuses root), with password authentication and a random superuser password.
# 3. Runs every test project of Neon.Tenancy.sln against it (NEON_TENANCY_TEST_POSTGRES).
# 4. Stops the cluster, deletes its files, and prints one line: `N passed, N failed, N skipped`.
#    A run that executed no test, or whose build or test host failed, exits non-zero.
# 5. Without arguments (a full run, as CI does) then runs eng/pack-smoke.sh and prints `pack smoke: passed|FAILED`,
#    and eng/aot-smoke.sh (native AOT publish with zero trim/AOT warnings, run against the fake) and prints
#    `aot smoke: passed|FAILED`.
#
# Set NEON_TENANCY_TEST_POSTGRES to an existing server's admin connection string to skip 1 and 2.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# shellcheck source=eng/postgres.sh
source "$root/eng/postgres.sh"

if [ -z "${NEON_TENANCY_TEST_POSTGRES:-}" ]; then start_postgres; fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
out=$(mktemp)
set +e
# A test that never finishes fails the run after 10 minutes of silence, naming itself, with a mini dump in TestResults/
# (instead of using up CI's 90 minutes).
dotnet test Neon.Tenancy.sln --blame-hang-timeout 10m --blame-hang-dump-type mini "$@" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
set -e

# VSTest prints one line per test assembly: "Passed!  - Failed: 0, Passed: 12, Skipped: 0, Total: 12, ..."
read -r passed failed skipped assemblies < <(awk '
  /(Passed|Failed)! +- +Failed: / {
    line = $0; gsub(/,/, "", line); n = split(line, w, /[ \t]+/)
    for (i = 1; i < n; i++) {
      if (w[i] == "Failed:") f += w[i+1]; else if (w[i] == "Passed:") p += w[i+1]; else if (w[i] == "Skipped:") s += w[i+1]
    }
    a++
  }
  END { printf "%d %d %d %d\n", p, f, s, a }' "$out")
rm -f "$out"

echo "$passed passed, $failed failed, $skipped skipped"
if [ "$rc" -ne 0 ]; then log "dotnet test exited with $rc"; exit "$rc"; fi
if [ "$failed" -ne 0 ]; then exit 1; fi
if [ $(( passed + failed )) -eq 0 ]; then log "no test was executed"; exit 1; fi

# 5. A full run (no arguments, as CI runs it) also proves the packages install: eng/pack-smoke.sh, reported on its own.
#    NEON_TENANCY_PACK_SMOKE=1 forces it for a filtered run, =0 skips it.
if [ "${NEON_TENANCY_PACK_SMOKE:-$([ $# -eq 0 ] && echo 1 || echo 0)}" = 1 ]; then
  if bash "$root/eng/pack-smoke.sh"; then echo "pack smoke: passed"; else echo "pack smoke: FAILED"; exit 1; fi
fi
# 6. A full run also proves trimming and native AOT (eng/aot-smoke.sh, against this run's PostgreSQL), reported on its
#    own. NEON_TENANCY_AOT_SMOKE=1 forces it for a filtered run, =0 skips it.
if [ "${NEON_TENANCY_AOT_SMOKE:-$([ $# -eq 0 ] && echo 1 || echo 0)}" = 1 ]; then
  if bash "$root/eng/aot-smoke.sh"; then echo "aot smoke: passed"; else echo "aot smoke: FAILED"; exit 1; fi
fi
exit 0
