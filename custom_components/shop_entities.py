"""Rasa component: the shop vocabulary's entities, read the same way search reads them.

Adds, with offsets into the message and catalog values (shop.search.query.parse over the
shop-editable tables in shop/catalog/data), the entities of the contract's 2026-11-30 addition:
  product_type (冲锋衣, 外套 …; value = the type, or the word when it covers several),
  attribute (保暖 …), audience (老妈 …), product (a full catalog name),
  price ("low-high" yuan, "0-500" for 五百以内), quantity (an integer, 买两件 → 2).
Homophone slips and English words are read too (衬杉 → product_type 衬衫, yoga → 瑜伽).
The learned extractor (CRF) keeps extracting what the vocabulary cannot know.
"""
from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any, Callable, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from shop.search.query import parse
from shop.text.numbers import price_range, quantity

MAX_CHARS = 500
# The contract's entities the vocabulary reads; colour, material, scene, season and skin type stay
# with the CRF and the synonym table (their values there are what slots and stories expect).
KIND_TO_ENTITY = {"type": "product_type", "category": "product_type", "attribute": "attribute",
                  "audience": "audience"}


@lru_cache(maxsize=1)
def product_names() -> Dict[str, str]:
    from shop.catalog import load_catalog
    return {p["id"]: p["name"] for p in load_catalog().products}


def _span(text: str, value, read: Callable[[str], Any]) -> Optional[tuple[int, int]]:
    """The shortest span of `text` that `read` gives `value` for (the words that said it)."""
    end = next((j for j in range(1, len(text) + 1) if read(text[:j]) == value), None)
    if end is None:
        return None
    start = next(i for i in range(end - 1, -1, -1) if read(text[i:end]) == value)
    return start, end


def _price_value(price: tuple) -> str:
    low, high = price
    return f"{low:g}-{'' if math.isinf(high) else f'{high:g}'}"


def entities_of(text: str) -> List[Dict[Text, Any]]:
    """Entities of one message, in Rasa's format (without `extractor`)."""
    text = (text or "")[:MAX_CHARS]
    if not text.strip():
        return []
    q = parse(text)
    out = []
    for t in q.terms:
        entity = KIND_TO_ENTITY.get(t.kind)
        if not entity:
            continue
        value = t.value
        if t.kind in ("type", "category"):
            value = next(iter(value)) if len(value) == 1 else t.word
        elif t.kind == "audience":
            value = t.word
        out.append({"entity": entity, "value": str(value), "start": t.start, "end": t.end, "confidence_entity": 1.0})
    lowered = text.lower()
    names = product_names()
    for pid in q.named:
        name = names.get(pid, "")
        start = lowered.find(name.lower())
        if name and start != -1:
            out.append({"entity": "product", "value": name, "start": start, "end": start + len(name),
                        "confidence_entity": 1.0})
    if q.price:
        span = _span(text, q.price, price_range)
        if span:
            out.append({"entity": "price", "value": _price_value(q.price), "start": span[0], "end": span[1],
                        "confidence_entity": 1.0})
    count = quantity(text)
    if count is not None and not q.price:
        span = _span(text, count, quantity)
        # An amount of goods is one being bought or changed (买两件, 改成一件, 数量3): "两个订单",
        # "三个客服" and "推荐一个" count other things or nothing.
        ordering = re.search(r"(?:买|要|改成|改为|改到|数量(?:是|为)?|订|拍|来|再买|多买)\s*$", text[:span[0]]) if span else None
        if span and span != (0, len(text)) and ordering:  # a bare "3" is a pick or a rating
            out.append({"entity": "quantity", "value": str(count), "start": span[0], "end": span[1],
                        "confidence_entity": 1.0})
    # The words inside a full product name are the name (宽松真丝衬衫), not an attribute and a kind.
    names = [(e["start"], e["end"]) for e in out if e["entity"] == "product"]
    out = [e for e in out if e["entity"] == "product"
           or not any(a <= e["start"] and e["end"] <= b for a, b in names)]
    return sorted(out, key=lambda e: (e["start"], e["end"]))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class ShopEntityExtractor(GraphComponent, EntityExtractorMixin):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ShopEntityExtractor":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            try:
                found = entities_of(message.get(TEXT) or "")
            except Exception:  # the vocabulary must never take a message down with it
                found = []
            if found:
                found = self.add_extractor_name(found)
                earlier = [e for e in message.get(ENTITIES, []) if not _inside_a_name(e, found)]
                message.set(ENTITIES, earlier + found, add_to_output=True)
        return messages


def _inside_a_name(entity: Dict[Text, Any], found: List[Dict[Text, Any]]) -> bool:
    """Is an earlier extractor's entity words of a full product name this extractor read (the CRF's
    羽绒服 inside 宽松连帽羽绒服男女同款)? The name is the entity; its words are not others."""
    start, end = entity.get("start"), entity.get("end")
    if not isinstance(start, int) or not isinstance(end, int):
        return False
    return any(f["entity"] == "product" and f["start"] <= start and end <= f["end"] and (start, end) != (f["start"], f["end"])
               for f in found)
