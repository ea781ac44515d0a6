"""bench/entities.py: its exact-span scores on cases worked out by hand, and its pipelines."""
import pytest

from bench.entities import (
    EXTRACTORS, bootstrap_difference, crf_config, keys, score, spacy_config, spacy_plain_config,
)


def test_exact_span_scores():
    gold = [{("color", 0, 2), ("size", 2, 4)}, {("product", 0, 3)}, set()]
    predicted = [{("color", 0, 2), ("size", 2, 5)},   # size one character too long: FP + FN
                 {("product", 0, 3)},
                 {("season", 0, 2)}]                  # an entity the held-out set never has
    result = score(gold, predicted)
    assert result["micro"] == {"precision": 0.5, "recall": 0.6667, "f1": 0.5714, "tp": 2, "fp": 2, "fn": 1}
    per = result["per_entity"]
    assert per["color"]["f1"] == 1.0 and per["product"]["f1"] == 1.0
    assert per["size"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1, "tp": 0, "fp": 1, "fn": 1}
    assert per["season"]["support"] == 0 and per["season"]["fp"] == 1
    # macro over the entities of the held-out set only (color, product, size)
    assert result["macro"]["f1"] == pytest.approx(round(2 / 3, 4))
    assert result["macro"]["precision"] == pytest.approx(round(2 / 3, 4))


def test_nothing_predicted_scores_zero_not_error():
    result = score([{("color", 0, 2)}], [set()])
    assert result["micro"]["f1"] == 0.0 and result["macro"]["f1"] == 0.0


def test_keys_take_one_extractor_or_a_union():
    found = [{"entity": "color", "start": 0, "end": 2, "extractor": "CRFEntityExtractor"},
             {"entity": "order_id", "start": 3, "end": 15, "extractor": "RegexEntityExtractor"},
             {"entity": "order_id", "start": 3, "end": 15, "extractor": "CRFEntityExtractor"}]
    assert keys(found, ["CRFEntityExtractor"]) == {("color", 0, 2), ("order_id", 3, 15)}
    assert keys(found, ["RegexEntityExtractor"]) == {("order_id", 3, 15)}
    assert len(keys(found, ["CRFEntityExtractor", "RegexEntityExtractor"])) == 2


def test_pipelines_are_the_shipped_crf_and_the_spacy_candidate():
    crf = [c["name"] for c in crf_config(42)["pipeline"]]
    # the CRF as config.yml ships it, with its RegexFeaturizer features, minus the intent layer
    assert {"JiebaTokenizer", "RegexFeaturizer", "CRFEntityExtractor", "RegexEntityExtractor"} <= set(crf)
    assert crf.index("RegexFeaturizer") < crf.index("CRFEntityExtractor")
    assert not [name for name in crf if name.endswith(("IntentClassifier", "FallbackClassifier"))]
    spacy = spacy_config(7)["pipeline"]
    extractor = next(c for c in spacy if c["name"].endswith(EXTRACTORS["spacy"]))
    tokenizer = next(c for c in spacy if c["name"] == "JiebaTokenizer")
    assert extractor["random_seed"] == 7 and extractor["use_lookup_tables"] and extractor["use_regexes"]
    # the extractor segments with the pipeline tokenizer's dictionary
    assert extractor["dictionary_path"] == tokenizer["dictionary_path"]
    # one component differs, in the same place: everything else is the shipped pipeline
    assert [c["name"] for c in spacy] == [extractor["name"] if n == "CRFEntityExtractor" else n for n in crf]
    plain = next(c for c in spacy_plain_config(7)["pipeline"] if c["name"].endswith(EXTRACTORS["spacy"]))
    assert not plain["use_lookup_tables"] and not plain["use_regexes"]


def test_bootstrap_difference_of_a_clear_and_of_no_difference():
    gold = [{("color", 0, 2)} for _ in range(50)]
    perfect = [set(g) for g in gold]
    half = [set(g) if i % 2 else set() for i, g in enumerate(gold)]
    clear = bootstrap_difference(gold, half, perfect, samples=300)
    assert clear["difference"] == pytest.approx(1 - 2 * 25 / (2 * 25 + 25), abs=1e-4)  # 1 - F1(half)
    assert 0 < clear["low"] <= clear["difference"] <= clear["high"] and clear["share_b_better"] == 1.0
    same = bootstrap_difference(gold, half, half, samples=300)
    assert same == {"difference": 0.0, "low": 0.0, "high": 0.0, "share_b_better": 0.0}
