#!/usr/bin/env bash
# Throughput of `yagona import` (issue 5): one million clean generated accounts into a fresh
# SQLite file and a fresh PostgreSQL database, rows per second printed for each.
#
#   bench/import.sh [ROWS]          (default 1000000; needs python3, ../shared beside the repo)
#
# YAGONA_BENCH_FILE=path reuses an export generated before (with the same ROWS) instead of
# generating one. The import's plain progress lines give the rate of every few seconds: the
# first and the last are printed, to show whether the speed holds as the tables grow.
#
# PostgreSQL: YAGONA_BENCH_POSTGRES_URL names a server database used to create and drop the
# scratch database (default postgres://postgres@127.0.0.1:5432/postgres); set it to "skip" to
# measure SQLite only. Everything generated goes to a temporary directory, removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS="${1:-1000000}"
ADMIN_URL="${YAGONA_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
BENCH_FILE="${YAGONA_BENCH_FILE:-}"
# yagona reads every YAGONA_* variable as configuration and refuses unknown ones.
unset YAGONA_BENCH_POSTGRES_URL YAGONA_BENCH_FILE
WORK="$(mktemp -d /tmp/yagona-import-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

cargo build --release --quiet --bin yagona
BIN=target/release/yagona

if [ -n "$BENCH_FILE" ]; then
  ln -s "$(realpath "$BENCH_FILE")" "$WORK/legacy.csv"
else
  echo "== generating $ROWS clean rows"
  python3 ../shared/legacy/generate.py --rows "$ROWS" --seed 1 --defects 0 --out "$WORK/legacy.csv"
fi

run() {
  local name="$1" url="$2"
  YAGONA_DATABASE_URL="$url" "$BIN" db migrate >/dev/null
  local start end
  start=$(date +%s.%N)
  YAGONA_DATABASE_URL="$url" YAGONA_LOG=warn "$BIN" import "$WORK/legacy.csv" \
    --progress plain --report "$WORK/$name-report.json" >"$WORK/$name.out" 2>"$WORK/$name.err"
  end=$(date +%s.%N)
  grep -E '^new ' "$WORK/$name.out"
  grep -E 'lately' "$WORK/$name.err" | sed -n '1p;$p' | sed 's/^/  /'
  awk -v s="$start" -v e="$end" -v n="$ROWS" -v name="$name" \
    'BEGIN { printf "%s: %d rows in %.1f s = %.0f rows/s (the whole command: checking pass and import)\n", name, n, e - s, n / (e - s) }'
}

echo "== SQLite"
run sqlite "sqlite://$WORK/bench.db"

if [ "$ADMIN_URL" != "skip" ]; then
  echo "== PostgreSQL"
  DB="yagona_bench_$$"
  psql -q "$ADMIN_URL" -c "CREATE DATABASE $DB"
  trap 'psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true; rm -rf "$WORK"' EXIT
  run postgres "${ADMIN_URL%/*}/$DB"
fi
