"""The agents' workbench, served by the Rasa server itself under /webhooks/workbench/.

Listed in credentials.yml as ``shop.workbench.channel.WorkbenchInput``. Living in
the Rasa process gives it the conversations (the agent's tracker store, under the
lock store's per-conversation lock, as Rasa's own HTTP API does) and the app
channel's open streams, so an agent's reply leaves on the shopper's own channel.

Pages: ``login``, ``/`` (queue + conversation). JSON (all need the session
cookie; POSTs also the ``X-CSRF-Token`` header and a same-origin ``Origin``):
``api/me``, ``api/board``, ``api/handoffs/<id>``, ``api/handoffs/<id>/take``,
``api/handoffs/<id>/reply`` ``{"text": ...}``, ``api/handoffs/<id>/release``; the review page
and its API (reviewers label misunderstood messages; agents flag them) in shop/workbench/review.py.
"""
from __future__ import annotations

import html
import json
import logging
import math
import time
from collections import OrderedDict, deque
from functools import lru_cache
from pathlib import Path
from typing import Any, Awaitable, Callable, Mapping, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationPaused, ConversationResumed
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.outbound import send_text
from shop.handoff import HandoffError, HandoffQueue
from shop.inputs import BadInput, clean_text, parse_json, same_secret
from shop.store.session import session_factory
from shop.media import MediaRejected, media_store
from shop.workbench import history, review
from shop.workbench.tickets import ticket_photo_id, tickets_for
from shop.workbench.accounts import USERNAME, Accounts, SignedIn

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
COOKIE = "shop_workbench"
# Rasa mounts every channel at /webhooks/<name>; the dashboard's guard redirects here too.
HOME_PATH = "/webhooks/workbench/"
LOGIN_PATH = HOME_PATH + "login"
MAX_REPLY_CHARS = 1000
MAX_FORM_BYTES = 4096
MAX_JSON_BYTES = 16 * 1024  # a reply of 1,000 characters, escaped, is well under this
MAX_ID = 2 ** 31 - 1  # ids in the URLs are 32-bit integer columns
RATING_QUESTION = "utter_ask_rating"
SECURITY_HEADERS = {
    # Everything the pages need is served from here; no inline script, so injected markup cannot run.
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class LoginThrottle:
    """Failed sign-ins slow down whoever fails, never the account for everyone.

    Per username *and* address: the first ``free`` failures cost nothing; after that each
    failure doubles the wait before that pair may try again (1 s, 2 s, 4 s … up to
    ``max_delay``). A wrong password typed somewhere else is another pair, so nobody can
    lock an agent out from elsewhere. Per address, across usernames: at most
    ``per_address`` failures in ``window`` (password spraying), then that address waits
    for the window. A success clears its pair. Memory is bounded: at most ``max_keys``
    pairs and addresses are remembered, the least recently failed forgotten first.
    """

    def __init__(self, free: int = 3, max_delay: float = 900, per_address: int = 30, window: float = 900,
                 clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000) -> None:
        self.free, self.max_delay, self.per_address, self.window = free, max_delay, per_address, window
        self.clock, self.max_keys = clock, max_keys
        self._pairs: OrderedDict[tuple[str, str], tuple[int, float]] = OrderedDict()  # failures, last failure
        self._addresses: OrderedDict[str, deque] = OrderedDict()

    def retry_after(self, username: str, address: str) -> float:
        """Seconds until this username may be tried from this address again (0: now)."""
        now = self.clock()
        waits = [0.0]
        failures, last = self._pairs.get((username.lower(), address), (0, now))
        if failures >= self.free:
            waits.append(last + min(self.max_delay, 2.0 ** (failures - self.free)) - now)
        recent = self._recent(address, now)
        if len(recent) >= self.per_address:
            waits.append(recent[0] + self.window - now)
        return max(waits)

    def failed(self, username: str, address: str) -> None:
        now = self.clock()
        key = (username.lower(), address)
        failures, _ = self._pairs.pop(key, (0, now))
        self._pairs[key] = (failures + 1, now)
        recent = self._recent(address, now)
        recent.append(now)
        self._addresses.move_to_end(address)
        for table in (self._pairs, self._addresses):
            while len(table) > self.max_keys:
                table.popitem(last=False)

    def succeeded(self, username: str, address: str) -> None:
        self._pairs.pop((username.lower(), address), None)

    def _recent(self, address: str, now: float) -> deque:
        q = self._addresses.setdefault(address, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q


def _headers(extra: Optional[Mapping[str, str]] = None) -> dict:
    return {**SECURITY_HEADERS, **(extra or {})}


def _json(body: Any, status: int = 200) -> HTTPResponse:
    return response.json(body, status=status, headers=_headers(),
                         dumps=lambda b: json.dumps(b, ensure_ascii=False, separators=(",", ":")))


def _ids_in_range(kwargs: Mapping[str, Any]) -> bool:
    # Sanic's <id:int> takes any number of digits; the database's integers do not.
    return all(0 < v <= MAX_ID for v in kwargs.values() if isinstance(v, int))


def _error(status: int, code: str, message: str) -> HTTPResponse:
    return _json({"error": code, "message": message}, status)


@lru_cache(maxsize=None)
def _template(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def _page(name: str, status: int = 200, **values: str) -> HTTPResponse:
    text = _template(name)
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", html.escape(value, quote=True))
    return response.html(text, status=status, headers=_headers())


class WorkbenchInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "workbench"

    @classmethod
    def from_credentials(cls, credentials: Optional[Mapping[str, Any]]) -> "WorkbenchInput":
        credentials = credentials or {}
        return cls(secure_cookie=bool(credentials.get("secure_cookie", False)),
                   session_hours=float(credentials.get("session_hours") or 12))

    def __init__(self, secure_cookie: bool = False, session_hours: float = 12,
                 sessions=None, clock=None, throttle: Optional[LoginThrottle] = None) -> None:
        self.secure_cookie = secure_cookie
        self._store = sessions  # built lazily: loading credentials must not open a database
        self._clock = clock
        self.session_hours = session_hours
        self.throttle = throttle or LoginThrottle()

    # -- the shop's store --------------------------------------------------------------
    def _sessions(self):
        if self._store is None:
            self._store = session_factory()
        return self._store

    def accounts(self) -> Accounts:
        kwargs = {"clock": self._clock} if self._clock else {}
        return Accounts(self._sessions(), session_hours=self.session_hours, **kwargs)

    def queue(self) -> HandoffQueue:
        kwargs = {"clock": self._clock} if self._clock else {}
        return HandoffQueue(self._sessions(), **kwargs)

    # -- who is asking -----------------------------------------------------------------
    def signed_in(self, request: Request) -> Optional[SignedIn]:
        return self.accounts().session(request.cookies.get(COOKIE))

    def check_post(self, request: Request, who: SignedIn) -> Optional[HTTPResponse]:
        """CSRF: the session's token in a header (a form on another site cannot set headers),
        and a same-origin Origin when the browser sends one."""
        given = request.headers.get("x-csrf-token") or ""
        if not same_secret(given, who.csrf_token):
            return _error(403, "csrf", "缺少或错误的 CSRF 令牌，请刷新页面")
        origin = request.headers.get("origin")
        if origin and origin.split("://", 1)[-1] != request.host:
            return _error(403, "origin", "跨站请求被拒绝")
        return None

    async def guard(self, request: Request) -> Optional[HTTPResponse]:
        """For pages mounted beside the workbench (the dashboard): None when signed in."""
        if self.signed_in(request) is None:
            if "/api/" in request.path:
                return _error(401, "login", "请先登录")
            return response.redirect(LOGIN_PATH)
        return None

    # -- the routes ----------------------------------------------------------------------
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("workbench_webhook", __name__)
        bp.static("/static", str(STATIC), name="static")

        def api(handler):
            async def wrapped(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
                who = self.signed_in(request)
                if who is None:
                    return _error(401, "login", "请先登录")
                if not _ids_in_range(kwargs):
                    return _error(404, "unknown", "没有这个会话")
                if request.method == "POST":
                    refused = self.check_post(request, who)
                    if refused is not None:
                        return refused
                try:
                    return await handler(request, who, *args, **kwargs)
                except HandoffError as e:
                    return _error(404 if e.code == "unknown" else 409, e.code, str(e))
            wrapped.__name__ = handler.__name__
            return wrapped

        @bp.route("/", methods=["GET"])
        async def home(request: Request) -> HTTPResponse:
            if self.signed_in(request) is None:
                return response.redirect(LOGIN_PATH)
            return _page("workbench.html")

        @bp.route("/login", methods=["GET"])
        async def login(request: Request) -> HTTPResponse:
            return _page("login.html", error="", username="")

        @bp.route("/login", methods=["POST"])
        async def login_post(request: Request) -> HTTPResponse:
            if len(request.body or b"") > MAX_FORM_BYTES:
                return _error(413, "too_large", "请求过大")
            origin = request.headers.get("origin")
            if origin and origin.split("://", 1)[-1] != request.host:
                return _error(403, "origin", "跨站请求被拒绝")
            form = _login_form(request)
            if form is None:
                return _page("login.html", status=400, error="请填写用户名和密码", username="")
            username, password = form
            shown = clean_text(username[:64])
            wait = self.throttle.retry_after(username, request.ip)
            if wait > 0:
                resp = _page("login.html", status=429, username=shown,
                             error=f"登录失败次数过多，请 {math.ceil(wait)} 秒后再试")
                resp.headers["Retry-After"] = str(math.ceil(wait))
                return resp
            # A username no agent could have is checked all the same (authenticate runs the
            # hash either way), so the answer and its time say nothing about which names exist.
            agent = self.accounts().authenticate(username if USERNAME.match(username) else "", password)
            if agent is None:
                self.throttle.failed(username, request.ip)
                return _page("login.html", status=401, error="用户名或密码错误", username=shown)
            self.throttle.succeeded(username, request.ip)
            token, who = self.accounts().open_session(agent)
            resp = response.redirect(HOME_PATH)
            resp.cookies[COOKIE] = token
            cookie = resp.cookies[COOKIE]
            cookie["httponly"] = True
            cookie["samesite"] = "Strict"
            cookie["path"] = "/webhooks/"
            cookie["max-age"] = int(self.session_hours * 3600)
            if self.secure_cookie:
                cookie["secure"] = True
            return resp

        @bp.route("/logout", methods=["POST"])
        @api
        async def logout(request: Request, who: SignedIn) -> HTTPResponse:
            self.accounts().close_session(request.cookies.get(COOKIE))
            resp = _json({"ok": True})
            del resp.cookies[COOKIE]
            return resp

        @bp.route("/api/me", methods=["GET"])
        @api
        async def me(request: Request, who: SignedIn) -> HTTPResponse:
            return _json({"username": who.agent.username, "display_name": who.agent.display_name,
                          "roles": list(who.agent.roles), "csrf_token": who.csrf_token})

        @bp.route("/api/board", methods=["GET"])
        @api
        async def board(request: Request, who: SignedIn) -> HTTPResponse:
            return _json({"handoffs": [v.as_json() for v in self.queue().board()]})

        @bp.route("/api/handoffs/<handoff_id:int>", methods=["GET"])
        @api
        async def show(request: Request, who: SignedIn, handoff_id: int) -> HTTPResponse:
            view = self.queue().get(handoff_id)
            agent = request.app.ctx.agent
            tracker = await agent.tracker_store.retrieve(view.conversation_id)
            events = [e.as_dict() for e in tracker.events] if tracker else []
            slots = tracker.current_slot_values() if tracker else {}
            return _json({"handoff": view.as_json(), "turns": history.turns(events),
                          "context": history.context(slots), "paused": bool(tracker and tracker.is_paused()),
                          "tickets": tickets_for(self._sessions(), view.conversation_id),
                          "quick_replies": history.quick_replies(agent.domain.responses if agent.domain else {})})

        @bp.route("/api/handoffs/<handoff_id:int>/tickets/<ticket_id:int>/photo", methods=["GET"])
        @api
        async def ticket_photo(request: Request, who: SignedIn, handoff_id: int, ticket_id: int) -> HTTPResponse:
            view = self.queue().get(handoff_id)
            media_id = ticket_photo_id(self._sessions(), view.conversation_id, ticket_id)
            if not media_id:
                return _error(404, "unknown", "没有这张照片")
            try:
                stored = media_store().get(media_id)
            except MediaRejected:
                return _error(404, "unknown", "照片已不在存储中")
            return response.raw(stored.path.read_bytes(), content_type=stored.mime,
                                headers=_headers({"Content-Disposition": "inline"}))

        @bp.route("/api/handoffs/<handoff_id:int>/take", methods=["POST"])
        @api
        async def take(request: Request, who: SignedIn, handoff_id: int) -> HTTPResponse:
            view = self.queue().take(handoff_id, who.agent.username)
            # A request left while nobody was on duty kept the bot on (actions/handoff.py): from now on
            # the agent answers, so the bot pauses — as it does for a handoff taken from a live queue.
            await _pause(request, view.conversation_id)
            return _json({"handoff": view.as_json()})

        @bp.route("/api/handoffs/<handoff_id:int>/reply", methods=["POST"])
        @api
        async def reply(request: Request, who: SignedIn, handoff_id: int) -> HTTPResponse:
            text = _reply_text(request)
            if isinstance(text, HTTPResponse):
                return text
            view = self.queue().check_serving(handoff_id, who.agent.username)
            delivery = await send_text(view.conversation_id, text, who.agent.username)
            # Recorded whatever the push did: the agent sees a failed delivery and nothing is lost.
            await _append(request, view.conversation_id, [
                BotUttered(text, metadata={"agent": who.agent.username, "handoff_id": view.id,
                                           "delivery": delivery.status})])
            return _json({"delivery": delivery.as_json()})

        @bp.route("/api/handoffs/<handoff_id:int>/release", methods=["POST"])
        @api
        async def release(request: Request, who: SignedIn, handoff_id: int) -> HTTPResponse:
            view = self.queue().release(handoff_id, who.agent.username)
            domain = request.app.ctx.agent.domain
            question = _first_text(domain.responses.get(RATING_QUESTION) if domain else None)
            events = [ConversationResumed()]
            delivery = None
            if question:
                delivery = await send_text(view.conversation_id, question, who.agent.username)
                # As if the bot had asked: the rating rule (utter_ask_rating → a number) applies.
                events += [ActionExecuted(RATING_QUESTION), BotUttered(question, metadata={"delivery": delivery.status}),
                           ActionExecuted(ACTION_LISTEN_NAME)]
            await _append(request, view.conversation_id, events)
            return _json({"handoff": view.as_json(), "delivery": delivery.as_json() if delivery else None})

        review.add_routes(bp, self, api, _json, _error, _page)
        return bp


def _login_form(request: Request) -> Optional[tuple[str, str]]:
    """Username and password of a sign-in form, or None for anything that is not one."""
    if (request.content_type or "").split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        return None
    try:
        form = request.form or {}
    except Exception:  # Sanic's form parsing of a malformed body
        return None
    username, password = form.get("username"), form.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username.strip() or not password:
        return None
    return username.strip(), password


def _reply_text(request: Request) -> Any:
    if len(request.body or b"") > MAX_JSON_BYTES:
        return _error(413, "too_large", "请求过大")
    try:
        body = parse_json(request.body or b"")
    except BadInput:
        return _error(400, "malformed", "请求体不是 JSON")
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str) or not text.strip():
        return _error(400, "empty", "回复内容不能为空")
    if len(text) > MAX_REPLY_CHARS:
        return _error(400, "too_long", f"回复最多 {MAX_REPLY_CHARS} 字")
    # Kept as typed where it can be; what no store can hold becomes U+FFFD rather than a lost reply.
    return clean_text(text.strip())


def _first_text(variations: Optional[list]) -> Optional[str]:
    return next((v["text"] for v in variations or [] if isinstance(v, dict) and v.get("text")), None)


async def _pause(request: Request, conversation_id: str) -> None:
    agent = request.app.ctx.agent
    async with agent.lock_store.lock(conversation_id):
        tracker = await agent.tracker_store.get_or_create_tracker(conversation_id)
        if not tracker.is_paused():
            tracker.update(ConversationPaused(), agent.domain)
            await agent.tracker_store.save(tracker)


async def _append(request: Request, conversation_id: str, events: list) -> None:
    agent = request.app.ctx.agent
    async with agent.lock_store.lock(conversation_id):
        tracker = await agent.tracker_store.get_or_create_tracker(conversation_id)
        for event in events:
            tracker.update(event, agent.domain)
        await agent.tracker_store.save(tracker)
