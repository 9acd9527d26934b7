#!/usr/bin/env bash
# Records the current public surface of every tracked package in its PublicAPI.Unshipped.txt: the analyzers fail the
# build with RS0016 (a public symbol the files do not declare) and RS0017 (a declared symbol that is gone) when code and
# files disagree. This builds each project, adds the RS0016 symbols, removes the RS0017 ones, and repeats until the
# build is clean. Review the diff: it is the API change.
#
# (`dotnet format analyzers --diagnostics RS0016` does not apply the analyzer's fix to these files reliably, see
# dotnet/format#1416, hence the build-and-read loop.)
#
#   bash eng/update-public-api.sh                      every tracked package
#   bash eng/update-public-api.sh src/Neon.Tenancy.Api only the ones named
#
# Neon.Tenancy.Api tracks its hand-written surface only: its generated code is left out by the analyzer's
# skip_namespaces option (src/Neon.Tenancy.Api/PublicApi.globalconfig says how).
set -euo pipefail
cd "$(dirname "$0")/.."

projects=(src/Neon.Tenancy.Api src/Neon.Tenancy src/Neon.Tenancy.Testing src/Neon.Tenancy.EntityFrameworkCore src/Neon.Tenancy.DbUp)
if [ $# -gt 0 ]; then projects=("$@"); fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

for project in "${projects[@]}"; do
  unshipped="$project/PublicAPI.Unshipped.txt"
  for _ in 1 2 3; do
    log=$(mktemp)
    # -p:TreatWarningsAsErrors=false: report every API difference at once instead of stopping at the first errors.
    # --no-incremental: an up-to-date build compiles nothing and so reports nothing.
    dotnet build "$project" --no-incremental -nologo -clp:NoSummary -p:TreatWarningsAsErrors=false >"$log" 2>&1 || true
    added=$(grep -oP "RS0016: Symbol '\K.*(?=' is not part of the declared public API)" "$log" | sort -u || true)
    removed=$(grep -oP "RS0017: Symbol '\K.*(?=' is part of the declared API, but)" "$log" | sort -u || true)
    if [ -z "$added" ] && [ -z "$removed" ]; then
      if grep -qE ': error ' "$log"; then
        grep -E ': error ' "$log" | sort -u >&2
        rm -f "$log"
        echo "update-public-api: $project does not build for another reason (above)" >&2
        exit 1
      fi
      rm -f "$log"
      break
    fi
    rm -f "$log"
    # Existing lines keep their order (the analyzer's code fix writes its own); new ones go at the end, sorted.
    {
      grep -vxF -f <(printf '%s\n' "$removed") "$unshipped" || true
      if [ -n "$added" ]; then printf '%s\n' "$added"; fi
    } | awk 'NF && !seen[$0]++' >"$unshipped.new"
    mv "$unshipped.new" "$unshipped"
    echo "update-public-api: $project: +$(printf '%s' "$added" | grep -c . || true) -$(printf '%s' "$removed" | grep -c . || true)"
  done
done

git --no-pager diff --stat -- 'src/*/PublicAPI.*.txt' || true
