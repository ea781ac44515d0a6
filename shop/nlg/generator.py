"""`VariedResponseGenerator`: Rasa's templated generator that never says the same text twice in a row.

Rasa (3.6) builds the generator named in endpoints.yml as
`cls(endpoint_config=..., domain=...)` and, because this is a
TemplatedNaturalLanguageGenerator, swaps in the loaded model's responses whenever a
model is loaded. It is called for every `utter_*` action and for every
`dispatcher.utter_message(response=...)` the action server sends back.

Choosing a variation:
1. Rasa's own filter picks the variations that fit: conditions on slots first, then
   the output channel (ResponseVariationFilter, unchanged).
2. A variation naming a value (`{order_id}`, `{product}`) is only eligible while that
   value is there and short enough to say; if no variation is, Rasa's behaviour applies.
3. Each is filled in; any whose text equals the conversation's last bot text is dropped,
   unless that leaves nothing (a response with one wording may repeat).
4. One of the rest at random (seeded with `seed:` in endpoints.yml, for repeatable runs).

The last bot text is the tracker's newest BotUttered, or — when an action utters several
responses in one run and the tracker has not moved yet — the text this generator just made.
"""
from __future__ import annotations

import copy
import logging
import random
import re
from collections import OrderedDict
from typing import Any, Callable, Dict, List, Optional, Text

from rasa.core.nlg.generator import ResponseVariationFilter
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.constants import RESPONSE_CONDITION
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from shop.nlg.variables import catalog_product_name, derived, usable

logger = logging.getLogger(__name__)

# Same placeholder syntax as rasa.core.nlg.interpolator.
PLACEHOLDER = re.compile(r"{([^\n{}]+?)}")
MAX_REMEMBERED_CONVERSATIONS = 10_000


def placeholders(text: Any) -> list[str]:
    return PLACEHOLDER.findall(text) if isinstance(text, str) else []


def _same(a: Any, b: Any) -> bool:
    return isinstance(a, str) and isinstance(b, str) and a.strip() == b.strip()


class VariedResponseGenerator(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None, *,
                 responses: Optional[Dict[Text, List[Dict[Text, Any]]]] = None,
                 rng: Optional[random.Random] = None,
                 product_name: Callable[[str], Optional[str]] = catalog_product_name) -> None:
        if responses is None:
            responses = domain.responses if domain is not None else {}
        super().__init__(responses)
        seed = (endpoint_config.kwargs or {}).get("seed") if endpoint_config is not None else None
        if seed is not None and not isinstance(seed, int):
            raise ValueError(f"nlg seed must be an integer, got {seed!r}")
        self._rng = rng or random.Random(seed)
        self._product_name = product_name
        # sender -> (tracker position, text): what this generator said since the tracker last moved
        self._said: OrderedDict[str, tuple[tuple, str]] = OrderedDict()

    async def generate(self, utter_action: Text, tracker: DialogueStateTracker, output_channel: Text,
                       **kwargs: Any) -> Optional[Dict[Text, Any]]:
        response = self._generate(utter_action, tracker.current_slot_values(), output_channel,
                                  avoid=self.last_bot_text(tracker), values=kwargs)
        if response is not None and isinstance(response.get("text"), str):
            self._remember(tracker, response["text"])
        return response

    def generate_from_slots(self, utter_action: Text, filled_slots: Dict[Text, Any], output_channel: Text,
                            **kwargs: Any) -> Optional[Dict[Text, Any]]:
        return self._generate(utter_action, filled_slots, output_channel, avoid=None, values=kwargs)

    # -- the last thing said -----------------------------------------------------------------------
    @staticmethod
    def _position(tracker: DialogueStateTracker) -> tuple:
        # Length alone is not enough: with max_event_history the deque stops growing.
        events = tracker.events
        newest = events[-1] if events else None
        return len(events), type(newest).__name__, getattr(newest, "timestamp", None)

    def last_bot_text(self, tracker: DialogueStateTracker) -> Optional[str]:
        said = self._said.get(tracker.sender_id)
        if said is not None and said[0] == self._position(tracker):
            return said[1]
        for event in reversed(tracker.events):
            if isinstance(event, BotUttered):
                return event.text
        return None

    def _remember(self, tracker: DialogueStateTracker, text: str) -> None:
        self._said[tracker.sender_id] = (self._position(tracker), text)
        self._said.move_to_end(tracker.sender_id)
        while len(self._said) > MAX_REMEMBERED_CONVERSATIONS:
            self._said.popitem(last=False)

    # -- choosing ------------------------------------------------------------------------------------
    def _generate(self, utter_action: Text, filled_slots: Dict[Text, Any], output_channel: Text, *,
                  avoid: Optional[str], values: Dict[Text, Any]) -> Optional[Dict[Text, Any]]:
        if utter_action not in self.responses:
            return None
        fitting = ResponseVariationFilter(self.responses).responses_for_utter_action(
            utter_action, output_channel, filled_slots)
        if not fitting:
            return None
        # Slots and what the caller passed win over derived names, as in Rasa's own generator.
        known = {**derived(filled_slots or {}, self._product_name), **(filled_slots or {}), **values}
        ready = [v for v in fitting if all(usable(known.get(name)) for name in placeholders(v.get("text")))]
        if not ready:
            # Every wording needs a value we lack: leave those placeholders as written (Rasa's
            # behaviour for an unknown name) rather than print "None" or echo a pasted paragraph.
            logger.warning("%s: no wording has all its values; said with placeholders", utter_action)
            known = {k: v for k, v in known.items() if usable(v)}
        filled = [self._fill_response(copy.deepcopy(v), known) for v in (ready or fitting)]
        fresh = [r for r in filled if not _same(r.get("text"), avoid)]
        chosen = self._rng.choice(fresh or filled)
        if chosen.get(RESPONSE_CONDITION):
            logger.debug("Selecting response variation with conditions:%s",
                         self._format_response_conditions(chosen[RESPONSE_CONDITION]))
        return chosen
