"""The shop's jieba dictionary is what the pipeline's tokenizer actually uses."""
from pathlib import Path

import jieba
import pytest
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.shared.nlu.training_data.message import Message

ROOT = Path(__file__).resolve().parents[2]
DICTIONARY = ROOT / "data" / "jieba" / "shop_words.txt"


def shop_words():
    return [line.split()[0] for line in DICTIONARY.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_config_points_the_tokenizer_at_the_dictionary():
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    tokenizer = next(c for c in config["pipeline"] if c["name"] == "JiebaTokenizer")
    assert (ROOT / tokenizer["dictionary_path"]).resolve() == DICTIONARY.parent.resolve()


def test_dictionary_words_stay_whole_in_the_pipeline_tokenizer(tmp_path):
    words = shop_words()
    assert len(words) >= 100
    plain = jieba.Tokenizer()  # jieba's own dictionary only
    split_without = [w for w in words if len(list(plain.cut(w))) > 1]
    assert split_without, "the dictionary should teach jieba words it would otherwise split"

    tokenizer = JiebaTokenizer.create(
        {**JiebaTokenizer.get_default_config(), "dictionary_path": str(DICTIONARY.parent)},
        LocalModelStorage(tmp_path), Resource("tokenizer"), ExecutionContext(GraphSchema({}), "t"),
    )
    whole = 0
    for word in split_without:
        message = Message(data={"text": f"我想问下{word}"})
        tokenizer.process([message])
        whole += word in [t.text for t in message.get("text_tokens")]
    assert whole / len(split_without) >= 0.9, f"{whole}/{len(split_without)} kept whole"


@pytest.mark.parametrize("entity_file", ["lookup_tables.yml"])
def test_lookup_tables_cover_products_and_colors(entity_file):
    doc = yaml.safe_load((ROOT / "data" / "nlu" / entity_file).read_text(encoding="utf-8"))
    names = {block["lookup"] for block in doc["nlu"] if "lookup" in block}
    assert {"product", "color"} <= names
