#!/usr/bin/env bash
# Local stack without Docker: RabbitMQ (with management), PostgreSQL and Redis from Debian's
# packages, run as real servers with all their data under .data/<profile>/ of this repo.
#
#   scripts/stack.sh install                 install missing Debian packages (root only)
#   scripts/stack.sh up   <profile>          start the servers that are not running yet
#   scripts/stack.sh down <profile>          stop the servers this script started
#   scripts/stack.sh env  <profile>          print the settings the apps need, as KEY=value lines
#   scripts/stack.sh rabbit-stop|rabbit-start|pg-stop|pg-start|redis-stop|redis-start <profile>   (fault tests)
#   scripts/stack.sh rabbit-node-stop|rabbit-node-start <profile> <n>   one node of a cluster
#
# RABBITMQ_NODES=3 makes RabbitMQ a cluster of three nodes on this machine (joined with
# rabbitmqctl join_cluster); `env` then prints AMQP_URLS with every node.
#
# Ports come from the environment (see .env.example); the "test", "bench", "cluster" and "chaos"
# profiles have their own defaults so `make test` can run next to `make up`.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cmd=${1:-}
profile=${2:-dev}

if [ "$profile" = test ]; then
  : "${PG_PORT:=55432}" "${RABBITMQ_PORT:=55672}" "${RABBITMQ_MANAGEMENT_PORT:=55673}"
  : "${RABBITMQ_DIST_PORT:=55674}" "${REDIS_PORT:=56379}" "${PG_REPLICA_PORT:=55433}"
elif [ "$profile" = cluster ]; then
  # Below Linux's ephemeral range (32768..) and clear of rabbitmqctl's own ports (35672..35682),
  # so no client socket of this machine can hold a port a node is about to bind.
  : "${PG_PORT:=31432}" "${RABBITMQ_PORT:=31672}" "${RABBITMQ_MANAGEMENT_PORT:=31673}"
  : "${RABBITMQ_DIST_PORT:=31674}" "${REDIS_PORT:=31379}" "${PG_REPLICA_PORT:=31433}"
elif [ "$profile" = chaos ]; then
  : "${PG_PORT:=30432}" "${RABBITMQ_PORT:=30672}" "${RABBITMQ_MANAGEMENT_PORT:=30673}"
  : "${RABBITMQ_DIST_PORT:=30674}" "${REDIS_PORT:=30379}" "${PG_REPLICA_PORT:=30433}"
elif [ "$profile" = bench ]; then
  : "${PG_PORT:=45432}" "${RABBITMQ_PORT:=45672}" "${RABBITMQ_MANAGEMENT_PORT:=45673}"
  : "${RABBITMQ_DIST_PORT:=45674}" "${REDIS_PORT:=46379}" "${PG_REPLICA_PORT:=45433}"
else
  : "${PG_PORT:=5432}" "${RABBITMQ_PORT:=5672}" "${RABBITMQ_MANAGEMENT_PORT:=15672}"
  : "${RABBITMQ_DIST_PORT:=25672}" "${REDIS_PORT:=6379}" "${PG_REPLICA_PORT:=5433}"
fi
# Local-development credentials only; production passes real URLs to the apps instead.
: "${PG_USER:=conveyor}" "${PG_PASSWORD:=conveyor}" "${PG_DATABASE:=conveyor}"
: "${RABBITMQ_USER:=conveyor}" "${RABBITMQ_PASSWORD:=conveyor}"
# Each app has a broker user of its own with only what it needs; `conveyor` is the operators'.
: "${RABBITMQ_GATEWAY_PASSWORD:=conveyor-gateway}" "${RABBITMQ_WORKER_PASSWORD:=conveyor-worker}"

DATA="$ROOT/.data/$profile"

# The newest installed PostgreSQL's programs (empty when none is installed yet).
find_postgres() {
  PG_BIN=""
  for v in 17 16 15 14 13; do
    if [ -x "/usr/lib/postgresql/$v/bin/pg_ctl" ]; then PG_BIN="/usr/lib/postgresql/$v/bin"; return; fi
  done
}
find_postgres

