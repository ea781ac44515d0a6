"""custom_components/text_normalizer.py on training data: text and entity values normalised together,
so the synonym mapper never learns 175 → １７５ or 羽绒被 → 羽絨被 (it learns text → value)."""
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from custom_components.text_normalizer import TextNormalizer


def test_entity_values_typed_full_width_or_traditional_follow_the_normalised_text():
    typed = Message(data={"text": "１７５ 這個羽絨被", "intent": "inform", "entities": [
        {"start": 0, "end": 3, "value": "１７５", "entity": "height"},
        {"start": 6, "end": 9, "value": "羽絨被", "entity": "product_type"}]})
    synonym = Message(data={"text": "要個羽絨被", "intent": "inform", "entities": [
        {"start": 2, "end": 5, "value": "鹅绒被子", "entity": "product_type"}]})   # an explicit synonym stays
    data = TextNormalizer().process_training_data(TrainingData([typed, synonym]))
    first, second = data.training_examples
    assert first.get("text") == "175 这个羽绒被"
    assert [e["value"] for e in first.get("entities")] == ["175", "羽绒被"]
    assert second.get("entities")[0]["value"] == "鹅绒被子"
