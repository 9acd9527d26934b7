#!/usr/bin/env bash
# The samples' one command (samples/Neon.Tenancy.Samples.Console/README.md, samples/Neon.Tenancy.Samples.Migrator/README.md):
#
#   bash eng/run-sample.sh [--verbose]                    the console tour
#   bash eng/run-sample.sh --migrator [migrator options]  the migrator, the deploy step (e.g. --seed 30 --poison 2)
#   bash eng/run-sample.sh --migrator-check               what CI runs: the migrator offline, a dry run that must exit 0
#                                                         and a run that parks two tenants, which must exit 2
#
# Without NEON_API_KEY: starts a throwaway PostgreSQL the same way eng/test.sh does (eng/postgres.sh installs Debian's
# postgresql package when it is missing) unless NEON_TENANCY_TEST_POSTGRES already names a server, and runs the sample
# against the in-process Neon API fake backed by it. With NEON_API_KEY (and NEON_ORG_ID for organization accounts):
# runs the same tour, or the migrator over your catalog, against Neon; --migrator-check always runs offline. Exits with
# the sample's exit code (the tour: 0 when every step passed; the migrator: see its README), and --migrator-check with
# 0 when both exit codes were the expected ones (CI can run this script as it is).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=eng/postgres.sh
source "$root/eng/postgres.sh"

mode=tour
case "${1:-}" in
  --migrator) mode=migrator; shift ;;
  --migrator-check) mode=migrator-check; shift ;;
esac
if [ "$mode" = migrator-check ]; then unset NEON_API_KEY; fi

if [ -z "${NEON_API_KEY:-}" ] && [ -z "${NEON_TENANCY_TEST_POSTGRES:-}" ]; then start_postgres; fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

migrator=samples/Neon.Tenancy.Samples.Migrator
case "$mode" in
  tour)
    set +e
    dotnet run --project samples/Neon.Tenancy.Samples.Console -- "$@"
    rc=$?
    set -e
    if [ "$rc" -ne 0 ]; then log "the console sample exited with $rc"; fi
    exit "$rc" ;;
  migrator)
    set +e
    dotnet run --project "$migrator" -- "$@"
    rc=$?
    set -e
    log "the migrator exited with $rc (0 all migrated, 2 tenants parked, 3 halted, 1 failed)"
    exit "$rc" ;;
  migrator-check)
    dotnet build "$migrator" --nologo -v quiet
    failed=0
    expect() {
      local want=$1 rc
      shift
      log "migrator $*"
      set +e
      dotnet run --no-build --project "$migrator" -- "$@"
      rc=$?
      set -e
      if [ "$rc" -eq "$want" ]; then
        log "migrator $*: exit code $rc, as expected"
      else
        log "migrator $*: exit code $rc, expected $want"
        failed=1
      fi
    }
    # The plan only (nothing changes), then the run: the two poisoned tenants are restored and parked, the rest migrated.
    expect 0 --seed 30 --poison 2 --canary 3 --wave-size 10 --dry-run
    expect 2 --seed 30 --poison 2 --canary 3 --wave-size 10 --parallelism 4
    exit "$failed" ;;
esac
