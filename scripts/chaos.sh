#!/usr/bin/env bash
# `make chaos`: a stack of its own (profile "chaos": three RabbitMQ nodes, PostgreSQL with its
# replica, Redis), a fresh schema, then chaos/chaos.ts, which starts the apps and breaks things.
# CHAOS_SECONDS (default 600) bounds the run; CHAOS_SEED replays one.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export RABBITMQ_NODES=3
rm -rf .data/chaos # a cluster formed from scratch each run
bash scripts/stack.sh up chaos
trap 'bash scripts/stack.sh down chaos' EXIT
while IFS='=' read -r key value; do export "$key=$value"; done < <(bash scripts/stack.sh env chaos)
export NODE_ENV=test
node dist/libs/db/src/migrate.js >/dev/null
CHAOS_API_KEY=$(node dist/tools/apikey.js create --name chaos --scopes admin 2>/dev/null)
export CHAOS_API_KEY
node dist/chaos/chaos.js
