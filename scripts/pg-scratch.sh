#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the store tests and the benchmark.
#
#   eval "$(scripts/pg-scratch.sh start)"   # starts one, exports DOCSPACE_LOGINS_TEST_PG and PG_SCRATCH_DIR
#   scripts/pg-scratch.sh stop [DIR]         # stops it and deletes its folder (DIR defaults to $PG_SCRATCH_DIR)
#   scripts/pg-scratch.sh status [DIR]
#
# The cluster lives in a temporary folder, listens on 127.0.0.1 only (port 55432, or the next free
# one), trusts local connections (but for two roles that must give a password: dl_scram by
# SCRAM-SHA-256 and dl_md5 by MD5, for the test of the CLI's password handshakes; the test creates
# the roles), and is owned by the `postgres` user when we run as root (initdb
# refuses root). Nothing is installed or left behind after `stop`. Settings via the environment:
#   PG_SCRATCH_PORT   first port to try (55432)
#   PG_SCRATCH_DB     database to create (docspace_logins_test)
#   PG_SCRATCH_OPTS   extra server options, e.g. "-c fsync=off"
# Only stdout carries the `export` lines, so `eval` is safe; messages go to stderr.
set -euo pipefail

say() { printf '%s\n' "$*" >&2; }

find_bin() {
  local d
  # Debian links only some tools into PATH, so use the folder the real pg_ctl lives in.
  if command -v pg_ctl >/dev/null 2>&1; then
    d=$(dirname "$(readlink -f "$(command -v pg_ctl)")")
    if [[ -x "$d/initdb" && -x "$d/createdb" ]]; then
      printf '%s\n' "$d"
      return
    fi
  fi
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -z "$d" || ! -x "$d/pg_ctl" ]]; then
    say "pg-scratch: no PostgreSQL server binaries found (install Debian's postgresql package)"
    exit 3
  fi
  printf '%s\n' "$d"
}

# Run a command as the cluster owner: `postgres` when we are root, ourselves otherwise.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
  local bin port db dir
  bin=$(find_bin)
  port=${PG_SCRATCH_PORT:-55432}
  db=${PG_SCRATCH_DB:-docspace_logins_test}
  for _ in $(seq 1 50); do
    port_free "$port" && break
    port=$((port + 1))
  done
  port_free "$port" || { say "pg-scratch: no free port from ${PG_SCRATCH_PORT:-55432}"; exit 3; }

  dir=$(mktemp -d "${TMPDIR:-/tmp}/docspace-pg.XXXXXX")
  chmod 0755 "$dir"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    >"$dir/initdb.log" 2>&1 || { say "pg-scratch: initdb failed:"; cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 3; }
  # pg_hba.conf is read top down: these two lines come before the ones that trust everyone.
  as_owner sh -c "printf 'host all dl_scram 127.0.0.1/32 scram-sha-256\\nhost all dl_md5 127.0.0.1/32 md5\\n' | cat - '$dir/data/pg_hba.conf' >'$dir/data/pg_hba.new' && mv '$dir/data/pg_hba.new' '$dir/data/pg_hba.conf' && chmod 600 '$dir/data/pg_hba.conf'"
  # shellcheck disable=SC2086
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c max_connections=100 ${PG_SCRATCH_OPTS:-}" start \
    >/dev/null || { say "pg-scratch: the server did not start:"; cat "$dir/server.log" >&2; rm -rf "$dir"; exit 3; }
  as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$db" || {
    say "pg-scratch: createdb failed"
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    exit 3
  }
  printf '%s\n' "$bin" >"$dir/bin"
  local url="postgres://postgres@127.0.0.1:$port/$db"
  printf '%s\n' "$url" >"$dir/url"
  say "pg-scratch: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') at $url (folder $dir)"
  say "pg-scratch: stop it with: scripts/pg-scratch.sh stop $dir"
  printf 'export DOCSPACE_LOGINS_TEST_PG=%q\n' "$url"
  printf 'export PG_SCRATCH_DIR=%q\n' "$dir"
}

stop() {
  local dir=${1:-${PG_SCRATCH_DIR:-}}
  if [[ -z "$dir" || ! -d "$dir/data" ]]; then
    say "pg-scratch: no cluster folder given (pass the folder start printed, or set PG_SCRATCH_DIR)"
    exit 2
  fi
  as_owner "$(cat "$dir/bin")/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  say "pg-scratch: stopped and removed $dir"
}

status() {
  local dir=${1:-${PG_SCRATCH_DIR:-}}
  [[ -n "$dir" && -d "$dir/data" ]] || { say "pg-scratch: no cluster folder"; exit 2; }
  as_owner "$(cat "$dir/bin")/pg_ctl" -D "$dir/data" status >&2 && cat "$dir/url"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  status) status "${2:-}" ;;
  *) say "usage: $0 start | stop [DIR] | status [DIR]"; exit 2 ;;
esac
