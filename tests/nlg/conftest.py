"""The real shop domain and Rasa trackers for the NLG tests."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


def new_tracker(domain: Domain, sender: str = "shopper", **slots) -> DialogueStateTracker:
    events = [ActionExecuted("action_listen"), UserUttered("你好", {"name": "greet", "confidence": 1.0})]
    events += [SlotSet(name, value) for name, value in slots.items()]
    return DialogueStateTracker.from_events(sender, events, slots=domain.slots)


def said(tracker: DialogueStateTracker, text: str, action: str = "utter_x") -> None:
    """What Rasa's processor records after an utter action: the action, then the message."""
    tracker.update(ActionExecuted(action))
    tracker.update(BotUttered(text))


def generate(generator, action: str, tracker: DialogueStateTracker, channel: str = "rest", **kwargs):
    return asyncio.run(generator.generate(action, tracker, channel, **kwargs))
