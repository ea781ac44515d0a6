"""The Rasa test stories for coreference are generated; they must match their source."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_generated_coreference_stories_are_up_to_date():
    spec = importlib.util.spec_from_file_location("coreference_stories", ROOT / "scripts" / "coreference_stories.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.TARGET.read_text(encoding="utf-8") == module.render(), \
        "run: .venv/bin/python scripts/coreference_stories.py"
    assert module.render().count("- story:") >= 15
