"""Action tests: the real actions on real rasa_sdk trackers over a seeded SQLite store.

`FormDriver` plays Rasa's part of the order form (activate, validate each user turn,
submit to action_order_task when requested_slot is None) with the NLU result given by
the test, so the dialogue logic is tested exactly, independent of the model. The live
conversations in tests/conversations run the same actions behind the trained model.
"""
from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.order_form import FORM, ValidateOrderForm
from actions.order_tasks import ActionOrderTask
from shop.identity import OutboxSms, PhoneVerification
from shop.orders import OrderService
from tests.store.conftest import ANCHOR, sqlite_sessions, sqlite_template  # noqa: F401  (fixture re-export)


@pytest.fixture
def sessions(sqlite_sessions):
    return sqlite_sessions


@pytest.fixture
def service(sessions, monkeypatch):
    svc = OrderService(sessions, clock=lambda: ANCHOR)
    monkeypatch.setattr(services, "order_service", lambda: svc)
    return svc


def tracker(sender: str, text: str, intent: str, *, slots: dict | None = None, entities: dict | None = None,
            active: bool = False, confidence: float = 0.95, events: list | None = None,
            metadata: dict | None = None, after: list | None = None) -> Tracker:
    ents = [{"entity": k, "value": v} for k, v in (entities or {}).items()]
    latest = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": ents,
              "metadata": metadata or {}}
    evs = list(events or []) + [{"event": "action", "name": "action_listen"},
                                {"event": "user", "text": text, "parse_data": latest, "input_channel": "rest"},
                                *(after or [])]
    return Tracker(sender, dict(slots or {}), latest, evs, False, None,
                   {"name": FORM} if active else {}, "action_listen")


def run(action, trk: Tracker) -> tuple[list[str], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, trk, {}))
    return [m["text"] for m in dispatcher.messages if m.get("text")], events


class FormDriver:
    """One shopper's conversation with the order form, turn by turn."""

    def __init__(self, sender: str = "demo"):
        self.sender = sender
        self.slots: dict = {}
        self.active = False
        self.replies: list[str] = []
        self.rejected = False
        self.followup: str | None = None
        self.history: list[dict] = []   # what was said before, as tracker events (the last offer made)

    def _apply(self, events) -> None:
        for e in events:
            if e.get("event") == "slot":
                self.slots[e["name"]] = e["value"]
            elif e.get("event") == "followup":
                self.followup = e["name"]

    def say(self, text: str, intent: str = "inform", confidence: float = 0.95, metadata: dict | None = None,
            **entities) -> str:
        """Send one message; returns everything the bot answered, joined."""
        trk = tracker(self.sender, text, intent, slots=self.slots, entities=entities, active=self.active,
                      confidence=confidence, metadata=metadata, events=self.history)
        self.followup = None
        out, events = run(ValidateOrderForm(), trk)
        self.rejected = self.active and events == []
        self._apply(events)
        self.active = True
        if not self.rejected and self.slots.get("requested_slot") is None:
            done, events = run(ActionOrderTask(), tracker(self.sender, text, intent, slots=self.slots))
            out += done
            self._apply(events)
            self.active = False
            if self.followup == "order_form":
                # a change a read interrupted, taken up again: the form comes back after action_order_task
                back, events = run(ValidateOrderForm(), tracker(
                    self.sender, text, intent, slots=self.slots, after=[{"event": "action", "name": "action_order_task"}]))
                out += back
                self._apply(events)
                self.active = self.slots.get("requested_slot") is not None
        self.replies = out
        self.history += [{"event": "user", "text": text}] + [{"event": "bot", "text": r} for r in out]
        return "\n".join(out)

    def start(self, text: str, intent: str, **entities) -> str:
        assert not self.active
        return self.say(text, intent, **entities)


@pytest.fixture
def outbox(tmp_path):
    """Where the one-time codes go (shop.identity.sms.OutboxSms): the shopper's phone, for tests."""
    return tmp_path / "sms_outbox.jsonl"


@pytest.fixture
def verification(service, outbox, monkeypatch):
    v = PhoneVerification(service.sessions, OutboxSms(outbox))
    monkeypatch.setattr(services, "phone_verification", lambda: v)
    return v


@pytest.fixture
def chat(service, verification):
    return FormDriver


@pytest.fixture
def agent_on_duty(sessions):
    """An agent signed in to the workbench (a session opened as the sign-in page opens one)."""
    from shop.workbench.accounts import Accounts
    accounts = Accounts(sessions)
    agent = accounts.add_agent("duty01", "值班客服", "a-long-enough-password-1")
    accounts.open_session(agent)
    return agent
