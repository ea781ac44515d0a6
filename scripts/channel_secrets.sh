# Sourced by run.sh: the channels' secrets, in the variables credentials.yml names.
# Values already in the environment win (production sets them); the others are
# generated once into var/channel_secrets.env (mode 600, outside git), so a
# restart keeps the values platforms were configured with.
# Hex, 32 characters: WeChat accepts only letters and digits, at most 32, as Token.
channel_secrets=var/channel_secrets.env
if [ ! -s "$channel_secrets" ]; then
  (umask 077 && .venv/bin/python -c '
import secrets
for name in ("SHOP_APP_TOKEN", "SHOP_MINIPROGRAM_TOKEN", "SHOP_SOCIAL_APP_SECRET", "SHOP_SOCIAL_VERIFY_TOKEN"):
    print(f"{name}={secrets.token_hex(16)}")' > "$channel_secrets")
fi
while IFS='=' read -r name value; do
  if [ -n "$name" ] && [ -z "${!name:-}" ]; then export "$name=$value"; fi
done < "$channel_secrets"
