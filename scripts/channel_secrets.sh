# Sourced by run.sh: the channels' secrets, in the variables credentials.yml names.
# Values already in the environment win (production sets them); the others are
# generated once into var/channel_secrets.env (mode 600, outside git), so a
# restart keeps the values platforms were configured with. A name missing from an
# older file is added to it.
# Hex, 32 characters: WeChat accepts only letters and digits, at most 32, as Token.
# The mini-program's EncodingAESKey (43 letters and digits) and app id make safe mode,
# the default message mode, work out of the box.
channel_secrets=var/channel_secrets.env
(umask 077 && touch "$channel_secrets" && .venv/bin/python - "$channel_secrets" <<'PY'
import secrets, string, sys
path = sys.argv[1]
have = {line.split("=", 1)[0] for line in open(path, encoding="utf-8") if "=" in line}
alnum = string.ascii_letters + string.digits
wanted = {
    "SHOP_APP_TOKEN": lambda: secrets.token_hex(16),
    "SHOP_MINIPROGRAM_TOKEN": lambda: secrets.token_hex(16),
    "SHOP_MINIPROGRAM_AES_KEY": lambda: "".join(secrets.choice(alnum) for _ in range(43)),
    "SHOP_MINIPROGRAM_APP_ID": lambda: "wx" + secrets.token_hex(8),
    "SHOP_SOCIAL_APP_SECRET": lambda: secrets.token_hex(16),
    "SHOP_SOCIAL_VERIFY_TOKEN": lambda: secrets.token_hex(16),
}
with open(path, "a", encoding="utf-8") as f:
    for name, make in wanted.items():
        if name not in have:
            f.write(f"{name}={make()}\n")
PY
)
while IFS='=' read -r name value; do
  if [ -n "$name" ] && [ -z "${!name:-}" ]; then export "$name=$value"; fi
done < "$channel_secrets"
