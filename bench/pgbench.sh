#!/usr/bin/env bash
# pgbench against Quiver and, when PostgreSQL 15's server binaries are
# installed, against a throwaway PostgreSQL cluster with the same settings.
#
#   bench/pgbench.sh            # from anywhere inside the repository
#
# For each server: `pgbench -i -s $SCALE`, then the read-only workload
# `pgbench -S -M prepared -c 2 -j 2 -T $DURATION` and the default TPC-B-like
# script `pgbench -c 1 -T $DURATION`. Both servers run with durable
# commits (Quiver without --no-sync, PostgreSQL with fsync=on and
# synchronous_commit=on) on a data directory under /tmp, over loopback TCP.
# Prints each tps figure and Quiver/PostgreSQL ratios.
#
# Knobs (environment): SCALE (10), DURATION (30 seconds), QUIVER_PORT (55428),
# PG_PORT (55429), PGBIN (/usr/lib/postgresql/15/bin), PGBENCH (pgbench from
# PATH, else $PGBIN/pgbench), KEEP=1 keeps the work directory and logs.
set -euo pipefail

SCALE="${SCALE:-10}"
DURATION="${DURATION:-30}"
QUIVER_PORT="${QUIVER_PORT:-55428}"
PG_PORT="${PG_PORT:-55429}"
PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
PGBENCH="${PGBENCH:-$(command -v pgbench || echo "$PGBIN/pgbench")}"
PSQL="$(command -v psql || echo "$PGBIN/psql")"

[ -x "$PGBENCH" ] || { echo "pgbench not found (apt-get install postgresql-client-15)" >&2; exit 2; }
[ -x "$PSQL" ] || { echo "psql not found (apt-get install postgresql-client-15)" >&2; exit 2; }
command -v go >/dev/null || { echo "go not found" >&2; exit 2; }

REPO="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d /tmp/pgbench.XXXXXX)"
chmod 755 "$WORK" # the postgres user runs the PostgreSQL cluster in here
QUIVER_PID=""
PG_STARTED=""

# as_pg runs a PostgreSQL server command as the postgres user when we are
# root (initdb and postgres refuse to run as root).
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
  else
    "$@"
  fi
}

cleanup() {
  if [ -n "$QUIVER_PID" ]; then
    kill "$QUIVER_PID" 2>/dev/null || true
    wait "$QUIVER_PID" 2>/dev/null || true
  fi
  if [ -n "$PG_STARTED" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$WORK/pgdata" -m fast -w stop >/dev/null 2>&1 || true
  fi
  if [ "${KEEP:-}" = 1 ]; then
    echo "kept $WORK" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

# wait_ready PORT: until the server answers a query (30 s at most).
wait_ready() {
  for _ in $(seq 300); do
    if "$PSQL" -X -q -h 127.0.0.1 -p "$1" -U postgres -d postgres -c 'select 1' >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  echo "server on port $1 did not become ready" >&2
  return 1
}

# tps_of LOGFILE: pgbench's tps without connection time; fails the script
# when pgbench reported errors or failed transactions.
tps_of() {
  if ! grep -Eq '^number of failed transactions: 0 ' "$1"; then
    echo "pgbench reported failures (see $1):" >&2
    grep -E 'failed|error|ERROR|FATAL|aborted' "$1" | head -5 >&2
    return 1
  fi
  sed -nE 's/^tps = ([0-9.]+) \(without initial connection time\)/\1/p' "$1"
}

# run_suite LABEL PORT: initialise and run both workloads; sets
# <LABEL>_SELECT and <LABEL>_TPCB.
run_suite() {
  local label="$1" port="$2" log="$WORK/$1"
  local conn=(-h 127.0.0.1 -p "$port" -U postgres)
  echo "== $label: pgbench -i -s $SCALE" >&2
  local t0=$SECONDS
  if ! "$PGBENCH" "${conn[@]}" -i -s "$SCALE" -q postgres >"$log-init.log" 2>&1; then
    cat "$log-init.log" >&2
    return 1
  fi
  echo "   initialised in $((SECONDS - t0)) s" >&2
  echo "== $label: pgbench -S -M prepared -c 2 -j 2 -T $DURATION" >&2
  "$PGBENCH" "${conn[@]}" -S -M prepared -c 2 -j 2 -T "$DURATION" postgres >"$log-select.log" 2>&1 || { cat "$log-select.log" >&2; return 1; }
  printf -v "${label}_SELECT" '%s' "$(tps_of "$log-select.log")"
  echo "== $label: pgbench -c 1 -T $DURATION (TPC-B-like)" >&2
  "$PGBENCH" "${conn[@]}" -c 1 -T "$DURATION" postgres >"$log-tpcb.log" 2>&1 || { cat "$log-tpcb.log" >&2; return 1; }
  printf -v "${label}_TPCB" '%s' "$(tps_of "$log-tpcb.log")"
}

# ---------------------------------------------------------------- Quiver
echo "building quiver" >&2
(cd "$REPO" && go build -o "$WORK/quiver" ./cmd/quiver)
"$WORK/quiver" --data-dir "$WORK/quiver-data" --listen "127.0.0.1:$QUIVER_PORT" --log-level warn >"$WORK/quiver.log" 2>&1 &
QUIVER_PID=$!
wait_ready "$QUIVER_PORT" || { cat "$WORK/quiver.log" >&2; exit 1; }
run_suite quiver "$QUIVER_PORT"
kill "$QUIVER_PID"
wait "$QUIVER_PID" 2>/dev/null || true
QUIVER_PID=""

# ---------------------------------------------------------------- PostgreSQL
postgres_SELECT="" postgres_TPCB=""
if [ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/pg_ctl" ]; then
  echo "initialising PostgreSQL in $WORK/pgdata" >&2
  mkdir "$WORK/pgdata" "$WORK/pgsock"
  [ "$(id -u)" = 0 ] && chown postgres "$WORK/pgdata" "$WORK/pgsock"
  as_pg "$PGBIN/initdb" -D "$WORK/pgdata" -U postgres -A trust --no-sync >"$WORK/initdb.log" 2>&1 ||
    { cat "$WORK/initdb.log" >&2; exit 1; }
  # Default durability (fsync, synchronous_commit), loopback only.
  as_pg "$PGBIN/pg_ctl" -D "$WORK/pgdata" -l "$WORK/pgsock/postgres.log" -w \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $WORK/pgsock -c fsync=on -c synchronous_commit=on" start >/dev/null
  PG_STARTED=1
  wait_ready "$PG_PORT"
  run_suite postgres "$PG_PORT"
else
  echo "no PostgreSQL server binaries in $PGBIN: Quiver figures only" >&2
fi

# ---------------------------------------------------------------- report
ratio() { [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }' || echo "-"; }
echo
echo "pgbench, scale $SCALE, $DURATION s per run, durable commits ($(date -u '+%Y-%m-%d %H:%M UTC'))"
printf '%-40s %12s %12s %8s\n' workload "Quiver tps" "PG tps" ratio
printf '%-40s %12s %12s %8s\n' "-S -M prepared -c 2 -j 2 (select-only)" "$quiver_SELECT" "${postgres_SELECT:--}" "$(ratio "$quiver_SELECT" "$postgres_SELECT")"
printf '%-40s %12s %12s %8s\n' "-c 1 (TPC-B-like, simple protocol)" "$quiver_TPCB" "${postgres_TPCB:--}" "$(ratio "$quiver_TPCB" "$postgres_TPCB")"
