"""The data checker catches what it promises to catch."""
import textwrap

from scripts.check_nlu_data import INTENTS, main, parse_example


def write(path, blocks):
    body = ['version: "3.1"', "nlu:"]
    for intent, examples in blocks.items():
        body += [f"- intent: {intent}", "  examples: |"] + [f"    - {e}" for e in examples]
    path.write_text("\n".join(body) + "\n", encoding="utf-8")


def test_parse_example_strips_annotations():
    text, spans = parse_example("我要[黑色](color)的[羽绒服](product:羽绒服)")
    assert text == "我要黑色的羽绒服"
    assert spans == [(2, 4, "color", "黑色"), (5, 8, "product", "羽绒服")]


def complete_set(n, make):
    return {intent: [make(intent, i) for i in range(n)] for intent in INTENTS}


def test_clean_data_passes(tmp_path, capsys):
    (tmp_path / "train").mkdir()
    write(tmp_path / "train" / "a.yml", complete_set(3, lambda it, i: f"训练{it}{i}"))
    write(tmp_path / "test.yml", complete_set(1, lambda it, i: f"完全不同的测试句子{it[::-1]}"))
    assert main(["--train", str(tmp_path / "train"), "--test", str(tmp_path / "test.yml"),
                 "--min-train", "3", "--min-test", "1", "--dictionary", "/nonexistent"]) == 0


def test_problems_are_reported(tmp_path, capsys):
    (tmp_path / "train").mkdir()
    train = complete_set(3, lambda it, i: f"训练{it}{i}")
    train["greet"].append("我想买[羽绒](product)服")       # span inside a jieba token
    train["thank"].append("谢谢[你](person)")             # entity not in the contract
    train["extra_intent"] = ["随便"]                      # intent not in the contract
    write(tmp_path / "train" / "a.yml", train)
    test = complete_set(1, lambda it, i: f"完全不同的测试句子{it[::-1]}")
    test["greet"].append("训练greet0!")                   # near-copy of a training example
    write(tmp_path / "test.yml", test)
    assert main(["--train", str(tmp_path / "train"), "--test", str(tmp_path / "test.yml"),
                 "--min-train", "4", "--min-test", "1", "--dictionary", "/nonexistent"]) == 1
    out = capsys.readouterr().out
    assert "not on token boundaries" in out
    assert "unknown entity 'person'" in out
    assert "extra_intent is not in the contract" in out
    assert "near-copy" in out
    assert "has 3 examples (< 4)" in out
