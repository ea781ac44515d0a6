"""Coreference, live: 它/这个/那件/第二个 resolve to the right product (tests/coreference.yml)."""
from __future__ import annotations

from pathlib import Path

import re

import pytest
import yaml

from shop.catalog import load_catalog

SOURCE = Path(__file__).resolve().parents[1] / "coreference.yml"
CONVERSATIONS = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))["conversations"]
IDS = {p["name"]: p["id"] for p in load_catalog().products}
NAMES = {v: k for k, v in IDS.items()}
MARKUP = re.compile(r"\[([^\]]+)\]\([^)]+\)")  # [黑色](color) → 黑色


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[c["name"] for c in CONVERSATIONS])
def test_coreference(talk, conversation):
    c = talk(None)
    for turn in conversation["turns"]:
        before = c.slot("listed_products") or []
        answer = c.expect(MARKUP.sub(r"\1", turn["user"]), *turn.get("expect", []))
        want = turn.get("product")
        if want is None:
            continue
        if str(want).startswith("#"):
            # "#n": the n-th item of the list this turn recommended, or of the list shown before it.
            shown = c.slot("listed_products") if turn["action"] == "action_recommend" else before
            want_id = shown[int(want[1:]) - 1]
        else:
            want_id = IDS[want]
        assert c.slot("product_in_focus") == want_id, "\n".join(c.transcript)
        assert NAMES[want_id] in answer, "\n".join(c.transcript)
