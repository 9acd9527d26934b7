#!/usr/bin/env bash
# Records the current public surface of every shipped package in its PublicAPI.Unshipped.txt (the analyzers
# RS0016/RS0017 fail the build when code and these files disagree). Review the diff: it is the API change.
set -euo pipefail
cd "$(dirname "$0")/.."
for project in src/Neon.Tenancy/Neon.Tenancy.csproj src/Neon.Tenancy.Testing/Neon.Tenancy.Testing.csproj; do
  dotnet format analyzers "$project" --diagnostics RS0016 RS0017 RS0037 --severity warn --verbosity quiet
done
git --no-pager diff --stat -- 'src/*/PublicAPI.*.txt' || true
