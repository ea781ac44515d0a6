"""shop.nlu.spacy_ner on a tiny data set: learns, is deterministic, round-trips, survives odd input."""
from pathlib import Path

import jieba
import pytest

from shop.nlu.spacy_ner import SpacyNer, SpacyNerConfig

ROOT = Path(__file__).resolve().parents[2]
SHOP_DICTIONARY = ROOT / "data" / "jieba"


def spans_of(text, *pieces):
    """(start, end, label) of each (substring, label), located left to right in text."""
    out, pos = [], 0
    for piece, label in pieces:
        start = text.index(piece, pos)
        out.append((start, start + len(piece), label))
        pos = start + len(piece)
    return out


# colours, sizes and products in a few carrier sentences; the shop dictionary keeps
# 雾霾蓝, M码, 防晒衣 ... whole, as in the pipeline
ROWS = [
    ("黑色M码还有货吗", [("黑色", "color"), ("M码", "size")]),
    ("白色L码还有吗", [("白色", "color"), ("L码", "size")]),
    ("红色S码有没有", [("红色", "color"), ("S码", "size")]),
    ("雾霾蓝XL码还有货吗", [("雾霾蓝", "color"), ("XL码", "size")]),
    ("藏青色M码有吗", [("藏青色", "color"), ("M码", "size")]),
    ("我想买羽绒服", [("羽绒服", "product")]),
    ("卫衣多少钱", [("卫衣", "product")]),
    ("防晒衣有优惠吗", [("防晒衣", "product")]),
    ("这件羽绒服有黑色吗", [("羽绒服", "product"), ("黑色", "color")]),
    ("卫衣有白色L码吗", [("卫衣", "product"), ("白色", "color"), ("L码", "size")]),
    ("防晒衣红色的还有吗", [("防晒衣", "product"), ("红色", "color")]),
    ("羽绒服M码有货吗", [("羽绒服", "product"), ("M码", "size")]),
    ("快递到哪了", []),
    ("你好在吗", []),
    ("谢谢你", []),
    ("我要退货", []),
]
TRAIN = [(text, spans_of(text, *pieces)) for text, pieces in ROWS]
TINY = dict(epochs=25, batch_size=4, width=32, depth=2, embed_size=500, random_seed=3)


@pytest.fixture(scope="module")
def model():
    return SpacyNer.train(TRAIN, SpacyNerConfig(**TINY), dictionary_paths=[SHOP_DICTIONARY])


def found(model, text):
    return {(span.text, span.label) for span in model.predict(text)}


def test_learns_the_training_entities_and_new_combinations(model):
    correct = sum(found(model, text) == {(text[s:e], label) for s, e, label in spans}
                  for text, spans in TRAIN)
    assert correct >= len(TRAIN) - 1
    # colours and sizes seen apart, never in these combinations or this sentence
    assert found(model, "红色XL码还有货吗") == {("红色", "color"), ("XL码", "size")}
    assert found(model, "快递到哪了") == set()
    assert model.labels == ["color", "product", "size"]


def test_offsets_and_confidences_are_consistent(model):
    text = "卫衣有白色L码吗"
    spans = model.predict(text)
    assert [(s.start, s.end, s.label) for s in spans] == [(0, 2, "product"), (3, 5, "color"), (5, 7, "size")]
    for span in spans:
        assert span.text == text[span.start:span.end]
        assert 0.0 < span.confidence <= 1.0


def test_same_seed_same_model_other_seed_other_model(model):
    again = SpacyNer.train(TRAIN, SpacyNerConfig(**TINY), dictionary_paths=[SHOP_DICTIONARY])
    assert again.nlp.get_pipe("ner").model.to_bytes() == model.nlp.get_pipe("ner").model.to_bytes()
    other = SpacyNer.train(TRAIN, SpacyNerConfig(**{**TINY, "random_seed": 4}),
                           dictionary_paths=[SHOP_DICTIONARY])
    assert other.nlp.get_pipe("ner").model.to_bytes() != model.nlp.get_pipe("ner").model.to_bytes()