log() { printf '[stack:%s] %s\n' "$profile" "$*"; }
die() { printf '[stack:%s] error: %s\n' "$profile" "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() { # port seconds what
  local deadline=$((SECONDS + $2))
  until port_open "$1"; do
    [ $SECONDS -lt $deadline ] || die "$3 did not open port $1 within $2 s (see $DATA/logs)"
    sleep 0.2
  done
}

install() {
  local missing=()
  [ -n "$PG_BIN" ] || missing+=(postgresql)
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
  command -v redis-server >/dev/null || missing+=(redis-server)
  # The README examples are run with curl by `make test` (test/readme.int-spec.ts).
  command -v curl >/dev/null || missing+=(curl)
  # protoc encodes the casino events of the interop test (a protobuf encoder we did not write).
  command -v protoc >/dev/null || missing+=(protobuf-compiler)
  # The browser tests drive Debian's chromium with puppeteer-core (Swagger UI's Authorize button).
  command -v chromium >/dev/null || missing+=(chromium)
  [ ${#missing[@]} -gt 0 ] || return 0
  [ "$(id -u)" = 0 ] || die "missing packages: ${missing[*]} (install them with apt-get as root)"
  log "installing ${missing[*]}"
  # Keep the distribution's own service instances from starting on the default ports.
  local policy_added=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy_added=1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  [ $policy_added = 0 ] || rm -f /usr/sbin/policy-rc.d
  find_postgres
}

# Stops the server whose pid is the first line of a pid file (PostgreSQL's postmaster.pid too),
# with `signal` (PostgreSQL's fast shutdown is INT), then waits for its port to close.
stop_server() { # pid-file what port [signal]
  local file=$1 what=$2 port=$3 signal=${4:-TERM} pid=""
  [ -s "$file" ] && pid=$(head -n 1 "$file")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill "-$signal" "$pid"
  local deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  # A child (RabbitMQ's node under its launcher) may hold the port a moment longer.
  deadline=$((SECONDS + 30))
  while port_open "$port" && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  log "$what stopped"
}

# --- PostgreSQL ---------------------------------------------------------------------------
as_pg() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }

# As root, PostgreSQL runs as the postgres user, which must be able to reach the data folder:
# a clone under a private directory (mode 700, as mktemp makes) would lock it out.
pg_reachable() {
  [ "$(id -u)" = 0 ] || return 0
  local dir="$1"
  while [ "$dir" != / ]; do
    if ! runuser -u postgres -- test -x "$dir" 2>/dev/null; then
      if command -v setfacl >/dev/null; then setfacl -m u:postgres:x "$dir"; else chmod o+x "$dir"; fi
      log "allowed the postgres user to traverse $dir"
    fi
    dir=$(dirname "$dir")
  done
}

pg_run() { # data-dir port port-setting log-name what: starts the cluster unless it runs
  local dir=$1 port=$2 setting=$3 logfile="$DATA/logs/$4.log" what=$5
  if as_pg "$PG_BIN/pg_ctl" -D "$dir" status >/dev/null 2>&1; then log "$what already running on $port"; return 0; fi
  port_open "$port" && die "port $port is taken by another process; set $setting to a free port"
  touch "$logfile"
  [ "$(id -u)" != 0 ] || chown postgres:postgres "$logfile"
  as_pg "$PG_BIN/pg_ctl" -D "$dir" -l "$logfile" -w -t 60 -o "-p $port" start >/dev/null
  log "$what started on $port"
}

pg_start() {
  [ -n "$PG_BIN" ] || die "PostgreSQL is not installed (run: scripts/stack.sh install)"
  local dir="$DATA/postgres"
  mkdir -p "$DATA/logs" "$DATA/run"
  pg_reachable "$DATA"
  if [ ! -s "$dir/PG_VERSION" ]; then
    log "initialising PostgreSQL in $dir"
    mkdir -p "$dir"
    [ "$(id -u)" != 0 ] || chown postgres:postgres "$dir" "$DATA/run"
    as_pg "$PG_BIN/initdb" -D "$dir" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >"$DATA/logs/initdb.log"
    cat >>"$dir/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$DATA/run'
max_connections = 200
shared_buffers = 256MB
fsync = on
# The data lives in memory or on SSD: with the default 4, batch updates joined to their ids were
# planned as scans of the whole tasks table.
random_page_cost = 1.1
EOF
    local fresh=1
  fi
  [ "$(id -u)" != 0 ] || chown postgres:postgres "$DATA/run"
  pg_run "$dir" "$PG_PORT" PG_PORT postgres PostgreSQL
  if [ "${fresh:-0}" = 1 ]; then
    # The app role may pause and resume replay on the replica: the tests prove reads go there.
    as_pg "$PG_BIN/psql" -h "$DATA/run" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -q <<EOF >/dev/null
CREATE ROLE "$PG_USER" LOGIN PASSWORD '$PG_PASSWORD';
CREATE DATABASE "$PG_DATABASE" OWNER "$PG_USER";
EOF
    as_pg "$PG_BIN/psql" -h "$DATA/run" -p "$PG_PORT" -U postgres -d "$PG_DATABASE" -v ON_ERROR_STOP=1 -q <<EOF >/dev/null
GRANT EXECUTE ON FUNCTION pg_wal_replay_pause() TO "$PG_USER";
GRANT EXECUTE ON FUNCTION pg_wal_replay_resume() TO "$PG_USER";
EOF
  fi
}

# A hot-standby streaming replica of the primary, for the gateway's reads (DATABASE_READ_URL).
replica_start() {
  local dir="$DATA/postgres-replica"
  if [ ! -s "$dir/PG_VERSION" ]; then
    log "cloning the primary into a streaming replica in $dir"
    mkdir -p "$dir"
    [ "$(id -u)" != 0 ] || chown postgres:postgres "$dir"
    chmod 700 "$dir"
    # A replication slot keeps the primary's WAL until the replica has it: without one, a replica
    # started after a burst of writes found its next segment removed and never caught up. The slot
    # of an earlier clone (its directory deleted) goes first.
    as_pg "$PG_BIN/psql" -h "$DATA/run" -p "$PG_PORT" -U postgres -q -v ON_ERROR_STOP=1 -c \
      "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'conveyor_replica'" \
      >/dev/null || die "could not drop the old replication slot"
    # Over the primary's socket, where initdb's defaults trust local replication connections.
    # A fast checkpoint: the default spread one took 93 s of every fresh stack's start.
    as_pg "$PG_BIN/pg_basebackup" -h "$DATA/run" -p "$PG_PORT" -U postgres -D "$dir" -R -X stream \
      -C -S conveyor_replica --checkpoint=fast \
      >"$DATA/logs/basebackup.log" 2>&1 || die "pg_basebackup failed (see $DATA/logs/basebackup.log)"
    # Later lines win: the copy of the primary's settings gets the replica's own port.
    printf 'port = %s\nhot_standby = on\n' "$PG_REPLICA_PORT" | as_pg tee -a "$dir/postgresql.conf" >/dev/null
  fi
  pg_run "$dir" "$PG_REPLICA_PORT" PG_REPLICA_PORT postgres-replica "PostgreSQL read replica"
}

replica_stop() { stop_server "$DATA/postgres-replica/postmaster.pid" "PostgreSQL read replica" "$PG_REPLICA_PORT" INT; }
pg_stop() { stop_server "$DATA/postgres/postmaster.pid" PostgreSQL "$PG_PORT" INT; }

# --- RabbitMQ -----------------------------------------------------------------------------
# Node 1 has the single node's name, ports and folders; node n adds 10·(n−1) to each port and has
# folders of its own. All nodes share one Erlang cookie, which the CLI reads from the same HOME.
: "${RABBITMQ_NODES:=1}"
[[ "$RABBITMQ_NODES" =~ ^[1-9]$ ]] || die "RABBITMQ_NODES must be 1..9"
AMQP_BASE=$RABBITMQ_PORT MANAGEMENT_BASE=$RABBITMQ_MANAGEMENT_PORT DIST_BASE=$RABBITMQ_DIST_PORT

node_port() { echo $(($1 + 10 * ($2 - 1))); } # base-port node
node_name() { if [ "$1" = 1 ]; then echo "conveyor-$profile@localhost"; else echo "conveyor-$profile-$1@localhost"; fi; }
node_suffix() { if [ "$1" != 1 ]; then echo "-$1"; fi; }
# The CLI is an Erlang VM too: a crash of it dumps into the logs, not into the caller's folder.
rabbitmqctl() { HOME="$DATA/rabbitmq" ERL_CRASH_DUMP="$DATA/logs/rabbitmqctl_crash.dump" /usr/lib/rabbitmq/bin/rabbitmqctl "$@"; }

rabbit_env() { # node
  local s
  s=$(node_suffix "$1")
  export HOME="$DATA/rabbitmq" # the Erlang cookie lives here, not in the caller's home
  export RABBITMQ_MNESIA_BASE="$DATA/rabbitmq$s/mnesia"
  export RABBITMQ_LOG_BASE="$DATA/logs/rabbitmq$s"
  RABBITMQ_NODENAME=$(node_name "$1") RABBITMQ_NODE_PORT=$(node_port "$AMQP_BASE" "$1")
  RABBITMQ_DIST_PORT=$(node_port "$DIST_BASE" "$1")
  export RABBITMQ_NODENAME RABBITMQ_NODE_PORT RABBITMQ_DIST_PORT
  export RABBITMQ_ENABLED_PLUGINS_FILE="$DATA/rabbitmq$s/enabled_plugins"
  export RABBITMQ_CONFIG_FILE="$DATA/rabbitmq$s/rabbitmq"
  export RABBITMQ_PID_FILE="$DATA/run/rabbitmq$s.pid"
  export ERL_CRASH_DUMP="$DATA/logs/rabbitmq$s/erl_crash.dump" # not in the caller's folder
}

# One cookie for every node, written before any of them boots (each would make its own).
rabbit_cookie() {
  local cookie="$DATA/rabbitmq/.erlang.cookie"
  mkdir -p "$DATA/rabbitmq"
  [ -s "$cookie" ] && return 0
  head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$cookie"
  chmod 400 "$cookie"
}

# The lines of a node's output that say why it stopped, for the caller's terminal.
rabbit_exit_reason() { # out-file
  local why
  why=$(grep -E 'Kernel pid terminated|BOOT FAILED|eaddrinuse|[Ee]rror' "$1" | sort -u | tail -n 3 || true)
  [ -n "$why" ] || why=$(grep -v '^\s*$' "$1" | tail -n 5)
  printf '%s\n' "$why" | cut -c1-400 | sed 's/^/  | /'
}

rabbit_start_node() { # node
  local n=$1 s port management
  s=$(node_suffix "$n") port=$(node_port "$AMQP_BASE" "$n") management=$(node_port "$MANAGEMENT_BASE" "$n")
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || die "RabbitMQ is not installed (run: scripts/stack.sh install)"
  mkdir -p "$DATA/rabbitmq$s/mnesia" "$DATA/logs/rabbitmq$s" "$DATA/run"
  if port_open "$port"; then log "RabbitMQ $(node_name "$n") already running on $port"; return 0; fi
  rabbit_env "$n"
  echo '[rabbitmq_management].' >"$RABBITMQ_ENABLED_PLUGINS_FILE"
  # default_user only takes effect when the node boots for the first time. Nodes of a cluster
  # share this machine's memory: each gets a smaller share before it blocks publishers.
  cat >"$RABBITMQ_CONFIG_FILE.conf" <<EOF
listeners.tcp.default = 127.0.0.1:$port
management.tcp.ip = 127.0.0.1
management.tcp.port = $management
default_user = $RABBITMQ_USER
default_pass = $RABBITMQ_PASSWORD
default_user_tags.administrator = true
loopback_users = none
vm_memory_high_watermark.relative = $([ "$RABBITMQ_NODES" = 1 ] && echo 0.6 || echo 0.2)
disk_free_limit.absolute = 200MB
collect_statistics_interval = 1000
EOF
  # The test and bench ports lie in Linux's ephemeral range: a client socket of this machine may
  # hold one for a moment, and the node then exits with eaddrinuse; a node stopped a moment ago
  # may still hold its distribution port. A node that exits while booting is started again, up
  # to three times, and the lines that say why are shown each time.
  local attempt out="$DATA/logs/rabbitmq$s.out"
  for attempt in 1 2 3; do
    nohup setsid /usr/lib/rabbitmq/bin/rabbitmq-server >"$out" 2>&1 </dev/null &
    local launcher=$!
    echo $launcher >"$DATA/run/rabbitmq$s.launcher.pid"
    local deadline=$((SECONDS + 90))
    until port_open "$port"; do
      kill -0 "$launcher" 2>/dev/null || break
      [ $SECONDS -lt $deadline ] || die "RabbitMQ did not open port $port within 90 s (see $DATA/logs)"
      sleep 0.2
    done
    port_open "$port" && break
    cp "$out" "$out.attempt-$attempt"
    log "RabbitMQ $(node_name "$n") exited while booting (attempt $attempt of 3); its last words:"
    rabbit_exit_reason "$out" >&2
    [ "$attempt" -lt 3 ] || die "RabbitMQ $(node_name "$n") exited at start three times (see $out.attempt-*)"
    sleep 2
  done
  wait_port "$management" 60 "RabbitMQ management"
  log "RabbitMQ $(node_name "$n") started on $port (console $management)"
}

# Nodes 2.. join node 1 once; a node that was a member rejoins by itself when it boots again.
rabbit_cluster() {
  local first n name
  first=$(node_name 1)
  for n in $(seq 2 "$RABBITMQ_NODES"); do
    name=$(node_name "$n")
    if rabbitmqctl -n "$first" cluster_status --formatter json | grep -q "\"$name\""; then continue; fi
    local step
    for step in stop_app reset "join_cluster $first" start_app; do
      # shellcheck disable=SC2086 # the step's words are its arguments
      rabbitmqctl -n "$name" $step >>"$DATA/logs/rabbitmq-cluster.log" 2>&1 ||
        die "rabbitmqctl $step on $name failed (see $DATA/logs/rabbitmq-cluster.log)"
    done
    log "RabbitMQ $name joined $first"
  done
}

rabbit_start() {
  rabbit_cookie
  local n pids=()
  for n in $(seq 1 "$RABBITMQ_NODES"); do
    rabbit_start_node "$n" &
    pids+=($!)
  done
  for n in "${pids[@]}"; do wait "$n"; done
  [ "$RABBITMQ_NODES" = 1 ] || rabbit_cluster
}

# The apps' users and their permission patterns (configure, write, read), applied on every `up`.
# The gateway declares the topology and owns everything named conveyor.*. A worker consumes the
# work and event queues and its own control queue, and publishes to conveyor.status and
# conveyor.dlx only: not to conveyor.work or conveyor.tasks, not through the default exchange, and it can delete
# no queue but its own exclusive one.
GATEWAY_PERMISSIONS='{"configure":"^conveyor\\..*","write":"^conveyor\\..*","read":"^conveyor\\..*"}'
WORKER_PERMISSIONS='{"configure":"^conveyor\\.control\\..+$","write":"^(conveyor\\.status|conveyor\\.dlx|conveyor\\.control\\..+)$","read":"^(conveyor\\.tasks\\.(high|normal)\\.(cpu|io)|conveyor\\.events\\.enrich|conveyor\\.control|conveyor\\.control\\..+)$"}'

rabbit_users() {
  local api="http://127.0.0.1:$RABBITMQ_MANAGEMENT_PORT/api"
  put() { curl -fsS -o /dev/null -u "$RABBITMQ_USER:$RABBITMQ_PASSWORD" -X PUT -H 'content-type: application/json' "$api/$1" -d "$2"; }
  # management: the HTTP API shows the gateway the queues it may use (the console's figures), no more.
  put users/conveyor-gateway "{\"password\":\"$RABBITMQ_GATEWAY_PASSWORD\",\"tags\":\"management\"}"
  put permissions/%2F/conveyor-gateway "$GATEWAY_PERMISSIONS"
  put users/conveyor-worker "{\"password\":\"$RABBITMQ_WORKER_PASSWORD\",\"tags\":\"\"}"
  put permissions/%2F/conveyor-worker "$WORKER_PERMISSIONS"
}

rabbit_stop_node() { # node
  # The node's own pid file, or the launcher's while the node has not written it yet.
  local s
  s=$(node_suffix "$1")
  local pidfile="$DATA/run/rabbitmq$s.pid" launcher="$DATA/run/rabbitmq$s.launcher.pid"
  [ -s "$pidfile" ] || [ -s "$launcher" ] || return 0
  stop_server "$([ -s "$pidfile" ] && echo "$pidfile" || echo "$launcher")" "RabbitMQ $(node_name "$1")" \
    "$(node_port "$AMQP_BASE" "$1")"
  rm -f "$pidfile" "$launcher"
}

# Every node that runs, however many RABBITMQ_NODES says now.
rabbit_stop() {
  local n
  for n in $(seq 9 -1 1); do rabbit_stop_node "$n"; done
}

# --- Redis --------------------------------------------------------------------------------
redis_start() {
  command -v redis-server >/dev/null || die "Redis is not installed (run: scripts/stack.sh install)"
  mkdir -p "$DATA/redis" "$DATA/logs" "$DATA/run"
  if port_open "$REDIS_PORT"; then log "Redis already running on $REDIS_PORT"; return 0; fi
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$DATA/redis" --daemonize yes \
    --pidfile "$DATA/run/redis.pid" --logfile "$DATA/logs/redis.log" --appendonly yes \
    --protected-mode no >/dev/null
  wait_port "$REDIS_PORT" 20 Redis
  log "Redis started on $REDIS_PORT"
}

redis_stop() { stop_server "$DATA/run/redis.pid" Redis "$REDIS_PORT"; }

# user password → the URLs of every node, comma-separated.
node_urls() {
  local n urls=()
  for n in $(seq 1 "$RABBITMQ_NODES"); do urls+=("amqp://$1:$2@127.0.0.1:$(node_port "$AMQP_BASE" "$n")/%2F"); done
  (IFS=,; echo "${urls[*]}")
}

print_env() {
  if [ "$RABBITMQ_NODES" != 1 ]; then
    cat <<EOF
AMQP_URLS=$(node_urls "$RABBITMQ_USER" "$RABBITMQ_PASSWORD")
GATEWAY_AMQP_URLS=$(node_urls conveyor-gateway "$RABBITMQ_GATEWAY_PASSWORD")
WORKER_AMQP_URLS=$(node_urls conveyor-worker "$RABBITMQ_WORKER_PASSWORD")
RABBITMQ_MANAGEMENT_URLS=$(for n in $(seq 1 "$RABBITMQ_NODES"); do printf '%shttp://127.0.0.1:%s/' "$([ "$n" = 1 ] || echo ,)" "$(node_port "$MANAGEMENT_BASE" "$n")"; done)
EOF
  fi
  cat <<EOF
DATABASE_URL=postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DATABASE
DATABASE_READ_URL=postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_REPLICA_PORT/$PG_DATABASE
AMQP_URL=amqp://$RABBITMQ_USER:$RABBITMQ_PASSWORD@127.0.0.1:$RABBITMQ_PORT/%2F
GATEWAY_AMQP_URL=amqp://conveyor-gateway:$RABBITMQ_GATEWAY_PASSWORD@127.0.0.1:$RABBITMQ_PORT/%2F
WORKER_AMQP_URL=amqp://conveyor-worker:$RABBITMQ_WORKER_PASSWORD@127.0.0.1:$RABBITMQ_PORT/%2F
REDIS_URL=redis://127.0.0.1:$REDIS_PORT
RABBITMQ_MANAGEMENT_URL=http://127.0.0.1:$RABBITMQ_MANAGEMENT_PORT/
RABBITMQ_USER=$RABBITMQ_USER
RABBITMQ_PASSWORD=$RABBITMQ_PASSWORD
EOF
}

case "$cmd" in
  install) install ;;
  up)
    install
    # Independent servers boot in parallel; RabbitMQ is the slow one.
    rabbit_start & rpid=$!
    pg_start
    replica_start
    redis_start
    wait $rpid
    rabbit_users
    ;;
  down) rabbit_stop; redis_stop; replica_stop; pg_stop ;;
  env) print_env ;;
  rabbit-stop) rabbit_stop ;;
  rabbit-start) rabbit_start; rabbit_users ;;
  rabbit-node-stop) rabbit_stop_node "${3:?which node}" ;;
  rabbit-node-start) rabbit_cookie; rabbit_start_node "${3:?which node}" ;;
  pg-stop) pg_stop ;;
  pg-start) pg_start ;;
  redis-stop) redis_stop ;;
  redis-start) redis_start ;;
  *) die "usage: $0 install|up|down|env|rabbit-stop|rabbit-start|rabbit-node-stop|rabbit-node-start|pg-stop|pg-start|redis-stop|redis-start [profile] [node]" ;;
esac
