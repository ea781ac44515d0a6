"""The live service dashboard, served by the Rasa server under /webhooks/dashboard/.

Listed in credentials.yml as ``shop.workbench.dashboard.DashboardInput`` beside the
workbench, whose sign-in it shares (the session cookie's path is /webhooks/): a
manager or agent signed in to the workbench sees the dashboard, nobody else.
Figures come from Rasa's tracker store (``$SHOP_TRACKER_DB_URL``, default the
SQLite file endpoints.yml names) and the shop store's ratings (``$SHOP_DB_URL``); with
``$SHOP_METRICS_DB_URL`` set (the production profile, where ``python -m shop.metrics.consumer``
keeps them from Rasa's event broker) from the aggregates there instead of a scan.
"""
from __future__ import annotations

import os
from typing import Any, Awaitable, Callable, Mapping, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from shop.metrics.web import dashboard_blueprint
from shop.store.settings import db_url
from shop.workbench.channel import WorkbenchInput

PREFIX = "/webhooks/dashboard"
DEFAULT_TRACKER_DB_URL = "sqlite:///var/tracker.db"  # endpoints.yml's tracker_store


class DashboardInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "dashboard"

    @classmethod
    def from_credentials(cls, credentials: Optional[Mapping[str, Any]]) -> "DashboardInput":
        credentials = credentials or {}
        return cls(tracker_db_url=os.environ.get(credentials.get("tracker_db_url_env") or "SHOP_TRACKER_DB_URL"),
                   aggregates_url=os.environ.get("SHOP_METRICS_DB_URL") or None)

    def __init__(self, tracker_db_url: Optional[str] = None, shop_db_url: Optional[str] = None,
                 login: Optional[WorkbenchInput] = None, aggregates_url: Optional[str] = None) -> None:
        self.tracker_db_url = tracker_db_url or DEFAULT_TRACKER_DB_URL
        self.aggregates_url = aggregates_url
        self.shop_db_url = shop_db_url or db_url()
        self.login = login or WorkbenchInput()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = dashboard_blueprint(self.tracker_db_url, self.shop_db_url, self.login.guard, url_prefix=PREFIX,
                                 aggregates_url=self.aggregates_url)

        @bp.get("/")
        async def home(request: Request) -> HTTPResponse:
            return response.redirect(PREFIX + "/dashboard")

        return bp
