#!/usr/bin/env bash
# The console sample's one command (samples/Neon.Tenancy.Samples.Console/README.md):
#
#   bash eng/run-sample.sh [--verbose]
#
# Without NEON_API_KEY: starts a throwaway PostgreSQL the same way eng/test.sh does (eng/postgres.sh installs Debian's
# postgresql package when it is missing) unless NEON_TENANCY_TEST_POSTGRES already names a server, and runs the tour
# against the in-process Neon API fake backed by it. With NEON_API_KEY (and NEON_ORG_ID for organization accounts):
# runs the same tour against Neon. Exits with the sample's exit code: 0 when every step passed, non-zero otherwise
# (CI can run this script as it is).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=eng/postgres.sh
source "$root/eng/postgres.sh"

if [ -z "${NEON_API_KEY:-}" ] && [ -z "${NEON_TENANCY_TEST_POSTGRES:-}" ]; then start_postgres; fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

set +e
dotnet run --project samples/Neon.Tenancy.Samples.Console -- "$@"
rc=$?
set -e
if [ "$rc" -ne 0 ]; then log "the console sample exited with $rc"; fi
exit "$rc"
