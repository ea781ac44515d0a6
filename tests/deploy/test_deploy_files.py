"""deploy/: the production profile's files agree with each other and with the code they name
(they are not run here: the machine has no container runtime)."""
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def test_endpoints_name_real_stores_and_take_every_secret_from_the_environment():
    text = (DEPLOY / "endpoints.production.yml").read_text(encoding="utf-8")
    endpoints = yaml.safe_load(text)
    assert endpoints["tracker_store"]["dialect"] == "postgresql"
    assert endpoints["event_broker"]["type"] == "pika"
    module, _, cls = endpoints["lock_store"]["type"].rpartition(".")
    assert hasattr(__import__(module, fromlist=[cls]), cls)
    for key in ("password", "username"):
        for section in ("tracker_store", "lock_store", "event_broker"):
            value = endpoints[section].get(key)
            assert value is None or re.fullmatch(r"\$\{[A-Z_]+\}", str(value)), (section, key, value)


def test_compose_provides_what_the_endpoints_read_and_the_balancer_knows_every_instance():
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    env = set(compose["x-shop"]["environment"])
    documented = set(re.findall(r"\b[A-Z][A-Z0-9_]+\b", (DEPLOY / "docker-compose.yml").read_text().split("\n\n")[0]))
    wanted = set(re.findall(r"\$\{([A-Z_]+)\}", (DEPLOY / "endpoints.production.yml").read_text()))
    assert wanted <= env | documented, wanted - env - documented
    instances = {name for name in compose["services"] if re.fullmatch(r"rasa\d+", name)}
    haproxy = (DEPLOY / "haproxy.cfg").read_text(encoding="utf-8")
    # the balancer's addresses come from its environment (the same file serves scripts/run_cluster.sh)
    balancer_env = compose["services"]["balancer"]["environment"]
    assert len(instances) >= 2
    for name in instances:
        variable = name.upper() + "_ADDR"
        assert f'server {name} "${{{variable}}}"' in haproxy and balancer_env[variable] == f"{name}:5005"
    # only the balancer is published, and only on loopback
    published = {name: s.get("ports") for name, s in compose["services"].items() if s.get("ports")}
    assert list(published) == ["balancer"] and all(p.startswith("127.0.0.1:") for p in published["balancer"])


def test_rasa_fills_every_variable_of_the_production_endpoints(monkeypatch):
    """Rasa substitutes ${...} only in plain YAML scalars: a quoted "${SHOP_ACTION_URL}" stayed literal
    and every custom action failed (found running the profile with scripts/run_cluster.sh)."""
    from rasa.shared.utils.io import read_yaml_file

    names = set(re.findall(r"\$\{([A-Z_]+)\}", (DEPLOY / "endpoints.production.yml").read_text()))
    for name in names:
        monkeypatch.setenv(name, f"value-of-{name.lower()}")
    loaded = read_yaml_file(str(DEPLOY / "endpoints.production.yml"))
    text = repr(loaded)
    assert "${" not in text and all(f"value-of-{n.lower()}" in text for n in names)