def test_save_load_round_trip(model, tmp_path):
    model.save(tmp_path / "ner")
    loaded = SpacyNer.load(tmp_path / "ner")
    texts = ["红色XL码还有货吗", "这件羽绒服有黑色吗", "防晒衣多少钱", "你好"]
    assert loaded.predict_many(texts) == model.predict_many(texts)
    assert loaded.config == model.config and loaded.labels == model.labels
    # the dictionary travelled with the model: without it jieba splits M码 and 雾霾蓝
    assert loaded.tokens("雾霾蓝M码") == ["雾霾蓝", "M码"]
    # saving over the directory it was loaded from keeps it loadable
    loaded.save(tmp_path / "ner")
    assert SpacyNer.load(tmp_path / "ner").predict("白色L码还有吗") == model.predict("白色L码还有吗")
    assert not list((tmp_path / "ner").rglob("*.pkl")) and not list((tmp_path / "ner").rglob("*.pickle"))


def test_load_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        SpacyNer.load(tmp_path)


@pytest.mark.parametrize("text", ["", "   ", None, "\x00\x01", "。。。"])
def test_empty_and_junk_text_give_nothing(model, text):
    assert model.predict(text) == []


def test_emoji_keep_offsets_in_characters(model):
    text = "😀😀黑色M码还有货吗🙏"
    spans = model.predict(text)
    assert [(s.start, s.end, s.label) for s in spans] == [(2, 4, "color"), (4, 6, "size")]
    assert all(text[s.start:s.end] == s.text for s in spans)


def test_long_text_is_cut_at_max_chars(model):
    text = "黑色M码还有货吗" * 2000  # 16,000 characters
    spans = model.predict(text)
    assert spans, "the part before the cut is still read"
    assert max(s.end for s in spans) <= model.config.max_chars
    assert len(model.tokens(text)) < 2 * model.config.max_chars


def test_predict_many_matches_predict_and_keeps_positions(model):
    texts = ["", "黑色M码还有货吗", None, "我想买羽绒服"]
    assert model.predict_many(texts, batch_size=1) == [model.predict(t) for t in texts]
    assert model.predict_many(texts)[0] == [] and model.predict_many(texts)[2] == []


def test_spans_off_token_boundaries_are_widened_not_lost():
    # 速干衣 and 防晒霜 are single tokens with the shop dictionary; the annotation marks
    # only 速干 / 防晒 (the attribute inside the word)
    rows = list(TRAIN) + [("速干衣有白色吗", [(0, 2, "attribute"), (4, 6, "color")]),
                          ("防晒霜好用吗", [(0, 2, "attribute")])] * 2
    model = SpacyNer.train(rows, SpacyNerConfig(**TINY), dictionary_paths=[SHOP_DICTIONARY])
    report = model.training_report
    assert report.widened == 4 and report.dropped_overlap == 0 and report.dropped_invalid == 0
    assert "attribute" in model.labels
    assert found(model, "速干衣有白色吗") == {("速干衣", "attribute"), ("白色", "color")}


def test_overlapping_and_invalid_spans_are_counted_and_dropped():
    rows = list(TRAIN) + [
        ("黑色羽绒服", [(0, 2, "color"), (0, 5, "product")]),   # overlap: the longer stays
        ("白色卫衣", [(3, 9, "product"), (2, 2, "product"), (0, 2, "")]),  # out of range, empty, no label
        ("红色 卫衣", [(2, 3, "product")]),                       # whitespace only
    ]
    model = SpacyNer.train(rows, SpacyNerConfig(**{**TINY, "epochs": 2}), dictionary_paths=[SHOP_DICTIONARY])
    report = model.training_report
    assert report.dropped_overlap == 1
    assert report.dropped_invalid == 4
    assert report.examples == len(rows)


def test_greedy_model_has_no_confidences():
    model = SpacyNer.train(TRAIN, SpacyNerConfig(**{**TINY, "beam_width": 1}), dictionary_paths=[SHOP_DICTIONARY])
    spans = model.predict("黑色M码还有货吗")
    assert spans and all(s.confidence is None for s in spans)


def test_char_segmenter_aligns_every_span_without_a_dictionary():
    rows = [("防晒衣有白色吗", [(0, 2, "attribute"), (3, 5, "color")])] * 3 + list(TRAIN)
    model = SpacyNer.train(rows, SpacyNerConfig(**{**TINY, "segmenter": "char", "epochs": 2}),
                           dictionary_paths=[SHOP_DICTIONARY])
    assert model.training_report.widened == 0
    assert model.tokens("防晒衣") == ["防", "晒", "衣"]


