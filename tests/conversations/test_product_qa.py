"""Product Q&A through the whole assistant: the share of tests/product_qa.yml answered with every
expected fact. Written to results/product_qa.json; must be at least 95%."""
from __future__ import annotations

import json
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
QA = yaml.safe_load((ROOT / "tests" / "product_qa.yml").read_text(encoding="utf-8"))["questions"]
MIN_SHARE = 0.95


def test_product_questions_are_answered_from_the_graph(talk):
    wrong = []
    by_aspect: dict[str, list[int]] = {}
    for item in QA:
        answer = talk(None).say(item["question"])
        ok = all(fact in answer for fact in item["facts"])
        by_aspect.setdefault(item["aspect"], [0, 0])[0] += ok
        by_aspect[item["aspect"]][1] += 1
        if not ok:
            wrong.append({"id": item["id"], "question": item["question"], "facts": item["facts"], "answer": answer})
    share = 1 - len(wrong) / len(QA)
    report = {"questions": len(QA), "answered_correctly": len(QA) - len(wrong), "share": round(share, 4),
              "by_aspect": {k: {"correct": v[0], "total": v[1]} for k, v in sorted(by_aspect.items())},
              "wrong": wrong}
    out = ROOT / "results" / "product_qa.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nproduct Q&A: {len(QA) - len(wrong)}/{len(QA)} = {share:.1%} (written to {out})")
    assert len(QA) >= 80
    assert share >= MIN_SHARE, json.dumps(wrong[:10], ensure_ascii=False, indent=1)
