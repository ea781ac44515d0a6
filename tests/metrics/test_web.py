"""The dashboard blueprint through Sanic's ASGI interface (in-process, no socket)."""
from __future__ import annotations

import contextlib
import re
from html.parser import HTMLParser
from typing import Optional
from uuid import uuid4

import httpx
import pytest
from sanic import HTTPResponse, Request, Sanic, response

from shop.metrics.web import dashboard_blueprint
from tests.channels.harness import started
from tests.metrics.conftest import T0, bot, save_conversations, save_ratings, user

Sanic.test_mode = True  # many apps in one process, as tests/channels/harness.py does
pytestmark = pytest.mark.anyio
LOGGED_IN = {"X-Test-Agent": "li"}


async def guard(request: Request) -> Optional[HTTPResponse]:
    """Stands in for the workbench login: lets in requests carrying the test header."""
    if request.headers.get("x-test-agent") == "li":
        return None
    return response.json({"error": "login required"}, status=401)


@contextlib.asynccontextmanager
async def client(tracker_url: str, shop_url: str, prefix: str = "/workbench", poll_seconds: float = 5,
                 aggregates_url: Optional[str] = None):
    app = Sanic(f"dashboard_test_{uuid4().hex[:12]}")
    app.blueprint(dashboard_blueprint(tracker_url, shop_url, guard, url_prefix=prefix, poll_seconds=poll_seconds,
                                      aggregates_url=aggregates_url))
    async with started(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shop.test") as c:
            yield c


@pytest.fixture
def stores(tmp_path):
    tracker = save_conversations(tmp_path / "tracker.db", {
        "miniprogram:<script>alert(1)</script>": [user(T0 + 1, "快递到哪了", "track_logistics"), bot(T0 + 4)],
        "app:1": [user(T0 + 10, "在吗", "greet"), bot(T0 + 50, agent="li")],
    })
    shop = save_ratings(tmp_path / "shop.db", [("app:1", "app", 5, T0 + 60, "li")])
    return tracker, shop


async def test_every_route_asks_the_guard_first(stores):
    async with client(*stores) as c:
        for path in ("/workbench/dashboard", "/workbench/api/metrics", "/workbench/dashboard/static/dashboard.js",
                     "/workbench/dashboard/static/nope.js"):
            r = await c.get(path)
            assert r.status_code == 401, path
            assert r.json() == {"error": "login required"}


async def test_the_api_serves_the_figures(stores):
    async with client(*stores) as c:
        r = await c.get("/workbench/api/metrics", params={"hours": "2", "until": str(T0 + 3600)}, headers=LOGGED_IN)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    d = r.json()
    rt = d["figures"]["response_time"]
    assert (rt["bot"]["value"], rt["bot"]["breached"]) == (3.0, False)
    assert (rt["human"]["value"], rt["human"]["breached"]) == (40.0, True)
    assert d["figures"]["satisfaction"]["value"] == 5.0 and d["figures"]["satisfaction"]["breached"] is False
    assert d["figures"]["first_contact_resolution"]["value"] == 1.0
    assert set(d["channels"]) == {"app", "miniprogram"}
    assert len(d["series"]["t"]) == 2


async def test_with_aggregates_the_api_serves_them_not_a_scan(stores, tmp_path):
    from shop.metrics.aggregates import Aggregator
    tracker, shop = stores
    url = f"sqlite:///{tmp_path / 'agg.db'}"
    params = {"hours": "2", "until": str(T0 + 3600)}
    async with client(tracker, shop, aggregates_url=url) as c:
        empty = (await c.get("/workbench/api/metrics", params=params, headers=LOGGED_IN)).json()
        Aggregator(url).backfill(tracker)  # what the broker's consumer does as events arrive
        kept = (await c.get("/workbench/api/metrics", params=params, headers=LOGGED_IN)).json()
    assert empty["source"] == "aggregates" and empty["figures"]["response_time"]["bot"]["value"] is None
    assert kept["figures"]["response_time"]["bot"]["value"] == 3.0
    assert kept["figures"]["response_time"]["human"]["value"] == 40.0
    assert set(kept["channels"]) == {"app", "miniprogram"}


@pytest.mark.parametrize("query", [{"hours": "abc"}, {"hours": "0"}, {"hours": "100000"}, {"hours": "nan"},
                                   {"until": "-5"}, {"until": "1e400"}])
async def test_bad_parameters_get_a_clear_400(stores, query):
    async with client(*stores) as c:
        r = await c.get("/workbench/api/metrics", params=query, headers=LOGGED_IN)
    assert r.status_code == 400
    assert "must be" in r.json()["error"]


async def test_an_unreadable_store_is_a_503(tmp_path):
    (tmp_path / "a_directory").mkdir()
    broken = f"sqlite:///{tmp_path / 'a_directory'}"  # a directory, not a database file
    async with client(broken, broken) as c:
        r = await c.get("/workbench/api/metrics", headers=LOGGED_IN)
    assert r.status_code == 503 and "cannot be read" in r.json()["error"]


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts, self.testids, self.inline_script = [], set(), False
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs.get("src"))
            self._in_script = True
        if "data-testid" in attrs:
            self.testids.add(attrs["data-testid"])
        if any(name.startswith("on") for name in attrs):
            self.inline_script = True

    def handle_endtag(self, tag):
        self._in_script = self._in_script and tag != "script"

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_script = True


