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
#
# Set NEON_TENANCY_TEST_POSTGRES to an existing server's admin connection string to skip 1 and 2.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

log() { printf '[test] %s\n' "$*" >&2; }

pg_bin_dir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; fi
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install_postgres() {
  log "PostgreSQL server binaries not found; installing Debian's postgresql package"
  # Do not let the package create and start its own 'main' cluster: we run a throwaway one.
  as_root mkdir -p /etc/postgresql-common/createcluster.d
  echo 'create_main_cluster = false' | as_root tee /etc/postgresql-common/createcluster.d/neon-tenancy.conf >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
}

free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$(( 20000 + RANDOM % 30000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  return 1
}

pg_dir=""
pg_run=()
stop_postgres() {
  if [ -n "$pg_dir" ] && [ -d "$pg_dir" ]; then
    "${pg_run[@]}" "$PG_BIN/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
}

start_postgres() {
  PG_BIN=$(pg_bin_dir)
  if [ -z "$PG_BIN" ]; then install_postgres; PG_BIN=$(pg_bin_dir); fi
  if [ -z "$PG_BIN" ]; then log "PostgreSQL could not be installed"; exit 1; fi

  pg_dir=$(mktemp -d /tmp/neon-tenancy-pg.XXXXXX)
  chmod 755 "$pg_dir"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$pg_dir" --shell /bin/sh postgres
    chown postgres "$pg_dir"
    pg_run=(runuser -u postgres --)
  else
    pg_run=(env)
  fi
  trap stop_postgres EXIT

  local password port
  password=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  printf '%s\n' "$password" > "$pg_dir/pwfile"
  [ "$(id -u)" = 0 ] && chown postgres "$pg_dir/pwfile"
  "${pg_run[@]}" "$PG_BIN/initdb" -D "$pg_dir/data" -U postgres --pwfile="$pg_dir/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$pg_dir/initdb.log" 2>&1 \
    || { cat "$pg_dir/initdb.log" >&2; exit 1; }
  rm -f "$pg_dir/pwfile"

  port=$(free_port)
  "${pg_run[@]}" "$PG_BIN/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$pg_dir \
        -c max_connections=500 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null \
    || { cat "$pg_dir/server.log" >&2; exit 1; }
  log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
  export NEON_TENANCY_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Password=$password;Database=postgres"
}

if [ -z "${NEON_TENANCY_TEST_POSTGRES:-}" ]; then start_postgres; fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
out=$(mktemp)
set +e
dotnet test Neon.Tenancy.sln "$@" 2>&1 | tee "$out"
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
exit 0
