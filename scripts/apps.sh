#!/usr/bin/env bash
# Starts or stops the built gateway and worker of the dev stack, logs and pids under .data/dev/.
#   scripts/apps.sh up | down
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
RUN=.data/dev/run LOGS=.data/dev/logs
mkdir -p "$RUN" "$LOGS"

# Settings: the environment wins, then .env (if any), then the local stack's own URLs.
export_unset() { # reads KEY=value lines
  local key value
  while IFS='=' read -r key value; do
    [[ "$key" =~ ^[A-Z_][A-Z0-9_]*$ ]] && [ -z "${!key:-}" ] && export "$key=$value"
  done
  return 0
}
[ -f .env ] && export_unset < .env
export_unset < <(scripts/stack.sh env dev)
: "${GATEWAY_PORT:=3000}" "${WORKER_PORT:=3001}" "${GATEWAY_HOST:=127.0.0.1}" "${WORKER_HOST:=127.0.0.1}"
: "${PROVIDER_SIM_PORT:=3100}" "${PROVIDER_SIM_HOST:=127.0.0.1}"
export GATEWAY_PORT WORKER_PORT GATEWAY_HOST WORKER_HOST PROVIDER_SIM_PORT PROVIDER_SIM_HOST

running() { [ -s "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

start() { # name port host
  if running "$1"; then echo "[apps] $1 already running (pid $(cat "$RUN/$1.pid"))"; return 0; fi
  # Logs are on stderr; stdout is data (the gateway's enriched casino events, one JSON line each).
  local data="$LOGS/$1.log"
  [ "$1" = gateway ] && data="$LOGS/events.log"
  # Each app connects to RabbitMQ as its own least-privilege user (scripts/stack.sh makes them).
  # With RABBITMQ_NODES=3 the stack is a cluster: the apps get every node (AMQP_URLS) and fail over.
  local amqp="$AMQP_URL" urls="${AMQP_URLS:-}"
  [ "$1" = gateway ] && amqp="$GATEWAY_AMQP_URL" urls="${GATEWAY_AMQP_URLS:-}"
  [ "$1" = worker ] && amqp="$WORKER_AMQP_URL" urls="${WORKER_AMQP_URLS:-}"
  AMQP_URL="$amqp" AMQP_URLS="$urls" nohup setsid node "dist/apps/$1/src/main.js" >>"$data" 2>>"$LOGS/$1.log" </dev/null &
  echo $! >"$RUN/$1.pid"
  local deadline=$((SECONDS + 60))
  until curl -fs "http://$3:$2/health" >/dev/null 2>&1; do
    if ! running "$1"; then echo "[apps] $1 exited; last log lines:" >&2; tail -20 "$LOGS/$1.log" >&2; exit 1; fi
    [ $SECONDS -lt $deadline ] || { echo "[apps] $1 not healthy after 60 s (see $LOGS/$1.log)" >&2; exit 1; }
    sleep 0.3
  done
  echo "[apps] $1 started (pid $(cat "$RUN/$1.pid"))"
}

stop() {
  running "$1" || { rm -f "$RUN/$1.pid"; return 0; }
  local pid; pid=$(cat "$RUN/$1.pid")
  kill -TERM "$pid"
  local deadline=$((SECONDS + 40))
  while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  rm -f "$RUN/$1.pid"
  echo "[apps] $1 stopped"
}

case "${1:-}" in
  up)
    node dist/libs/db/src/migrate.js
    node dist/tools/seed-players.js
    # A development admin key, made once (again if the database was reset): the README's $KEY.
    node dist/tools/apikey.js ensure --file .data/dev/admin.key --name "development admin"
    start provider-sim "$PROVIDER_SIM_PORT" "$PROVIDER_SIM_HOST"
    start gateway "$GATEWAY_PORT" "$GATEWAY_HOST"
    start worker "$WORKER_PORT" "$WORKER_HOST"
    mgmt=$(scripts/stack.sh env dev | sed -n 's/^RABBITMQ_MANAGEMENT_URL=//p')
    user=$(scripts/stack.sh env dev | sed -n 's/^RABBITMQ_USER=//p')
    pass=$(scripts/stack.sh env dev | sed -n 's/^RABBITMQ_PASSWORD=//p')
    cat <<EOT

Conveyor is up.
  API              http://$GATEWAY_HOST:$GATEWAY_PORT
  Swagger UI       http://$GATEWAY_HOST:$GATEWAY_PORT/docs
  Console          http://$GATEWAY_HOST:$GATEWAY_PORT/console/   (log in with the key in .data/dev/admin.key)
  Health, metrics  http://$GATEWAY_HOST:$GATEWAY_PORT/health   http://$GATEWAY_HOST:$GATEWAY_PORT/metrics
  Worker           http://$WORKER_HOST:$WORKER_PORT/health
  Provider sim     http://$PROVIDER_SIM_HOST:$PROVIDER_SIM_PORT/rates  (knobs: GET/PUT /_sim)
  RabbitMQ console $mgmt  (login $user / $pass)
  Admin API key    $(cat .data/dev/admin.key)  (in .data/dev/admin.key: KEY=\$(cat .data/dev/admin.key))
  Logs             $LOGS/  (enriched casino events: $LOGS/events.log)
Stop everything with: make down
EOT
    ;;
  down) stop worker; stop gateway; stop provider-sim ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
