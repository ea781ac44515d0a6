"""A guard in front of Rasa's HTTP API: its URLs and JSON as they are, minus the server errors.

Rasa 3.6's handlers turn almost any unexpected input into a 500 (``{"text": 5}`` on
``/model/parse``, a body that is not an object, an unknown action name, deep nesting),
and ``/model/parse`` runs NLU on text of any length on the event loop. ``install(app,
token)`` adds one request middleware that, for the API's routes only (not
``/webhooks/``), checks the token first (Rasa's ``?token=``; 401 in Rasa's error JSON),
then the shape of each body, and refuses what Rasa would fail on with a 4xx in Rasa's
error format. Text is capped at ``MAX_TEXT_CHARS`` and cleaned of unstorable
characters, as on the channels.

Off by default, because they run for minutes or reach the network on the serving
process: ``/model/train``, ``/model/test/*``, ``PUT``/``DELETE /model`` and any
``callback_url`` (a POST to an arbitrary address) answer 403 unless
``SHOP_RASA_API_ADMIN=1``. One exception, for promoting a reviewed retrain without a restart
(scripts/retrain.py, make rollback): ``PUT /model`` with exactly ``{"model_file": F}`` where F is
an existing ``*.tar.gz`` inside the project's models/ folder (``SHOP_MODELS_DIR``); no model
server, no remote storage, nothing outside that folder.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from http import HTTPStatus
from typing import Any, Optional
from urllib.parse import unquote

import rasa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.common import MAX_ID_CHARS, MAX_TEXT_CHARS
from shop.inputs import BadInput, check_json, clean_value, is_storable, parse_json, same_secret

MAX_API_BODY_BYTES = 1024 * 1024      # a conversation's events, a message: far smaller
MAX_REQUEST_BYTES = 8 * 1024 * 1024   # anything Sanic reads whole (routes that do not stream)
MAX_CONVERSATION_ID_CHARS = 160       # "miniprogram:" + a platform id
MAX_EVENTS = 5000
ADMIN_ENV = "SHOP_RASA_API_ADMIN"


def _event_types() -> frozenset:
    found, stack = set(), [Event]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if isinstance(getattr(cls, "type_name", None), str):
            found.add(cls.type_name)
    return frozenset(found - {"event"})


# Rasa's own events (rasa.shared.core.events); anything else is refused before Rasa sees it.
EVENT_TYPES = _event_types()

# Rasa's routes take the id as a <path> (slashes, even a leading one: /conversations//x/messages).
_CONVERSATION = re.compile(r"^/conversations/(?P<id>.+)/(?P<rest>tracker/events|tracker|story|"
                           r"execute|trigger_intent|predict|messages)$", re.S)
_ADMIN_ROUTES = {("POST", "/model/train"), ("POST", "/model/test/stories"), ("POST", "/model/test/intents"),
                 ("PUT", "/model"), ("DELETE", "/model")}


def harden_http(app: Sanic) -> None:
    """What every route of ``app`` needs, the channels included.

    A request Sanic 21.12 cannot even read (``Content-Length: abc``) raises a ValueError in
    its HTTP parser, before any route, and became a 500; it is the client's mistake: 400.
    A ValueError inside a handler is still a 500 (a bug to see, not to hide). Bodies Sanic
    reads whole are capped at ``MAX_REQUEST_BYTES`` (its default is 100 MB); the channels
    stream theirs and refuse at their own, smaller limits.
    """
    app.config.REQUEST_MAX_SIZE = MAX_REQUEST_BYTES
    default = app.error_handler.default

    def unreadable(request: Request, exception: Exception) -> HTTPResponse:
        if request is None or getattr(request, "route", None) is None:
            return response.json({"error": "malformed HTTP request"}, status=400)
        return default(request, exception)

    app.error_handler.add(ValueError, unreadable)


def install(app: Sanic, token: Optional[str]) -> None:
    """Guards ``app``'s HTTP API routes (call before the server starts)."""
    harden_http(app)

    async def guard(request: Request) -> Optional[HTTPResponse]:
        if request.path.startswith("/webhooks/") or request.path in ("/", "/version"):
            return None
        try:
            check(request, token)
        except Refusal as e:
            return e.response()
        return None

    app.register_middleware(guard, "request")


