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
    assert len(instances) >= 2 and all(f"server {name} {name}:5005" in haproxy for name in instances)
    # only the balancer is published, and only on loopback
    published = {name: s.get("ports") for name, s in compose["services"].items() if s.get("ports")}
    assert list(published) == ["balancer"] and all(p.startswith("127.0.0.1:") for p in published["balancer"])
