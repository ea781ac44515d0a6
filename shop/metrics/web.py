"""The live service dashboard as a Sanic 21.12 Blueprint.

    bp = dashboard_blueprint(tracker_db_url, shop_db_url, guard, url_prefix="/workbench")
    app.blueprint(bp)

Routes (under ``url_prefix``):
    GET /dashboard                      the page (HTML, no inline script, no data in it)
    GET /api/metrics?hours=24[&until=]  the figures as JSON (shop.metrics.figures.dashboard)
    GET /dashboard/static/<name>        dashboard.js, dashboard.css, chart.umd.min.js

``guard(request)`` is awaited first in every handler; whatever response it returns
(a redirect to the login, a 401) is sent instead. The page fetches the JSON API
every few seconds and writes every value with textContent.
"""
from __future__ import annotations

import asyncio
import html
import logging
import math
from pathlib import Path
from typing import Awaitable, Callable, Optional
from uuid import uuid4

from sanic import Blueprint, HTTPResponse, Request, response
from sqlalchemy.exc import SQLAlchemyError

from shop.metrics import aggregates
from shop.metrics.reader import MAX_RANGE_S, load_dashboard

logger = logging.getLogger(__name__)

Guard = Callable[[Request], Awaitable[Optional[HTTPResponse]]]

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_FILES = {
    "dashboard.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
    "chart.umd.min.js": "text/javascript; charset=utf-8",
}
POLL_SECONDS = 5

SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _page(prefix: str, poll_seconds: float) -> str:
    p = html.escape(prefix, quote=True)

    def fig(testid: str, label: str, target: str) -> str:
        return (f'<div class="figure" id="{testid}" data-testid="{testid}" data-state="nodata">'
                f'<div class="label">{label}</div>'
                f'<div class="value" data-testid="{testid}-value">–</div>'
                f'<div class="target">{target}</div>'
                f'<div class="status" data-testid="{testid}-status">无数据 no data</div>'
                f'<div class="samples" data-testid="{testid}-samples"></div></div>')

    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>客服实时看板 · Service dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{p}/dashboard/static/dashboard.css">
<script src="{p}/dashboard/static/chart.umd.min.js" defer></script>
<script src="{p}/dashboard/static/dashboard.js" defer></script>
</head>
<body data-api="{p}/api/metrics" data-poll-seconds="{poll_seconds:g}">
<header><h1>客服实时看板 <small>Service dashboard</small></h1>
<form id="range-form"><label for="range-hours">时间范围 Range</label>
<select id="range-hours" data-testid="range-hours"><option value="6">6 h</option>
<option value="24" selected>24 h</option><option value="72">3 d</option><option value="168">7 d</option></select></form>
<p class="meta">更新于 Updated <span id="updated-at" data-testid="updated-at">–</span>
<span id="load-error" data-testid="load-error" class="error" hidden></span></p></header>
<main>
<section class="figures" aria-label="Figures">
{fig("avg-response-bot", "平均响应时间 · 机器人 (最近100次回复)", "目标 target &lt; 30 s")}
{fig("avg-response-human", "平均响应时间 · 人工 (最近100次回复)", "目标 target &lt; 30 s")}
{fig("first-contact-resolution", "首次解决率 First-contact resolution", "目标 target &gt; 85%")}
{fig("satisfaction", "满意度 Satisfaction", "目标 target &gt; 4.5 ★")}
</section>
<section class="charts">
<figure><figcaption>平均响应时间 (按小时) Response time by hour, s</figcaption><canvas id="chart-response"></canvas></figure>
<figure><figcaption>首次解决率与满意度 (按小时) FCR and satisfaction by hour</figcaption><canvas id="chart-quality"></canvas></figure>
<figure><figcaption>各渠道 Per channel</figcaption><canvas id="chart-channels"></canvas></figure>
</section>
<section><h2>各渠道 Per channel</h2>
<table id="channels-table" data-testid="channels-table"><thead><tr><th>渠道 Channel</th><th>机器人响应 Bot s</th>
<th>人工响应 Human s</th><th>首次解决率 FCR</th><th>满意度 Satisfaction</th></tr></thead><tbody></tbody></table>
</section>
</main></body></html>
"""


def _json_error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status, headers=SECURITY_HEADERS)


def _number(raw: Optional[str], name: str, default: Optional[float], low: float, high: float) -> Optional[float]:
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g}")
    return value


def dashboard_blueprint(tracker_db_url: str, shop_db_url: str, guard: Guard, url_prefix: str = "",
                        poll_seconds: float = POLL_SECONDS, aggregates_url: Optional[str] = None) -> Blueprint:
    """The dashboard's routes; mount with ``app.blueprint(...)`` after the login is set up.

    With ``aggregates_url`` the figures come from the aggregates the broker's consumer keeps
    (shop.metrics.aggregates, shop.metrics.consumer) instead of a scan of the tracker store.
    """
    if not 1 <= poll_seconds <= 600:
        raise ValueError(f"poll_seconds must be between 1 and 600, got {poll_seconds!r}")
    if not callable(guard):
        raise TypeError("guard must be an async callable guard(request) -> Optional[HTTPResponse]")
    prefix = url_prefix.rstrip("/")
    if prefix and not prefix.startswith("/"):
        raise ValueError(f"url_prefix must start with '/', got {url_prefix!r}")
    # Sanic wants unique blueprint names per app; tests mount several.
    bp = Blueprint(f"shop_dashboard_{uuid4().hex[:8]}", url_prefix=prefix or None)
    page = _page(prefix, poll_seconds)

    @bp.get("/dashboard")
    async def dashboard_page(request: Request) -> HTTPResponse:
        refused = await guard(request)
        if refused is not None:
            return refused
        return response.html(page, headers=SECURITY_HEADERS)

    @bp.get("/dashboard/static/<name:str>")
    async def dashboard_static(request: Request, name: str) -> HTTPResponse:
        refused = await guard(request)
        if refused is not None:
            return refused
        content_type = STATIC_FILES.get(name)  # a fixed list: nothing else under the folder is served
        if content_type is None:
            return _json_error(404, "no such file")
        body = (STATIC_DIR / name).read_bytes()
        return response.raw(body, content_type=content_type,
                            headers={**SECURITY_HEADERS, "Cache-Control": "private, max-age=300"})

    @bp.get("/api/metrics")
    async def metrics_api(request: Request) -> HTTPResponse:
        refused = await guard(request)
        if refused is not None:
            return refused
        try:
            hours = _number(request.args.get("hours"), "hours", 24, 1, MAX_RANGE_S / 3600)
            until = _number(request.args.get("until"), "until", None, 0, 32503680000)
        except ValueError as e:
            return _json_error(400, str(e))
        loop = asyncio.get_running_loop()
        try:
            # SQLAlchemy and the sentiment model are synchronous: keep them off the event loop.
            if aggregates_url:
                result = await loop.run_in_executor(None, lambda: aggregates.load_dashboard(
                    aggregates_url, shop_db_url, hours, until))
            else:
                result = await loop.run_in_executor(None, lambda: load_dashboard(tracker_db_url, shop_db_url,
                                                                                 hours, until))
        except SQLAlchemyError:
            logger.exception("dashboard: reading the stores failed")
            return _json_error(503, "the conversation or shop store cannot be read right now")
        return response.json(result, headers=SECURITY_HEADERS)

    return bp
