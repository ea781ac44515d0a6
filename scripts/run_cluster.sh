#!/usr/bin/env bash
# The production profile on this machine (issue 18, docs/deploy.md): PostgreSQL (Rasa's tracker
# store and the shop store), Redis (the lock store shop.locking.AtomicRedisLockStore and the
# channels' duplicate message ids), RabbitMQ (Rasa's pika event broker), the embedded graph, one
# action server, the dashboard's broker consumer, $SHOP_INSTANCES `rasa run` instances (default 2) and HAProxy in front on
# 127.0.0.1:$CLUSTER_PORT (default 5005) — all from Debian's packages (scripts/install_system.sh
# --cluster), on loopback, with passwords generated once into var/cluster/secrets.env (mode 600)
# and handed over in files or the environment, never on a command line. Ctrl-C stops everything.
#
#   make run-cluster                      two instances
#   SHOP_INSTANCES=1 make run-cluster     one (the benchmark compares both: bench/load.py --profile production)
#
# Ports: PostgreSQL 5432, Redis 6379, RabbitMQ 5672 (the ports deploy/endpoints.production.yml
# names), rasa instances 5011…, action server 5055. `make run` and this cannot run at once.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
umask 077
INSTANCES="${SHOP_INSTANCES:-2}"
PORT="${CLUSTER_PORT:-5005}"
[[ "$INSTANCES" =~ ^[1-4]$ ]] || { echo "run_cluster: SHOP_INSTANCES must be 1-4" >&2; exit 2; }
bash scripts/setup.sh
bash scripts/install_system.sh --cluster
MODEL="$(bash scripts/train.sh config.yml | tail -n 1)"
source scripts/local_secrets.sh
source scripts/channel_secrets.sh

C="$PWD/var/cluster"
mkdir -p "$C/logs"
for port in 5432 6379 5672 25672 5055 "$PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "run_cluster: 127.0.0.1:$port is taken (make run, or another cluster?); stop it first" >&2; exit 1
  fi
done
if [ ! -s "$C/secrets.env" ]; then
  gen() { .venv/bin/python -c 'import secrets; print(secrets.token_hex(24))'; }
  { echo "PGPASSWORD=$(gen)"; echo "REDIS_PASSWORD=$(gen)"; echo "RABBITMQ_PASSWORD=$(gen)"; } > "$C/secrets.env"
fi
set -a; source "$C/secrets.env"; set +a

PIDS=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  # a Rasa instance mid-request may not stop on TERM: 30 s, then KILL
  for _ in $(seq 30); do
    alive=0; for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" -eq 0 ] && break; sleep 1
  done
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  [ -n "${RABBIT_ENV:-}" ] && env $RABBIT_ENV /usr/lib/rabbitmq/bin/rabbitmqctl -n "$RABBIT_NODE" stop >/dev/null 2>&1 || true
  [ -n "${PG_CTL:-}" ] && $AS_PG "$PG_CTL" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true
  .venv/bin/python -m shop.graph.server stop >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM

# --- PostgreSQL: its own data directory, password authentication, TCP on loopback only ---------------
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
PG_CTL="$PG_BIN/pg_ctl"
AS_PG=""
PGDATA="$C/pg"
if [ "$(id -u)" -eq 0 ]; then
  # PostgreSQL refuses to run as root: the postgres system user runs it, in a directory it owns
  # outside var/ (which only root may enter).
  AS_PG="runuser -u postgres --"
  PGDATA="/var/lib/shop-cluster/pg"
  mkdir -p /var/lib/shop-cluster && chown postgres:postgres /var/lib/shop-cluster && chmod 700 /var/lib/shop-cluster
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile="$(dirname "$PGDATA")/pgpass.init"
  printf '%s\n' "$PGPASSWORD" > "$pwfile"
  [ -n "$AS_PG" ] && chown postgres "$pwfile"
  $AS_PG "$PG_BIN/initdb" -D "$PGDATA" -U shop --pwfile="$pwfile" --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
    > "$C/logs/initdb.log" 2>&1
  rm -f "$pwfile"
fi
$AS_PG "$PG_CTL" -D "$PGDATA" -l "$(dirname "$PGDATA")/postgres.log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=5432 -c unix_socket_directories='' -c max_connections=200" start >/dev/null
export PGHOST=127.0.0.1 PGUSER=shop
for db in rasa shop; do
  "$PG_BIN/psql" -h 127.0.0.1 -U shop -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 \
    || "$PG_BIN/createdb" -h 127.0.0.1 -U shop "$db"
done

# --- Redis: loopback, a password, no persistence to disk (locks and message ids are short-lived) -----
cat > "$C/redis.conf" <<EOF
bind 127.0.0.1
port 6379
protected-mode yes
requirepass $REDIS_PASSWORD
save ""
appendonly no
dir $C
EOF
redis-server "$C/redis.conf" > "$C/logs/redis.log" 2>&1 &
PIDS+=($!)
export REDIS_HOST=127.0.0.1

