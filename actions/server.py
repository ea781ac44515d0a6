"""The action server as ``rasa run actions`` starts it, refusing every call without the shared secret.

    python -m actions.server --actions actions -p 5055      (any rasa_sdk option)

The secret is ``$SHOP_ACTION_TOKEN``, else the file ``$SHOP_ACTION_TOKEN_FILE`` (default
var/action_token). Rasa sends it as the action endpoint's ``token`` (endpoints.yml:
``token: "${SHOP_ACTION_TOKEN}"``, which Rasa puts in the query string); ``/webhook``
and ``/actions`` answer 401 without it, so no other local process can hand the server a
made-up tracker and be told a shopper's orders. Without a secret the server does not
start. Files it creates are private (umask 077).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

from shop.inputs import same_secret

ROOT = Path(__file__).resolve().parents[1]
TOKEN_ENV, TOKEN_FILE_ENV = "SHOP_ACTION_TOKEN", "SHOP_ACTION_TOKEN_FILE"
DEFAULT_TOKEN_FILE = ROOT / "var" / "action_token"
OPEN_PATHS = ("/health",)


def action_token(env=os.environ) -> Optional[str]:
    token = (env.get(TOKEN_ENV) or "").strip()
    if token:
        return token
    path = Path(env.get(TOKEN_FILE_ENV) or DEFAULT_TOKEN_FILE)
    return path.read_text(encoding="utf-8").strip() or None if path.exists() else None


def require_token(app, token: str) -> None:
    """Adds the check to a rasa_sdk Sanic app: every route but /health needs ``?token=<token>``."""
    from sanic import response

    async def check(request):
        if request.path in OPEN_PATHS:
            return None
        given = request.args.get("token")
        if not same_secret(given, token):
            return response.json({"error": "the action server needs Rasa's action endpoint token"}, status=401)
        return None

    app.register_middleware(check, "request")


def main(argv: Optional[list] = None) -> int:
    token = action_token()
    if not token:
        print(f"actions.server: no secret: set ${TOKEN_ENV} or write it to {DEFAULT_TOKEN_FILE}", file=sys.stderr)
        return 2
    os.umask(0o077)
    import rasa_sdk.endpoint
    from rasa_sdk.__main__ import main_from_args

    create_app = rasa_sdk.endpoint.create_app

    def guarded_app(*args, **kwargs):
        app = create_app(*args, **kwargs)
        require_token(app, token)
        return app

    rasa_sdk.endpoint.create_app = guarded_app  # rasa_sdk.endpoint.run builds its app through this name
    args = rasa_sdk.endpoint.create_argument_parser().parse_args(sys.argv[1:] if argv is None else argv)
    main_from_args(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
