#!/usr/bin/env bash
# Trimming and native AOT, verified: publishes tests/Neon.Tenancy.AotSmoke/App with PublishAot and runs the native
# binary the way an application uses the SDK (AddNeonTenancy, PostgreSQL catalog, provision, connect + `select 1`,
# usage, delete) against the fake Neon API, every fake project a real database.
#
#   bash eng/aot-smoke.sh          # eng/test.sh runs it on a full run and prints `aot smoke: passed|FAILED`
#
# 1. Installs the native toolchain ILCompiler links with (clang, zlib1g-dev) when it is missing, as eng/postgres.sh
#    installs PostgreSQL.
# 2. `dotnet publish -c Release -r linux-x64`; fails on ANY trim or AOT warning (IL2xxx/IL3xxx), listing them.
# 3. Starts a throwaway PostgreSQL (unless NEON_TENANCY_TEST_POSTGRES names one) and the fake in another (JIT)
#    process (tests/Neon.Tenancy.AotSmoke/FakeHost: WireMock.Net is not AOT-compatible).
# 4. Runs the native binary against both; passes when it exits 0 and printed `aot smoke app: ok`.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=eng/postgres.sh
source "$root/eng/postgres.sh"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

aot_log() { printf '[aot-smoke] %s\n' "$*" >&2; }

# 1. ILCompiler invokes clang (or gcc) as the linker and links zlib.
has_zlib() { [ -e /usr/include/zlib.h ] || ls /usr/lib/*-linux-gnu/libz.so >/dev/null 2>&1; }
if ! command -v clang >/dev/null 2>&1 || ! has_zlib; then
  aot_log "installing the native AOT toolchain (clang, zlib1g-dev)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang zlib1g-dev >/dev/null
fi

work=$(mktemp -d /tmp/neon-tenancy-aot.XXXXXX)
fake_pid=""
cleanup() {
  if [ -n "$fake_pid" ]; then kill "$fake_pid" 2>/dev/null || true; wait "$fake_pid" 2>/dev/null || true; fi
  rm -rf "$work"
  stop_postgres
}
trap cleanup EXIT

# 2. Publish. TrimmerSingleWarn=false (in the project) lists every warning instead of one line per assembly. Other
#    warnings are the regular build's business (TreatWarningsAsErrors=false): this step fails on IL2xxx/IL3xxx only,
#    but on every one of them.
app=tests/Neon.Tenancy.AotSmoke/App/Neon.Tenancy.AotSmoke.csproj
aot_log "publishing $app (native AOT, linux-x64)"
set +e
dotnet publish "$app" -c Release -r linux-x64 -o "$work/app" -p:TreatWarningsAsErrors=false >"$work/publish.log" 2>&1
rc=$?
set -e
warnings=$(grep -E '(warning|error) IL[23][0-9]{3}' "$work/publish.log" | sort -u || true)
if [ -n "$warnings" ]; then
  aot_log "trim/AOT warnings:"; printf '%s\n' "$warnings" >&2; exit 1
fi
if [ "$rc" -ne 0 ] || [ ! -x "$work/app/Neon.Tenancy.AotSmoke" ]; then
  tail -n 40 "$work/publish.log" >&2; aot_log "publish failed ($rc)"; exit 1
fi
aot_log "published with no trim or AOT warning: $(du -h "$work/app/Neon.Tenancy.AotSmoke" | cut -f1) native binary"

# 3. PostgreSQL and the fake.
if [ -z "${NEON_TENANCY_TEST_POSTGRES:-}" ]; then start_postgres; trap cleanup EXIT; fi
dotnet build tests/Neon.Tenancy.AotSmoke/FakeHost/Neon.Tenancy.AotSmoke.FakeHost.csproj -c Release -o "$work/fake" -p:TreatWarningsAsErrors=false >"$work/fake-build.log" 2>&1 \
  || { tail -n 40 "$work/fake-build.log" >&2; aot_log "the fake host does not build"; exit 1; }
dotnet "$work/fake/Neon.Tenancy.AotSmoke.FakeHost.dll" >"$work/fake.log" 2>&1 &
fake_pid=$!
api=""
for _ in $(seq 1 120); do
  api=$(sed -n 's/^NEON_FAKE_API=//p' "$work/fake.log" | head -n 1)
  if [ -n "$api" ]; then break; fi
  if ! kill -0 "$fake_pid" 2>/dev/null; then break; fi
  sleep 0.5
done
if [ -z "$api" ]; then cat "$work/fake.log" >&2; aot_log "the fake Neon API did not start"; exit 1; fi
aot_log "fake Neon API at $api"

# 4. The native binary, against the fake and PostgreSQL. The fake's API key is its fixed, well-known test key.
set +e
NEON_FAKE_API="$api" NEON_FAKE_API_KEY=neon-fake-api-key timeout 300 "$work/app/Neon.Tenancy.AotSmoke" 2>&1 | tee "$work/app.log"
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" -ne 0 ] || ! grep -q '^aot smoke app: ok$' "$work/app.log"; then
  aot_log "the native app failed (exit code $rc); the fake's log:"; tail -n 40 "$work/fake.log" >&2; exit 1
fi
aot_log "the native app passed"
