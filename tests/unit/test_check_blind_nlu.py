"""scripts/check_blind_nlu.py: the gate on the blind held-out intent set counts near-copies apart."""
import json

from scripts.check_blind_nlu import main


def _write(tmp_path, rows):
    (tmp_path / "blind").mkdir()
    lines = ['version: "3.1"', "nlu:"]
    by_intent = {}
    for text, gold, _ in rows:
        by_intent.setdefault(gold, []).append(text)
    for intent, texts in by_intent.items():
        lines += [f"- intent: {intent}", "  examples: |"] + [f"    - {t}" for t in texts]
    (tmp_path / "blind" / "set.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "train").mkdir()
    (tmp_path / "train" / "t.yml").write_text('version: "3.1"\nnlu:\n- intent: goodbye\n  examples: |\n    - 88\n',
                                              encoding="utf-8")
    out = tmp_path / "results"
    out.mkdir()
    ok = [{"text": t, "intent": g, "intent_prediction": {"name": p, "confidence": 0.9}} for t, g, p in rows if g == p]
    bad = [{"text": t, "intent": g, "intent_prediction": {"name": p, "confidence": 0.9}} for t, g, p in rows if g != p]
    (out / "intent_successes.json").write_text(json.dumps(ok, ensure_ascii=False), encoding="utf-8")
    (out / "intent_errors.json").write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    return ["--blind", str(tmp_path / "blind"), "--train", str(tmp_path / "train"), str(out)]


def test_near_copies_of_training_text_are_left_out_of_the_gated_figure(tmp_path):
    rows = [("88", "goodbye", "goodbye"), ("台灯用两天就不亮了", "complain_quality", "ask_product_info"),
            ("预算两百送闺蜜", "ask_recommendation", "ask_recommendation")]
    args = _write(tmp_path, rows)
    assert main(args + ["--min-intent-accuracy", "0.5"]) == 0
    summary = json.loads((tmp_path / "results" / "summary.json").read_text(encoding="utf-8"))
    assert summary["examples"] == 3 and summary["novel_examples"] == 2 and summary["novel_accuracy"] == 0.5
    assert main(args + ["--min-intent-accuracy", "0.6"]) == 1


def test_results_without_the_successes_fail(tmp_path):
    args = _write(tmp_path, [("预算两百送闺蜜", "ask_recommendation", "ask_recommendation")])
    (tmp_path / "results" / "intent_successes.json").unlink()
    assert main(args + ["--min-intent-accuracy", "0.1"]) == 1
