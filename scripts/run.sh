#!/usr/bin/env bash
# Sets everything up, trains when the data or config changed, starts the action
# server and Rasa's HTTP server (REST channel + token-protected API) on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
# Everything this run creates (databases, logs, the SMS outbox, secrets) is private to its owner.
umask 077
bash scripts/setup.sh

RASA_HOST="${RASA_HOST:-127.0.0.1}"
RASA_PORT="${RASA_PORT:-5005}"
ACTION_PORT=5055   # endpoints.yml points here

# Retrains only when config, domain, data or model code changed (see scripts/train.sh).
MODEL="$(bash scripts/train.sh config.yml | tail -n 1)"

# The HTTP API (--enable-api) must never run open: a token generated once, kept outside git
# and read by channels/server.py from the file (never on a command line, where ps shows it);
# the action server's shared secret likewise (SHOP_ACTION_TOKEN, endpoints.yml).
source scripts/local_secrets.sh
source scripts/channel_secrets.sh

# The stores the service layers read: the embedded graph (FalkorDB on loopback,
# password in var/graph/) with the catalog, and the order database with demo data.
# Both seeds are idempotent.
.venv/bin/python -m shop.graph.server start
.venv/bin/python -m shop.graph.seed
.venv/bin/python -m shop.store.seed
# The workbench's demo agent; its password is generated once into var/ (mode 600).
# agent01 and reviewer02 both review misunderstood messages (a label needs two reviewers).
.venv/bin/python -m shop.workbench.accounts demo var/workbench_agent01.password \
  --reviewer var/workbench_reviewer02.password

SANIC_HOST=127.0.0.1 .venv/bin/python -m actions.server --actions actions -p "$ACTION_PORT" \
  > var/action_server.log 2>&1 &
ACTION_PID=$!
trap 'kill $ACTION_PID 2>/dev/null || true; .venv/bin/python -m shop.graph.server stop' EXIT INT TERM

cat <<MSG

电商智能客服 is starting on http://$RASA_HOST:$RASA_PORT (action server on 127.0.0.1:$ACTION_PORT, log var/action_server.log)

  REST channel in DEMO MODE (credentials.yml, channels/rest.py): this machine only, no token.
    curl -s -X POST http://$RASA_HOST:$RASA_PORT/webhooks/rest/webhook \\
      -H 'Content-Type: application/json' -d '{"sender": "demo", "message": "你好"}'
  Or in a terminal:   make shell
  Sender "demo" is the seeded shopper 张伟 with an order in every state: try 我的订单发货了吗 / 快递到哪了 /
  帮我取消订单 / 收货地址写错了 / 我要退货 / 想换个尺码 / 退款到哪了 / 要开发票, and product questions such as
  宽松真丝衬衫多少钱 → 它怎么洗 → 有M码吗. Any other sender proves who they are before seeing an order:
  the phone number on file, then the one-time code texted to it. No SMS leaves this machine: codes are
  appended to var/sms_outbox.jsonl (tail -n 1 var/sms_outbox.jsonl). Not for production: README, "Production".
  Changes land in the order database: var/shop.db (SQLite; SHOP_DB_URL for PostgreSQL).
  HTTP API token (for /model/parse etc.):  var/rasa_api_token
    curl -s -X POST "http://$RASA_HOST:$RASA_PORT/model/parse?token=\$(cat var/rasa_api_token)" -d '{"text": "快递到哪了"}'
  Platform channels (secrets in var/channel_secrets.env or the environment; formats in channels/*.py):
    app           POST http://$RASA_HOST:$RASA_PORT/webhooks/app/webhook, SSE GET .../webhooks/app/stream/<sender>
                  (Authorization: Bearer \$SHOP_APP_TOKEN)
    mini-program  http://$RASA_HOST:$RASA_PORT/webhooks/miniprogram/webhook (WeChat Token \$SHOP_MINIPROGRAM_TOKEN;
                  safe mode: EncodingAESKey \$SHOP_MINIPROGRAM_AES_KEY, app id \$SHOP_MINIPROGRAM_APP_ID)
    social        http://$RASA_HOST:$RASA_PORT/webhooks/social/webhook (X-Hub-Signature-256 under \$SHOP_SOCIAL_APP_SECRET)

  Agents' workbench:  http://$RASA_HOST:$RASA_PORT/webhooks/workbench/
    sign in as agent01, password: $(cat var/workbench_agent01.password)   (more agents: python -m shop.workbench.accounts add NAME)
    Say 转人工 on any channel (or miss twice, or complain angrily) and the conversation appears in the queue.
  Live dashboard:     http://$RASA_HOST:$RASA_PORT/webhooks/dashboard/   (JSON: /webhooks/dashboard/api/metrics)
  Message review:     http://$RASA_HOST:$RASA_PORT/webhooks/workbench/review   (agent01, or reviewer02 with the
    password in var/workbench_reviewer02.password). make review-collect gathers what the bot misunderstood;
    make retrain turns confirmed labels into training data, trains, gates and loads the new model here;
    make rollback goes back.

MSG
# Rasa as `rasa run` starts it, with the token read from var/rasa_api_token inside the process,
# the HTTP API guard and NLU off the event loop (channels/server.py).
.venv/bin/python -m channels.server run --enable-api -i "$RASA_HOST" -p "$RASA_PORT" \
  --endpoints endpoints.yml --credentials credentials.yml --model "$MODEL"
