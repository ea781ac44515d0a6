"""Write tests/stories/test_coreference.yml (Rasa end-to-end test stories) from tests/coreference.yml.

One source for the coreference conversations: `rasa test core --e2e` checks the intent
and the action of every turn, tests/conversations/test_coreference.py checks the answers
live. tests/unit/test_coreference_stories.py fails when this output is out of date:
    .venv/bin/python scripts/coreference_stories.py
"""
from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "tests" / "coreference.yml"
TARGET = ROOT / "tests" / "stories" / "test_coreference.yml"  # rasa reads only test_* files as test stories
HEADER = ("# Generated from tests/coreference.yml by scripts/coreference_stories.py; edit that file instead.\n"
          "# Run by: rasa test core --stories tests/stories --e2e --fail-on-prediction-errors\n")


def render() -> str:
    doc = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    lines = [HEADER.rstrip("\n"), 'version: "3.1"', "", "stories:"]
    for conv in doc["conversations"]:
        lines.append(f"  - story: 指代 {conv['name']}")
        lines.append("    steps:")
        for turn in conv["turns"]:
            lines += ["      - user: |", f"          {turn['user']}", f"        intent: {turn['intent']}",
                      f"      - action: {turn['action']}"]
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
