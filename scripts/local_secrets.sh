# Sourced by run.sh, test.sh and the Makefile: the secrets between this machine's own
# processes, generated once into var/ (mode 600, outside git) and never put on a
# command line (every local user can read those with ps).
#   var/rasa_api_token  Rasa's HTTP API token (channels/server.py reads the file itself)
#   var/action_token    the action server's shared secret, exported as SHOP_ACTION_TOKEN
#                       for endpoints.yml (action_endpoint.token) and actions/server.py
mkdir -p var
(umask 077
 for f in var/rasa_api_token var/action_token; do
   [ -s "$f" ] || .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))' > "$f"
   chmod 600 "$f"
 done)
if [ -z "${SHOP_ACTION_TOKEN:-}" ]; then export SHOP_ACTION_TOKEN="$(cat var/action_token)"; fi
