import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
# Tests never reach a model hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# endpoints.yml names the action server's shared secret; every test that reads the file or
# starts an action server uses this one (scripts/test.sh exports var/action_token instead).
os.environ.setdefault("SHOP_ACTION_TOKEN", "test-" + secrets.token_urlsafe(16))
