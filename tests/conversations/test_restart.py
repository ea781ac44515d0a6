"""A conversation survives a restart: the SQL tracker store make run configures (endpoints.yml)."""
from __future__ import annotations

import os

import yaml

from tests.conversations.conftest import ROOT


def test_the_product_in_focus_survives_a_restart(model_path, action_server, loop, tmp_path):
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.endpoints import EndpointConfig

    shipped = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))["tracker_store"]
    assert shipped["type"] == "SQL" and shipped["dialect"] == "sqlite"
    # The shipped settings, with the database file moved into the test's directory.
    store = EndpointConfig(**{**shipped, "db": str(tmp_path / "tracker.db")})

    def start():
        return loop.run_until_complete(load_agent(
            model_path=str(model_path),
            endpoints=AvailableEndpoints(action=EndpointConfig(action_server, token=os.environ["SHOP_ACTION_TOKEN"]),
                                         tracker_store=store)))

    def say(agent, text):
        replies = loop.run_until_complete(agent.handle_text(text, sender_id="restart-1"))
        return "\n".join(r.get("text", "") for r in replies or [])

    first = start()
    assert "¥549" in say(first, "宽松真丝衬衫多少钱")
    del first  # the server goes away; only the database remains
    second = start()
    answer = say(second, "它怎么洗")
    assert "宽松真丝衬衫" in answer and "手洗" in answer
