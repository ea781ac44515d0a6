"""The tokenizer's dictionary holds the shop vocabulary as it is now (scripts/make_jieba_vocabulary.py)."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_jieba_vocabulary_is_current():
    spec = importlib.util.spec_from_file_location("mk", ROOT / "scripts" / "make_jieba_vocabulary.py")
    mk = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mk)
    on_disk = (ROOT / "data" / "jieba" / "vocabulary.txt").read_text(encoding="utf-8").splitlines()
    assert on_disk == mk.lines(), "run .venv/bin/python scripts/make_jieba_vocabulary.py"
