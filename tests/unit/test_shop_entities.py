"""The vocabulary extractor in the pipeline (custom_components/shop_entities.py): what it adds to
the entities earlier extractors found."""
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from custom_components.shop_entities import ShopEntityExtractor


def process(text: str, earlier: list[dict]) -> list[tuple]:
    message = Message(data={TEXT: text, ENTITIES: earlier})
    ShopEntityExtractor().process([message])
    return [(e["entity"], e["value"], e.get("extractor")) for e in message.get(ENTITIES)]


def test_words_of_a_full_name_an_earlier_extractor_tagged_give_way_to_the_name():
    crf = {"entity": "product_type", "value": "羽绒服", "start": 4, "end": 7, "extractor": "CRFEntityExtractor"}
    got = process("宽松连帽羽绒服男女同款多少钱", [crf])
    assert got == [("product", "宽松连帽羽绒服男女同款", "ShopEntityExtractor")]


def test_earlier_entities_outside_the_name_are_kept():
    color = {"entity": "color", "value": "黑色", "start": 11, "end": 13, "extractor": "CRFEntityExtractor"}
    got = process("宽松连帽羽绒服男女同款黑色有吗", [color])
    assert ("color", "黑色", "CRFEntityExtractor") in got and ("product", "宽松连帽羽绒服男女同款", "ShopEntityExtractor") in got