class Refusal(Exception):
    def __init__(self, status: HTTPStatus, reason: str, message: str) -> None:
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message

    def response(self) -> HTTPResponse:
        # Rasa's ErrorResponse body, so clients of the API read refusals as they always have.
        return response.json({"version": rasa.__version__, "status": "failure", "message": self.message,
                              "reason": self.reason, "details": {}, "help": None, "code": self.status.value},
                             status=self.status.value)


def bad(message: str) -> Refusal:
    return Refusal(HTTPStatus.BAD_REQUEST, "BadRequest", message)


MODELS_DIR_ENV = "SHOP_MODELS_DIR"
_ROOT = Path(__file__).resolve().parent.parent


def _local_model_swap(request: Request) -> bool:
    """A PUT /model that only names one of this project's trained models."""
    if request.method != "PUT" or (request.path.rstrip("/") or "/") != "/model" or set(request.args) - {"token"}:
        return False
    if len(request.body or b"") > 4096:
        return False
    try:
        body = parse_json(request.body or b"")
    except BadInput:
        return False
    if not isinstance(body, dict) or set(body) != {"model_file"} or not isinstance(body["model_file"], str):
        return False
    models = Path(os.environ.get(MODELS_DIR_ENV) or _ROOT / "models").resolve()
    try:
        target = Path(body["model_file"]).resolve()
    except (OSError, ValueError):
        return False
    return target.name.endswith(".tar.gz") and target.parent == models and target.is_file()


def check(request: Request, token: Optional[str]) -> None:
    """Refuses (``Refusal``) what the route's Rasa handler would fail on; may clean ``request``'s JSON."""
    given = request.args.get("token")
    if not token or not isinstance(given, str) or not same_secret(given, token):
        raise Refusal(HTTPStatus.UNAUTHORIZED, "NotAuthenticated", "User is not authenticated.")
    if (request.method, request.path.rstrip("/") or "/") in _ADMIN_ROUTES or request.path.startswith("/model/test"):
        if os.environ.get(ADMIN_ENV) != "1" and not _local_model_swap(request):
            raise Refusal(HTTPStatus.FORBIDDEN, "Disabled",
                          f"Training, testing and replacing the model are off on this server ({ADMIN_ENV}=1 turns "
                          "them on); use make train / rasa test.")
        return
    if "callback_url" in request.args:
        raise Refusal(HTTPStatus.FORBIDDEN, "Disabled", "callback_url is not supported on this server")
    if len(request.body or b"") > MAX_API_BODY_BYTES:
        raise Refusal(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "TooLarge", f"body over {MAX_API_BODY_BYTES} bytes")
    path = request.path
    match = _CONVERSATION.match(path)
    if match:
        conversation_id = unquote(match.group("id"))  # as Sanic's router hands it to Rasa
        if not 0 < len(conversation_id) <= MAX_CONVERSATION_ID_CHARS or not is_storable(conversation_id):
            raise bad(f"conversation id must be 1-{MAX_CONVERSATION_ID_CHARS} characters without control characters")
        rest = match.group("rest")
        if request.method == "POST" and rest == "messages":
            body = _object(request)
            _text(body, "text")
            if body.get("sender") != "user":
                raise bad("only user messages can be added: sender must be \"user\"")
            if body.get("parse_data") is not None:
                _parse_data(body["parse_data"])
            _replace_json(request, clean_value(body))
        elif request.method == "POST" and rest == "trigger_intent":
            body = _object(request)
            name = body.get("name")
            if not isinstance(name, str) or not name or name not in _domain(request).intents:
                raise Refusal(HTTPStatus.NOT_FOUND, "NotFound", "name must be an intent of the domain")
            _entities(body.get("entities"))
            _replace_json(request, clean_value(body))
        elif request.method == "POST" and rest == "execute":
            body = _object(request)
            name = body.get("name")
            if not isinstance(name, str) or not name or name not in _domain(request).action_names_or_texts:
                raise Refusal(HTTPStatus.NOT_FOUND, "NotFound", "name must be an action of the domain")
            if body.get("policy") is not None and not isinstance(body["policy"], str):
                raise bad("policy must be a string")
            confidence = body.get("confidence")
            if confidence is not None and (isinstance(confidence, bool) or not isinstance(confidence, (int, float))
                                           or not 0 <= confidence <= 1):
                raise bad("confidence must be a number from 0 to 1")
            _replace_json(request, clean_value(body))
        elif rest == "tracker/events" and request.method in ("POST", "PUT"):
            _events(request, allow_one=request.method == "POST")
        elif rest == "predict" and request.body:
            raise bad("predict takes no body")
        return
    if request.method == "POST" and path == "/model/parse":
        if request.args.get("emulation_mode") is not None:
            raise bad("emulation_mode is not supported on this server; use Rasa's own format")
        body = _object(request)
        _text(body, "text")
        if body.get("message_id") is not None and not (isinstance(body["message_id"], str)
                                                       and 0 < len(body["message_id"]) <= MAX_ID_CHARS):
            raise bad(f"message_id must be a string of 1-{MAX_ID_CHARS} characters")
        _replace_json(request, clean_value(body))
    elif request.method == "POST" and path == "/model/predict":
        _events(request, allow_one=False)


