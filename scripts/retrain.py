"""The model-iteration routine: reviewed messages → training data → candidate → gate → promote.

    make retrain      (python scripts/retrain.py)             collect, export, validate, train, evaluate, gate
    make rollback     (python scripts/retrain.py rollback)    back to the model served before the last promotion

Steps of ``retrain`` (each writes into the report):

1. the serving model: the running server's (GET /status), else the model the current files
   name (scripts/train.sh), trained when missing;
2. collect the tracker store's misunderstood messages into the review queue (shop.review.collect);
3. write the queue's newly *confirmed* groups into ``data/nlu/reviewed/<YYYY-MM>.yml``
   (shop.review.export); nothing confirmed → nothing to do, the report says so;
4. ``rasa data validate --fail-on-warnings`` and, where the project has it,
   ``scripts/check_nlu_data.py`` (contract, near-copies of the test sets);
5. train the candidate (scripts/train.sh: the model is named after the files it learnt from);
6. evaluate current and candidate side by side: intent accuracy on the held-out set
   (tests/blind/nlu/heldout_h1.yml), on the newly reviewed messages, and Rasa's conversation
   tests (tests/stories, end to end);
7. gate: promote only if held-out accuracy does not drop, no conversation test that passed
   fails, and accuracy on the reviewed messages rises. Promotion loads the candidate into the
   running server without a restart (PUT /model, allowed for this project's models/ only,
   channels/http_api.py) and records it in ``models/serving.json`` with the model and data file it
   replaced; refusal puts the data file back as it was (the refused examples are kept under
   var/review/refused/ for the designers) so data/ always matches the served model.

Reports: ``results/retrain/<UTC time>.{json,md}`` and ``results/retrain/latest.{json,md}``.
Exit status: 0 promoted or nothing to do, 3 refused by the gate, 1 an error.

Schedule (monthly, 03:00 on the 1st, as the shop's routine asks; the collector hourly):
    0 * * * *  cd /srv/shop && .venv/bin/python -m shop.review.collect >> var/review/collect.log 2>&1
    0 3 1 * *  cd /srv/shop && make retrain >> var/review/retrain.log 2>&1
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shop.review.collect import DEFAULT_TRACKER_DB_URL, collect, fallback_threshold  # noqa: E402
from shop.review.export import examples_in, plain_text, write_month  # noqa: E402
from shop.review.queue import ReviewQueue  # noqa: E402
from shop.store.session import session_factory  # noqa: E402
from shop.store.settings import db_url  # noqa: E402
from shop.training_data import jieba_boundaries  # noqa: E402

logger = logging.getLogger("retrain")
PROMOTED, NOTHING, REFUSED, ERROR = "promoted", "nothing_to_do", "refused", "error"


class Project:
    """Paths of one Rasa project (this one; tests use a small copy of its layout)."""

    def __init__(self, root: Path, config: str = "config.yml", heldout: str = "tests/blind/nlu/heldout_h1.yml",
                 stories: str = "tests/stories") -> None:
        self.root = root.resolve()
        self.config = config
        self.heldout = self.root / heldout
        self.stories = self.root / stories
        self.models = self.root / "models"
        self.reviewed = self.root / "data" / "nlu" / "reviewed"
        self.serving_file = self.models / "serving.json"
        self.results = self.root / "results" / "retrain"
        self.var = self.root / "var" / "review"
        self.rasa = str(Path(sys.executable).with_name("rasa"))

    def run(self, *args: str, timeout: float = 3 * 3600) -> subprocess.CompletedProcess:
        env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
        return subprocess.run(args, cwd=self.root, env=env, capture_output=True, text=True, timeout=timeout)

    def model_for_files(self, dry_run: bool) -> Path:
        """The model scripts/train.sh names for the files as they are (training it unless dry_run)."""
        env_dry = {"SHOP_TRAIN_DRY_RUN": "1"} if dry_run else {}
        done = subprocess.run(["bash", "scripts/train.sh", self.config], cwd=self.root, capture_output=True, text=True,
                              env={**os.environ, "RASA_TELEMETRY_ENABLED": "false", **env_dry}, timeout=3 * 3600)
        if done.returncode != 0:
            raise RuntimeError("training failed:\n" + done.stderr[-4000:])
        return self.root / done.stdout.strip().splitlines()[-1]

    def resolve_model(self, served: str) -> Path:
        """The file of the model the server names (Rasa's /status gives its path as loaded,
        or only the file name)."""
        for path in (Path(served), self.root / served, self.models / Path(served).name):
            if path.is_file():
                return path.resolve()
        raise RuntimeError(f"the server serves {served}, which is not in {self.models}")

    def training_files(self) -> list[Path]:
        return sorted((self.root / "data").rglob("*.yml"))

    def serving(self) -> dict:
        if self.serving_file.exists():
            return json.loads(self.serving_file.read_text(encoding="utf-8"))
        return {"serving": None, "history": []}

    def save_serving(self, state: dict) -> None:
        self.models.mkdir(parents=True, exist_ok=True)
        tmp = self.serving_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, ensure_ascii=False, indent=2), encoding="utf-8")
        tmp.replace(self.serving_file)


# -- the running server ------------------------------------------------------------------------
class Server:
    """Rasa's HTTP API of the running assistant (token from $SHOP_RASA_API_TOKEN or var/rasa_api_token)."""

    def __init__(self, url: Optional[str], token: Optional[str]) -> None:
        self.url, self.token = (url or "").rstrip("/"), token

    def _call(self, method: str, path: str, body: Optional[dict] = None, timeout: float = 600) -> Any:
        data = json.dumps(body).encode("utf-8") if body is not None else None
        req = urllib.request.Request(f"{self.url}{path}?token={self.token}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            text = resp.read().decode("utf-8")
            return json.loads(text) if text.strip() else {}

    def model_file(self) -> Optional[str]:
        if not self.url or not self.token:
            return None
        try:
            return self._call("GET", "/status", timeout=10).get("model_file")
        except (urllib.error.URLError, OSError, ValueError):
            return None

    def load(self, model: Path) -> None:
        self._call("PUT", "/model", {"model_file": str(model)})
        served = self.model_file()
        if not served or Path(served).name != model.name:
            raise RuntimeError(f"the server still serves {served}, not {model.name}")


# -- evaluation ----------------------------------------------------------------------------------
def _labelled(path: Path) -> list[tuple[str, str]]:
    return [(intent, text) for intent, text in examples_in([path])] if path.exists() else []


async def _evaluate(model: Path, sets: dict[str, list[tuple[str, str]]], stories: Path, out: Path) -> dict:
    from rasa.core.agent import Agent
    from rasa.core.test import test as test_core

    agent = Agent.load(str(model))
    result: dict[str, Any] = {"model": model.name}
    for name, examples in sets.items():
        predictions = []
        for intent, text in examples:
            parsed = await agent.parse_message(text)
            predictions.append((intent, (parsed.get("intent") or {}).get("name")))
        correct = sum(1 for t, p in predictions if t == p)
        result[name] = {"accuracy": round(correct / len(predictions), 4) if predictions else None,
                        "correct": correct, "total": len(predictions),
                        "confusions": Counter(f"{t} → {p}" for t, p in predictions if t != p)}
    if stories.exists() and any(stories.glob("test_*.yml")):
        out.mkdir(parents=True, exist_ok=True)
        await test_core(str(stories), agent, out_directory=str(out), e2e=True, disable_plotting=True,
                        successes=True, errors=True, warnings=False)
        result["stories"] = {"failed": _story_names(out / "failed_test_stories.yml"),
                             "passed": _story_names(out / "successful_test_stories.yml")}
    return result


def _story_names(path: Path) -> list[str]:
    import yaml
    if not path.exists():
        return []
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    names = []
    for story in doc.get("stories", []) or []:
        name = str(story.get("story", ""))
        names.append(name.split(" (")[0].strip())  # Rasa appends "(…/file.yml)" and failure notes
    return sorted(set(names))


def gate(current: dict, candidate: dict) -> tuple[bool, list[str]]:
    """(promote?, reasons). Rules from issue 19: held-out must not drop, no conversation test may
    break, accuracy on the reviewed messages must rise."""
    reasons, ok = [], True
    h0, h1 = current["heldout"]["accuracy"], candidate["heldout"]["accuracy"]
    if h0 is not None and h1 is not None and h1 < h0:
        ok = False
        reasons.append(f"held-out intent accuracy dropped: {h0:.4f} → {h1:.4f}")
    else:
        reasons.append(f"held-out intent accuracy {h0} → {h1} (no drop)")
    broke = sorted(set(current.get("stories", {}).get("passed", [])) & set(candidate.get("stories", {}).get("failed", [])))
    if broke:
        ok = False
        reasons.append("conversation tests that broke: " + ", ".join(broke))
    else:
        reasons.append(f"conversation tests: none broke ({len(candidate.get('stories', {}).get('failed', []))} failing, "
                       f"{len(current.get('stories', {}).get('failed', []))} before)")
    r0, r1 = current["reviewed"]["accuracy"], candidate["reviewed"]["accuracy"]
    if r0 is None or r1 is None or r1 <= r0:
        ok = False
        reasons.append(f"accuracy on the reviewed messages did not rise: {r0} → {r1}")
    else:
        reasons.append(f"accuracy on the reviewed messages rose: {r0:.4f} → {r1:.4f}")
    return ok, reasons


# -- the routine ----------------------------------------------------------------------------------
def retrain(project: Project, server: Server, month: str, do_collect: bool, tracker_url: str) -> dict:
    started = time.time()
    report: dict[str, Any] = {"started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                              "month": month, "config": project.config}
    sessions = session_factory()
    queue = ReviewQueue(sessions)

    served = server.model_file()
    current = project.resolve_model(served) if served else project.model_for_files(dry_run=False)
    report["current_model"] = current.name
    report["served_by_server"] = bool(served)

    if do_collect:
        now = time.time()
        report["collected"] = collect(queue, tracker_url, now - 31 * 86400, now, fallback_threshold(
            project.root / project.config), db_url()).as_json()
    report["queue"] = queue.counts()

    examples = queue.confirmed_examples()
    path = project.reviewed / f"{month}.yml"
    before = path.read_text(encoding="utf-8") if path.exists() else None
    protected = [p for p in (project.heldout, project.root / "tests" / "nlu_test.yml") if p.exists()]
    exported = write_month(examples, path, month, project.training_files(), protected,
                           jieba_boundaries(project.root / "data" / "jieba"))
    report["export"] = {**exported.as_json(), "path": str(path.relative_to(project.root))}
    if not exported.written:
        report.update(outcome=NOTHING, reasons=["no newly confirmed examples to learn from"])
        return _finish(project, report, started)
    added = list(exported.lines)
    report["examples_added"] = [{"intent": i, "text": t} for i, t in added]

    def put_back(why: str, outcome: str) -> dict:
        project.var.joinpath("refused").mkdir(parents=True, exist_ok=True)
        kept = project.var / "refused" / f"{month}-{time.strftime('%Y%m%dT%H%M%S')}.yml"
        shutil.copyfile(path, kept)
        if before is None:
            path.unlink()
        else:
            path.write_text(before, encoding="utf-8")
        report.update(outcome=outcome, refused_data=str(kept.relative_to(project.root)))
        report.setdefault("reasons", []).insert(0, why)
        return _finish(project, report, started)

    checks = [[project.rasa, "data", "validate", "--domain", "domain", "--data", "data", "--config",
               project.config, "--fail-on-warnings"]]
    if (project.root / "scripts" / "check_nlu_data.py").exists():
        checks.append([sys.executable, "scripts/check_nlu_data.py"])
    for command in checks:
        done = project.run(*command)
        if done.returncode != 0:
            report["validation_output"] = (done.stdout + done.stderr)[-3000:]
            return put_back(f"validation failed: {' '.join(command[1:3])}", REFUSED)

    try:
        candidate = project.model_for_files(dry_run=False)
    except RuntimeError as e:
        report["training_output"] = str(e)[-3000:]
        return put_back("training the candidate failed", ERROR)
    report["candidate_model"] = candidate.name

    reviewed = [(i, plain_text(t)) for i, t in added]
    sets = {"heldout": _labelled(project.heldout), "reviewed": reviewed}
    out = project.results / "core"
    evaluated = {}
    for role, model in (("current", current), ("candidate", candidate)):
        evaluated[role] = asyncio.run(_evaluate(model, sets, project.stories, out / role))
    report["figures"] = {role: {k: ({kk: vv for kk, vv in v.items() if kk != "confusions"} if isinstance(v, dict)
                                    and "accuracy" in v else v) for k, v in r.items()}
                         for role, r in evaluated.items()}
    report["confusions_changed"] = _confusions_changed(evaluated["current"], evaluated["candidate"])
    ok, reasons = gate(evaluated["current"], evaluated["candidate"])
    report["reasons"] = reasons
    if not ok:
        return put_back("the gate refused the candidate", REFUSED)

    state = project.serving()
    state["history"].append({"model": candidate.name, "previous": current.name, "data_file":
                             str(path.relative_to(project.root)), "data_before": before, "groups": exported.written,
                             "promoted_at": report["started"]})
    state["serving"] = candidate.name
    if served:
        try:
            server.load(candidate)
            report["loaded_without_restart"] = True
        except (urllib.error.URLError, OSError, RuntimeError, ValueError) as e:
            report["loaded_without_restart"] = False
            report["load_error"] = str(e)
    project.save_serving(state)
    queue.mark_exported(exported.written, month)
    report["outcome"] = PROMOTED
    return _finish(project, report, started)


def _confusions_changed(current: dict, candidate: dict) -> list[dict]:
    out = []
    for name in ("heldout", "reviewed"):
        a, b = current[name]["confusions"], candidate[name]["confusions"]
        for pair in sorted(set(a) | set(b)):
            if a.get(pair, 0) != b.get(pair, 0):
                out.append({"set": name, "pair": pair, "before": a.get(pair, 0), "after": b.get(pair, 0)})
    return sorted(out, key=lambda x: -abs(x["after"] - x["before"]))


def rollback(project: Project, server: Server) -> dict:
    started = time.time()
    report: dict[str, Any] = {"started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                              "action": "rollback"}
    state = project.serving()
    if not state["history"]:
        report.update(outcome=NOTHING, reasons=["no promotion to roll back"])
        return _finish(project, report, started, name="rollback")
    last = state["history"].pop()
    previous = project.models / last["previous"]
    if not previous.is_file():
        report.update(outcome=ERROR, reasons=[f"the previous model {previous.name} is no longer in models/"])
        return _finish(project, report, started, name="rollback")
    data_file = project.root / last["data_file"]
    if last.get("data_before") is None:
        data_file.unlink(missing_ok=True)
    else:
        data_file.write_text(last["data_before"], encoding="utf-8")
    if server.model_file():
        server.load(previous)
        report["loaded_without_restart"] = True
    state["serving"] = previous.name
    project.save_serving(state)
    ReviewQueue(session_factory()).mark_exported(last.get("groups", []), None)
    report.update(outcome="rolled_back", model=previous.name, replaced=last["model"],
                  reasons=[f"serving {previous.name} again; {last['data_file']} is as it was before "
                           f"{last['promoted_at']}; its {len(last.get('groups', []))} groups are back in the "
                           "confirmed list for reviewers"])
    return _finish(project, report, started, name="rollback")


def _finish(project: Project, report: dict, started: float, name: str = "retrain") -> dict:
    report["seconds"] = round(time.time() - started, 1)
    project.results.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    text = json.dumps(report, ensure_ascii=False, indent=2, default=dict)
    md = _markdown(report, name)
    for base in (f"{name}-{stamp}", "latest"):
        (project.results / f"{base}.json").write_text(text, encoding="utf-8")
        (project.results / f"{base}.md").write_text(md, encoding="utf-8")
    return report


def _markdown(r: dict, name: str) -> str:
    lines = [f"# {name}: {r.get('outcome')} ({r.get('started')})", ""]
    for reason in r.get("reasons", []):
        lines.append(f"- {reason}")
    if r.get("current_model"):
        lines += ["", f"Current model: `{r['current_model']}`; candidate: `{r.get('candidate_model', '—')}`"]
    if r.get("collected"):
        c = r["collected"]
        lines += ["", f"Collected: {c['collected']} new messages from {c['messages']} shopper messages "
                      f"({', '.join(f'{k} {v}' for k, v in sorted(c['reasons'].items()))})"]
    if r.get("export"):
        e = r["export"]
        lines += [f"Exported to `{e['path']}`: {e['written']} examples; left out: noise {e['noise']}, already in "
                  f"data {e['already_in_data']}, near-copies of test sets {e['near_copy_of_test']}"]
    figures = r.get("figures")
    if figures:
        lines += ["", "| figure | current | candidate |", "|---|---|---|"]
        for key in ("heldout", "reviewed"):
            a, b = figures["current"].get(key, {}), figures["candidate"].get(key, {})
            lines.append(f"| {key} intent accuracy | {a.get('accuracy')} ({a.get('correct')}/{a.get('total')}) | "
                         f"{b.get('accuracy')} ({b.get('correct')}/{b.get('total')}) |")
        if "stories" in figures["current"]:
            lines.append(f"| conversation tests failing | {len(figures['current']['stories']['failed'])} | "
                         f"{len(figures['candidate']['stories']['failed'])} |")
    if r.get("confusions_changed"):
        lines += ["", "Confusion pairs that changed (true → predicted: before → after):", ""]
        lines += [f"- {c['set']}: {c['pair']}: {c['before']} → {c['after']}" for c in r["confusions_changed"][:30]]
    if r.get("examples_added"):
        heading = "Examples added" if r.get("outcome") == PROMOTED else "Examples tried (not kept in data/)"
        lines += ["", f"{heading} ({len(r['examples_added'])}):", ""]
        lines += [f"- {e['intent']}: {e['text']}" for e in r["examples_added"]]
    return "\n".join(lines) + "\n"


def _token(root: Path) -> Optional[str]:
    """The API token as the server reads it (channels.server.api_token), the file under this project's var/."""
    from channels.server import TOKEN_FILE_ENV, api_token
    return api_token({TOKEN_FILE_ENV: str(root / "var" / "rasa_api_token"), **os.environ})


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/retrain.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", nargs="?", choices=("retrain", "rollback"), default="retrain")
    parser.add_argument("--root", type=Path, default=ROOT, help="the Rasa project (default: this one)")
    parser.add_argument("--config", default="config.yml")
    parser.add_argument("--month", default=dt.date.today().strftime("%Y-%m"), help="data file name, YYYY-MM")
    parser.add_argument("--server", default=os.environ.get("SHOP_RASA_URL", "http://127.0.0.1:5005"),
                        help="the running assistant to load the model into ('' for none)")
    parser.add_argument("--no-collect", action="store_true", help="label only what is already in the queue")
    parser.add_argument("--tracker-url", default=os.environ.get("SHOP_TRACKER_DB_URL") or DEFAULT_TRACKER_DB_URL)
    parser.add_argument("--heldout", default="tests/blind/nlu/heldout_h1.yml")
    parser.add_argument("--stories", default="tests/stories")
    args = parser.parse_args(argv)
    if not (len(args.month) == 7 and args.month[4] == "-" and args.month.replace("-", "").isdigit()):
        parser.error("--month must be YYYY-MM")
    logging.basicConfig(level=logging.WARNING)
    project = Project(args.root, args.config, args.heldout, args.stories)
    server = Server(args.server, _token(project.root))
    try:
        if args.action == "rollback":
            report = rollback(project, server)
        else:
            report = retrain(project, server, args.month, not args.no_collect, args.tracker_url)
    except (RuntimeError, OSError, urllib.error.URLError) as e:
        print(f"retrain: {e}", file=sys.stderr)
        return 1
    print((project.results / "latest.md").read_text(encoding="utf-8"))
    return {PROMOTED: 0, NOTHING: 0, "rolled_back": 0, REFUSED: 3}.get(report.get("outcome"), 1)


if __name__ == "__main__":
    sys.exit(main())