# --- RabbitMQ: a node of its own under var/cluster/rabbitmq, user shop, the guest account removed -----
RABBIT_NODE="shop@localhost"
mkdir -p "$C/rabbitmq"
echo "[]." > "$C/rabbitmq/enabled_plugins"
echo "listeners.tcp.default = 127.0.0.1:5672" > "$C/rabbitmq/rabbitmq.conf"
RABBIT_ENV="HOME=$C/rabbitmq RABBITMQ_NODENAME=$RABBIT_NODE RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 ERL_EPMD_ADDRESS=127.0.0.1
  RABBITMQ_MNESIA_BASE=$C/rabbitmq/mnesia RABBITMQ_LOG_BASE=$C/logs RABBITMQ_CONFIG_FILE=$C/rabbitmq/rabbitmq
  RABBITMQ_ENABLED_PLUGINS_FILE=$C/rabbitmq/enabled_plugins RABBITMQ_PID_FILE=$C/rabbitmq/pid"
env $RABBIT_ENV /usr/lib/rabbitmq/bin/rabbitmq-server > "$C/logs/rabbitmq.out" 2>&1 &
PIDS+=($!)
env $RABBIT_ENV /usr/lib/rabbitmq/bin/rabbitmqctl -n "$RABBIT_NODE" wait --timeout 120 "$C/rabbitmq/pid" >/dev/null
if ! env $RABBIT_ENV /usr/lib/rabbitmq/bin/rabbitmqctl -n "$RABBIT_NODE" list_users -q | grep -q '^shop'; then
  # the password goes in on standard input, not as an argument
  printf '%s' "$RABBITMQ_PASSWORD" | env $RABBIT_ENV /usr/lib/rabbitmq/bin/rabbitmqctl -n "$RABBIT_NODE" add_user shop >/dev/null
  env $RABBIT_ENV /usr/lib/rabbitmq/bin/rabbitmqctl -n "$RABBIT_NODE" set_permissions -p / shop ".*" ".*" ".*" >/dev/null
  env $RABBIT_ENV /usr/lib/rabbitmq/bin/rabbitmqctl -n "$RABBIT_NODE" delete_user guest >/dev/null 2>&1 || true
fi
export RABBITMQ_HOST=127.0.0.1 RABBITMQ_USER=shop

# --- the shop's stores on PostgreSQL, the graph, the action server -------------------------------------
export SHOP_DB_URL="postgresql+psycopg2://shop:$PGPASSWORD@127.0.0.1:5432/shop"
export SHOP_TRACKER_DB_URL="postgresql+psycopg2://shop:$PGPASSWORD@127.0.0.1:5432/rasa"
export SHOP_CHANNELS_REDIS_URL="redis://:$REDIS_PASSWORD@127.0.0.1:6379/2"
export SHOP_ACTION_URL="http://127.0.0.1:5055/webhook"
.venv/bin/python -m shop.graph.server start
.venv/bin/python -m shop.graph.seed
.venv/bin/python -m shop.store.seed
.venv/bin/python -m shop.workbench.accounts demo var/workbench_agent01.password --reviewer var/workbench_reviewer02.password
SANIC_HOST=127.0.0.1 .venv/bin/python -m actions.server --actions actions -p 5055 > "$C/logs/actions.log" 2>&1 &
PIDS+=($!)
# the dashboard's aggregates, kept from Rasa's event broker (shop.metrics.consumer) in the shop database;
# the instances' dashboards read them instead of scanning the tracker store
export SHOP_METRICS_DB_URL="$SHOP_DB_URL"
.venv/bin/python -m shop.metrics.consumer --backfill > "$C/logs/metrics_consumer.log" 2>&1 &
PIDS+=($!)

# --- the Rasa instances and the balancer ----------------------------------------------------------------
for i in $(seq 1 "$INSTANCES"); do
  p=$((5010 + i))
  .venv/bin/python -m channels.server run --enable-api -i 127.0.0.1 -p "$p" \
    --endpoints deploy/endpoints.production.yml --credentials credentials.yml --model "$MODEL" \
    > "$C/logs/rasa$i.log" 2>&1 &
  PIDS+=($!)
  export "RASA${i}_ADDR=127.0.0.1:$p"
done
export SHOP_BIND="127.0.0.1:$PORT"
for i in $(seq 1 "$INSTANCES"); do
  until curl -sf "http://127.0.0.1:$((5010 + i))/" >/dev/null; do
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "run_cluster: a process exited; logs in $C/logs" >&2; exit 1; }; done
    sleep 2
  done
done
haproxy -W -db -f deploy/haproxy.cfg > "$C/logs/haproxy.log" 2>&1 &
PIDS+=($!)
cat <<MSG

电商智能客服, production profile: $INSTANCES Rasa instance(s) behind HAProxy on http://$SHOP_BIND
  PostgreSQL 127.0.0.1:5432 (rasa, shop), Redis 127.0.0.1:6379, RabbitMQ 127.0.0.1:5672 (queue rasa_events),
  action server 127.0.0.1:5055; passwords in var/cluster/secrets.env; logs in var/cluster/logs/.
    curl -s -X POST http://$SHOP_BIND/webhooks/rest/webhook -H 'Content-Type: application/json' \\
      -d '{"sender": "demo", "message": "你好"}'
MSG
wait -n "${PIDS[@]}"
echo "run_cluster: a process exited; stopping (logs in $C/logs)" >&2