def test_private_jieba_leaves_the_process_tokenizer_alone(tmp_path):
    dictionary = tmp_path / "words.txt"
    dictionary.write_text("喵喵裙 3000 n\n", encoding="utf-8")
    assert "喵喵裙" not in jieba.lcut("喵喵裙")
    model = SpacyNer.train([("喵喵裙多少钱", [(0, 3, "product")])], SpacyNerConfig(**{**TINY, "epochs": 1}),
                           dictionary_paths=[dictionary])
    assert model.tokens("喵喵裙多少钱")[0] == "喵喵裙"
    assert "喵喵裙" not in jieba.lcut("喵喵裙")


def test_nothing_to_learn_and_bad_settings_raise(tmp_path):
    with pytest.raises(ValueError):
        SpacyNer.train([("快递到哪了", []), ("", [(0, 1, "x")])], SpacyNerConfig(**TINY))
    with pytest.raises(FileNotFoundError):
        SpacyNer.train(TRAIN, SpacyNerConfig(**TINY), dictionary_paths=[tmp_path / "missing"])
    for bad in [{"epochs": 0}, {"dropout": 1.0}, {"beam_width": 0}, {"segmenter": "pkuseg"}, {"max_chars": 0}]:
        with pytest.raises(ValueError):
            SpacyNerConfig(**bad)
    with pytest.raises(ValueError):
        SpacyNerConfig.from_dict({"epoch": 3})


PATTERNS = [("product", "(羽绒服|卫衣|防晒衣|围巾|手套|保温杯|睡袋|耳机)"),
            ("color", "(黑色|白色|红色|雾霾蓝|藏青色|粉色|墨绿色)")]
# (text, entities) with products and colours the annotations never show, only the patterns
UNSEEN = [("围巾多少钱", {("围巾", "product")}), ("我想买手套", {("手套", "product")}),
          ("保温杯有优惠吗", {("保温杯", "product")}), ("睡袋有粉色吗", {("睡袋", "product"), ("粉色", "color")}),
          ("墨绿色L码还有吗", {("墨绿色", "color"), ("L码", "size")}), ("快递多少钱", set()),
          ("我想买东西", set())]


def test_pattern_features_recognise_what_only_the_lookup_tables_know():
    with_patterns = SpacyNer.train(TRAIN, SpacyNerConfig(**TINY), [SHOP_DICTIONARY], patterns=PATTERNS)
    without = SpacyNer.train(TRAIN, SpacyNerConfig(**TINY), [SHOP_DICTIONARY])
    right_with = sum(found(with_patterns, text) == want for text, want in UNSEEN)
    right_without = sum(found(without, text) == want for text, want in UNSEEN)
    assert right_with >= len(UNSEEN) - 1
    assert right_with > right_without
    assert with_patterns.training_report.pattern_names == ["color", "product"]


def test_pattern_tags_overlap_ignore_case_and_survive_save_load(tmp_path):
    model = SpacyNer.train(TRAIN, SpacyNerConfig(**{**TINY, "epochs": 2}), [SHOP_DICTIONARY],
                           patterns=PATTERNS + [("material", "羽绒"), ("size", "[smlx]+码"),
                                                ("order_id", r"(?<!\d)20\d{10}(?!\d)")])
    model.save(tmp_path / "m")
    loaded = SpacyNer.load(tmp_path / "m")
    for m in (model, loaded):
        doc = m._before_ner(m.nlp.make_doc("我要黑色的羽绒服外套m码 202311240001"))
        tags = {t.text: t.tag_ for t in doc if t.tag_}
        # 羽绒 is only part of the word 羽绒服: overlap marks the word with both names
        assert tags["黑色"] == "color" and tags["羽绒服"] == "material|product"
        # jieba's dictionary is case-sensitive (M码 is a word, m码 is m + 码); the pattern
        # ignores case and marks both pieces
        assert tags["m"] == tags["码"] == "size" and tags["202311240001"] == "order_id"
        assert "我要" not in tags and "外套" not in tags
    assert loaded.predict_many(["围巾多少钱", "黑色M码"]) == model.predict_many(["围巾多少钱", "黑色M码"])


def test_invalid_pattern_raises():
    with pytest.raises(ValueError):
        SpacyNer.train(TRAIN, SpacyNerConfig(**TINY), [SHOP_DICTIONARY], patterns=[("product", "(卫衣")])
