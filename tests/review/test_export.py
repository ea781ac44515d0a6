"""Confirmed labels become Rasa training data a designer can read (data/nlu/reviewed/<month>.yml)."""
from pathlib import Path

from rasa.shared.nlu.training_data.loading import load_data

from shop.review.export import SAMPLES, write_month
from shop.review.masking import ORDER, PHONE
from shop.review.queue import NOISE


def ex(i, text, intent, entities=()):
    return {"id": i, "text": text, "intent": intent, "entities": list(entities), "count": 1, "exported_in": None}


def nlu_file(path: Path, intent: str, *examples: str) -> Path:
    path.write_text('version: "3.1"\nnlu:\n- intent: ' + intent + "\n  examples: |\n"
                    + "".join(f"    - {e}\n" for e in examples), encoding="utf-8")
    return path


def test_written_as_rasa_reads_it_with_entities_and_samples_for_masked_data(tmp_path):
    train = nlu_file(tmp_path / "train.yml", "greet", "你好")
    out = tmp_path / "reviewed" / "2026-12.yml"
    examples = [
        ex(1, f"{ORDER}咋还不动", "track_logistics", [{"start": 0, "end": len(ORDER), "entity": "order_id",
                                                     "value": ORDER}]),
        ex(2, "有木有L码", "ask_stock", [{"start": 3, "end": 5, "entity": "size", "value": "L码"}]),
        ex(3, f"手机{PHONE}收不到码 [急]", "inform"),
        ex(4, "咕噜咕噜", NOISE),
    ]
    report = write_month(examples, out, "2026-12", [train], [])
    assert report.written == [1, 2, 3] and report.noise == [4]
    data = load_data(str(out))
    by_text = {m.get("text"): m for m in data.training_examples}
    order = by_text[SAMPLES[ORDER] + "咋还不动"]
    assert order.get("intent") == "track_logistics"
    assert order.get("entities")[0]["value"] == SAMPLES[ORDER] and order.get("entities")[0]["entity"] == "order_id"
    assert by_text["有木有L码"].get("entities")[0]["value"] == "L码"
    assert any(SAMPLES[PHONE] in t and "［急］" in t for t in by_text)   # Rasa's markup characters made plain
    assert "2026-12" in out.read_text(encoding="utf-8").splitlines()[1]


def test_text_already_in_training_data_or_near_a_test_set_is_left_out(tmp_path):
    train = nlu_file(tmp_path / "train.yml", "ask_stock", "有木有L码")
    test = nlu_file(tmp_path / "test.yml", "ask_recommendation", "预算两百送闺蜜有啥好物")
    out = tmp_path / "2026-12.yml"
    report = write_month([ex(1, "有木有L码！", "ask_stock"), ex(2, "预算两百 送闺蜜 有啥好物呀", "ask_recommendation"),
                          ex(3, "蹲一个平替", "ask_recommendation")], out, "2026-12", [train], [test])
    assert report.already_in_data == [1] and report.near_copy_of_test == [2] and report.written == [3]


def test_a_second_export_in_the_month_extends_the_file_and_skips_what_it_holds(tmp_path):
    out = tmp_path / "2026-12.yml"
    write_month([ex(1, "蹲一个平替", "ask_recommendation")], out, "2026-12", [], [])
    report = write_month([ex(1, "蹲一个平替", "ask_recommendation"), ex(2, "有木有L码", "ask_stock")],
                         out, "2026-12", [out], [])
    assert report.written == [2] and report.already_in_data == [1]
    assert len(load_data(str(out)).training_examples) == 2


def test_an_entity_off_the_tokenizers_boundaries_is_written_as_plain_text(tmp_path):
    out = tmp_path / "2026-12.yml"
    report = write_month([ex(1, "有木有L码", "ask_stock", [{"start": 2, "end": 4, "entity": "size", "value": "有L"}])],
                         out, "2026-12", [], [], boundaries=lambda text: {0, 3, 5})
    assert report.entities_dropped == 1
    assert load_data(str(out)).training_examples[0].get("entities") in (None, [])


def test_nothing_written_leaves_no_file(tmp_path):
    out = tmp_path / "2026-12.yml"
    assert write_month([ex(1, "咕噜", NOISE)], out, "2026-12", [], []).written == []
    assert not out.exists()
