"""The workbench's review page: reviewers label what the assistant misunderstood (issue 19).

Routes on the workbench's blueprint (same sign-in, CSRF and security headers):

- ``GET review`` the page (signed-in agents with the ``reviewer`` role);
- ``GET api/review/groups?status=open|labelled|confirmed|ignored|all&limit=&offset=``
  → ``{counts, groups, intents, entities, me}``, groups most frequent first;
- ``GET api/review/groups/<id>`` → the group, its (masked) messages with context, every label given;
- ``POST api/review/groups/<id>/label`` ``{"intent": name|"noise", "entities": [{start, end, entity}
  | {entity, value}]}`` → labels, or overrides another reviewer's label;
- ``POST api/review/groups/<id>/confirm`` → a second reviewer agrees;
- ``POST api/handoffs/<id>/flag`` ``{"message_id": ...}`` → any agent flags a shopper message from
  the conversation view; it enters the queue masked, with reason ``flagged``.

Errors: 400 invalid, 403 not a reviewer, 404 unknown, 409 conflict / same reviewer, 413 too large.
"""
from __future__ import annotations

from typing import Any, Callable

from rasa.shared.core.constants import DEFAULT_INTENTS
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from shop.inputs import BadInput, parse_json
from shop.review.collect import fallback_threshold, flagged
from shop.review.queue import NOISE, ReviewError, ReviewQueue

MAX_BODY = 8 * 1024
# Rasa's own intents are not shoppers' requests and never a label; out_of_scope is also one of
# Rasa's, but the intent contract makes it a label of its own (chit-chat, other shops, jokes).
NOT_LABELS = frozenset(DEFAULT_INTENTS) - {"out_of_scope"}


def _domain_lists(request: Request) -> tuple[list[str], list[str]]:
    domain = request.app.ctx.agent.domain if getattr(request.app.ctx, "agent", None) else None
    intents = sorted(i for i in (domain.intents if domain else []) if i not in NOT_LABELS)
    return intents, list(domain.entities if domain else [])


def _body(request: Request, error: Callable[..., HTTPResponse]) -> Any:
    if len(request.body or b"") > MAX_BODY:
        return error(413, "too_large", "请求过大")
    try:
        return parse_json(request.body or b"{}")
    except BadInput:
        return error(400, "malformed", "请求体不是 JSON")


def _spans(text: str, entities: Any) -> Any:
    """Entities given by value are placed at the value's first occurrence (the page sends these)."""
    if not isinstance(entities, list):
        return entities
    out: list = []
    for e in entities:
        if isinstance(e, dict) and "start" not in e and isinstance(e.get("value"), str) and e["value"]:
            value, at = e["value"], text.find(e["value"])
            # the same words given twice (两条…两条) mean the next occurrence, not the same span
            while at >= 0 and any(isinstance(o, dict) and o.get("start") == at for o in out):
                at = text.find(value, at + 1)
            if at < 0:
                raise ReviewError("invalid", f"“{value[:20]}”不在这句话里")
            e = {"start": at, "end": at + len(value), "entity": e.get("entity")}
        out.append(e)
    return out


def add_routes(bp: Blueprint, workbench, api: Callable, json_response: Callable, error: Callable,
               page: Callable) -> None:
    """Registers the review routes; ``api`` is the workbench's signed-in/CSRF wrapper."""

    def queue() -> ReviewQueue:
        kwargs = {"clock": workbench._clock} if workbench._clock else {}
        return ReviewQueue(workbench._sessions(), **kwargs)

    def reviewer(handler):
        async def wrapped(request: Request, who, *args, **kwargs) -> HTTPResponse:
            if not who.agent.has("reviewer"):
                return error(403, "role", "需要审核员权限")
            try:
                return await handler(request, who, *args, **kwargs)
            except ReviewError as e:
                status = {"unknown": 404, "conflict": 409, "same_reviewer": 409}.get(e.code, 400)
                return error(status, e.code, str(e))
        wrapped.__name__ = handler.__name__
        return wrapped

    @bp.route("/review", methods=["GET"])
    async def review_page(request: Request) -> HTTPResponse:
        who = workbench.signed_in(request)
        if who is None:
            return response.redirect("/webhooks/workbench/login")
        if not who.agent.has("reviewer"):
            return error(403, "role", "需要审核员权限")
        return page("review.html")

    @bp.route("/api/review/groups", methods=["GET"])
    @api
    @reviewer
    async def review_groups(request: Request, who) -> HTTPResponse:
        status = request.args.get("status", "open")
        try:
            limit = int(request.args.get("limit", "50"))
            offset = int(request.args.get("offset", "0"))
        except ValueError:
            return error(400, "invalid", "limit 和 offset 必须是整数")
        if not (1 <= limit <= 200 and 0 <= offset <= 10 ** 6):
            return error(400, "invalid", "limit 1–200, offset ≥ 0")
        intents, entities = _domain_lists(request)
        q = queue()
        return json_response({"counts": q.counts(), "groups": q.groups(status, limit, offset),
                              "intents": intents + [NOISE], "entities": entities, "me": who.agent.username})

    @bp.route("/api/review/groups/<group_id:int>", methods=["GET"])
    @api
    @reviewer
    async def review_group(request: Request, who, group_id: int) -> HTTPResponse:
        return json_response(queue().group(group_id))

    @bp.route("/api/review/groups/<group_id:int>/label", methods=["POST"])
    @api
    @reviewer
    async def review_label(request: Request, who, group_id: int) -> HTTPResponse:
        body = _body(request, error)
        if isinstance(body, HTTPResponse):
            return body
        if not isinstance(body, dict):
            return error(400, "invalid", "请求体必须是对象")
        intents, entities = _domain_lists(request)
        q = queue()
        text = q.group(group_id)["text"]
        result = q.label(group_id, who.agent.username, body.get("intent"), _spans(text, body.get("entities")),
                         intents, entities)
        return json_response({"group": result})

    @bp.route("/api/review/groups/<group_id:int>/confirm", methods=["POST"])
    @api
    @reviewer
    async def review_confirm(request: Request, who, group_id: int) -> HTTPResponse:
        return json_response({"group": queue().confirm(group_id, who.agent.username)})

    @bp.route("/api/handoffs/<handoff_id:int>/flag", methods=["POST"])
    @api
    async def flag(request: Request, who, handoff_id: int) -> HTTPResponse:
        body = _body(request, error)
        if isinstance(body, HTTPResponse):
            return body
        message_id = body.get("message_id") if isinstance(body, dict) else None
        if not isinstance(message_id, str) or not 1 <= len(message_id) <= 64:
            return error(400, "invalid", "缺少 message_id")
        view = workbench.queue().get(handoff_id)
        tracker = await request.app.ctx.agent.tracker_store.retrieve(view.conversation_id)
        events = [e.as_dict() for e in tracker.events] if tracker else []
        candidate = flagged(view.conversation_id, events, message_id, fallback_threshold())
        if candidate is None:
            return error(404, "unknown", "这条消息不在会话里，或只含个人信息")
        q = queue()
        group_id = q.add(candidate)
        if group_id is None:
            group_id = q.add_reason(candidate.source, "flagged")
        return json_response({"group_id": group_id, "text": candidate.text})
