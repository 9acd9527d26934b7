#!/usr/bin/env bash
# Runs the console sample against the Neon API fake backed by a throwaway local PostgreSQL (started the same way as
# the tests' one), or against Neon itself when NEON_API_KEY is set.
#
#   bash eng/run-sample.sh
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=eng/postgres.sh
source "$root/eng/postgres.sh"

if [ -z "${NEON_API_KEY:-}" ] && [ -z "${NEON_TENANCY_TEST_POSTGRES:-}" ]; then start_postgres; fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet run --project samples/Neon.Tenancy.Samples.Console "$@"
