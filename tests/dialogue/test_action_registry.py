"""The action server starts: rasa_sdk registers the actions package, and every custom action the
domain names is there (the live tests would only find out when the server fails to start)."""
from pathlib import Path

import yaml
from rasa_sdk.executor import ActionExecutor

ROOT = Path(__file__).resolve().parents[2]


def test_every_domain_action_is_registered():
    executor = ActionExecutor()
    executor.register_package("actions")
    domain_actions = set()
    for path in (ROOT / "domain").glob("*.yml"):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        domain_actions |= {a for a in doc.get("actions") or [] if a.startswith(("action_", "validate_"))}
    assert domain_actions <= set(executor.actions), domain_actions - set(executor.actions)
