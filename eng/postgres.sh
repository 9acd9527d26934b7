#!/usr/bin/env bash
# Sourced by eng/test.sh and eng/run-sample.sh: a throwaway PostgreSQL for tests and the samples.
#
# start_postgres: installs Debian's postgresql package when its server binaries are missing, starts a cluster on a
# free 127.0.0.1 port (as the `postgres` user when run as root: initdb refuses root) with password authentication and
# a random superuser password, exports NEON_TENANCY_TEST_POSTGRES (an admin Npgsql connection string), and stops
# the cluster and deletes its files when the calling script exits.

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