async def test_the_page_has_no_inline_script_and_names_its_figures(stores):
    async with client(*stores) as c:
        r = await c.get("/workbench/dashboard", headers=LOGGED_IN)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert "script-src 'self'" in r.headers["content-security-policy"]
        page = _Page()
        page.feed(r.text)
        assert not page.inline_script and None not in page.scripts
        assert {"avg-response-bot", "avg-response-human", "first-contact-resolution", "satisfaction",
                "avg-response-bot-value", "satisfaction-status", "channels-table"} <= page.testids
        assert 'data-api="/workbench/api/metrics"' in r.text
        assert "<script>alert" not in r.text  # no data from the stores is in the page
        for src in page.scripts + re.findall(r'href="([^"]+\.css)"', r.text):
            asset = await c.get(src, headers=LOGGED_IN)
            assert asset.status_code == 200 and len(asset.content) > 500, src
        js = (await c.get("/workbench/dashboard/static/dashboard.js", headers=LOGGED_IN)).text
        assert not re.search(r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write", js)
        assert "textContent" in js
        chart = await c.get("/workbench/dashboard/static/chart.umd.min.js", headers=LOGGED_IN)
        assert chart.headers["content-type"].startswith("text/javascript") and b"Chart.js v4" in chart.content[:200]


@pytest.mark.parametrize("name", ["web.py", "..%2Fweb.py", "README.md", "chart.LICENSE.md", "%2e%2e%2f%2e%2e%2fsentiment"])
async def test_only_the_listed_static_files_are_served(stores, name):
    async with client(*stores) as c:
        r = await c.get(f"/workbench/dashboard/static/{name}", headers=LOGGED_IN)
    assert r.status_code == 404
    assert b"import" not in r.content


async def test_mounts_without_a_prefix(stores):
    async with client(*stores, prefix="") as c:
        assert (await c.get("/api/metrics", headers=LOGGED_IN)).status_code == 200
        r = await c.get("/dashboard", headers=LOGGED_IN)
        assert 'src="/dashboard/static/dashboard.js"' in r.text


def test_bad_arguments_are_refused():
    with pytest.raises(TypeError):
        dashboard_blueprint("sqlite://", "sqlite://", guard=None)
    with pytest.raises(ValueError):
        dashboard_blueprint("sqlite://", "sqlite://", guard, url_prefix="workbench")
