"""The shipped pipeline configs say what their components accept (checked before a 6-minute training)."""
from pathlib import Path

import pytest
import yaml
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractorOptions

from shop.nlu import IntentModelConfig

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = [ROOT / "config.yml", *sorted((ROOT / "configs").glob("*.yml"))]


def components(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))["pipeline"]


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_crf_features_exist(path):
    valid = {option.value for option in CRFEntityExtractorOptions}
    for component in components(path):
        if component["name"] == "CRFEntityExtractor":
            for window in component.get("features", []):
                assert set(window) <= valid, set(window) - valid


def test_intent_classifier_settings_are_valid():
    component = next(c for c in components(ROOT / "config.yml")
                     if c["name"].endswith("BertBiLstmIntentClassifier"))
    # Every other key is the model's; from_dict refuses unknown ones (typos).
    IntentModelConfig.from_dict({k: v for k, v in component.items() if k not in ("name", "mask_product_names")})
    assert component["mask_product_names"] is True