def _json(request: Request) -> Any:
    try:
        return parse_json(request.body or b"")
    except BadInput as e:
        raise bad(str(e)) from None


def _object(request: Request) -> dict:
    body = _json(request)
    if not isinstance(body, dict):
        raise bad("body must be a JSON object")
    return body


def _replace_json(request: Request, body: Any) -> None:
    # What Rasa's handler reads as request.json: the checked and cleaned body.
    request.parsed_json = body


def _text(body: dict, key: str) -> None:
    text = body.get(key)
    if not isinstance(text, str):
        raise bad(f"{key} must be a string")
    if len(text) > MAX_TEXT_CHARS:
        raise bad(f"{key} is longer than {MAX_TEXT_CHARS} characters")


def _parse_data(parse_data: Any) -> None:
    """NLU output given by the client: Rasa reads its intent and entities without checking."""
    if not isinstance(parse_data, dict):
        raise bad("parse_data must be an object")
    intent = parse_data.get("intent")
    confidence = intent.get("confidence") if isinstance(intent, dict) else None
    if not (isinstance(intent, dict) and isinstance(intent.get("name"), str) and intent["name"]
            and isinstance(confidence, (int, float)) and not isinstance(confidence, bool) and 0 <= confidence <= 1):
        raise bad("parse_data.intent must be {\"name\": string, \"confidence\": number from 0 to 1}")
    _entity_list(parse_data.get("entities"), "parse_data.entities")
    ranking = parse_data.get("intent_ranking")
    if ranking is not None and not (isinstance(ranking, list) and all(isinstance(r, dict) for r in ranking)):
        raise bad("parse_data.intent_ranking must be a list of objects")


def _entities(entities: Any) -> None:
    if entities is None or isinstance(entities, dict) and all(
            isinstance(v, (str, int, float, bool)) or v is None for v in entities.values()):
        return
    if isinstance(entities, list):
        _entity_list(entities, "entities")
        return
    raise bad("entities must be an object of name: value, or a list of {\"entity\": ..., \"value\": ...}")


def _entity_list(entities: Any, where: str) -> None:
    if not isinstance(entities, list) or not all(
            isinstance(e, dict) and isinstance(e.get("entity"), str) and "value" in e for e in entities):
        raise bad(f"{where} must be a list of {{\"entity\": string, \"value\": ...}}")


def _domain(request: Request) -> Domain:
    agent = getattr(request.app.ctx, "agent", None)
    if agent is None or agent.domain is None:
        raise Refusal(HTTPStatus.CONFLICT, "Conflict", "No agent loaded.")
    return agent.domain


def _events(request: Request, allow_one: bool) -> None:
    """Events Rasa can read and apply: checked by reading them into a scratch tracker first."""
    body = _json(request)
    events = [body] if allow_one and isinstance(body, dict) else body
    if not isinstance(events, list) or not events or len(events) > MAX_EVENTS:
        raise bad(f"body must be a list of 1-{MAX_EVENTS} events" + (" or one event" if allow_one else ""))
    for event in events:
        if not isinstance(event, dict) or not isinstance(event.get("event"), str) or event["event"] not in EVENT_TYPES:
            raise bad("every event needs \"event\": one of Rasa's event types")
    check_json(events)
    domain = _domain(request)
    try:
        scratch = DialogueStateTracker("shop-api-check", domain.slots)
        for parsed in (Event.from_parameters(e) for e in events):
            if parsed is None:
                raise ValueError("not an event")
            scratch.update(parsed, domain)
        scratch.current_state()
    except Exception as e:  # whatever Rasa would fail on later, now as the client's mistake
        raise bad(f"events cannot be applied: {type(e).__name__}: {e}"[:500]) from None
    _replace_json(request, clean_value(body))
