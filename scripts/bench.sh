#!/usr/bin/env bash
# `make bench`: a stack of its own (profile "bench"), a fresh schema, then bench/bench.ts.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
bash scripts/stack.sh up bench
trap 'bash scripts/stack.sh down bench' EXIT
while IFS='=' read -r key value; do export "$key=$value"; done < <(bash scripts/stack.sh env bench)
export NODE_ENV=test
psql "$DATABASE_URL" -q -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' >/dev/null
node dist/libs/db/src/migrate.js
# Authenticated, as production runs; generous limits so the bench measures the check, not a 429.
BENCH_API_KEY=$(node dist/tools/apikey.js create --name bench --scopes admin 2>/dev/null)
export BENCH_API_KEY RATE_LIMIT_READS_PER_SECOND=1000000 RATE_LIMIT_WRITES_PER_SECOND=1000000
curl -fs -u "$RABBITMQ_USER:$RABBITMQ_PASSWORD" "${RABBITMQ_MANAGEMENT_URL}api/queues/%2F" \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>JSON.parse(s).filter(q=>q.name.startsWith("conveyor.")).forEach(q=>console.log(q.name)))' \
  | while read -r q; do curl -fs -u "$RABBITMQ_USER:$RABBITMQ_PASSWORD" -X DELETE "${RABBITMQ_MANAGEMENT_URL}api/queues/%2F/$q" >/dev/null; done
node dist/bench/bench.js
