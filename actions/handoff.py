"""Handing a conversation to a human agent, and the shopper's rating at the end.

action_handoff queues the conversation (shop.handoff) and pauses the bot
(ConversationPaused): Rasa keeps logging the shopper's messages but predicts
nothing until the workbench hands the conversation back (ConversationResumed).
A sender who has not proven who they are is queued only within the queue's limits
(shop.handoff.HandoffLimits); over them the bot stays on and says how to get help.
"""
from __future__ import annotations

import datetime as dt
import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions import services
from actions.services import channel_of
from shop.dialogue.order_tasks import READ_TASKS, own_order_task
from shop.handoff import HandoffLimited, HandoffQueue
from shop.handoff.ratings import record_rating, stars_in
from shop.handoff.waiting import NO_AGENT

logger = logging.getLogger(__name__)

FALLBACK = "nlu_fallback"
REASON_BY_INTENT = {"request_human": "asked", FALLBACK: "not_understood", "complain_quality": "angry_complaint",
                    "complain_mismatch": "angry_complaint", "complain_service": "angry_complaint"}
CONTEXT_SLOTS = ("product_in_focus", "order_id", "listed_orders")


def handoff_queue() -> HandoffQueue:
    # The order store's database, but the real clock even when SHOP_NOW pins the shop's:
    # queue times and ratings are when the conversation happened, as the dashboard reads them.
    return HandoffQueue(services.order_service().sessions)


def reason_of(tracker: Tracker) -> str:
    """Why the conversation goes to a human: the slot an earlier action set, else the last intent."""
    given = tracker.get_slot("handoff_reason")
    if given:
        return given
    intent = (tracker.latest_message or {}).get("intent", {}).get("name")
    return REASON_BY_INTENT.get(intent, "unresolved")


def last_words(tracker: Tracker, n: int = 1) -> list[str]:
    """The shopper's last ``n`` messages, oldest first."""
    words = []
    for event in reversed(tracker.events):
        if event.get("event") == "user" and (event.get("text") or "").strip():
            words.append(event["text"].strip())
            if len(words) == n:
                break
    return words[::-1]


def trigger_of(tracker: Tracker, reason: str) -> dict:
    """What set the handoff off, for the agent: the two misses, or the one message that asked or complained."""
    intent = (tracker.latest_message or {}).get("intent", {}).get("name")
    return {"words": last_words(tracker, 2 if reason == "not_understood" else 1), "intent": intent}


# The bot stays on without a human: the turn ends here and the shopper speaks next (reached as a
# follow-up of action_order_task, no rule says what comes after it).
LISTEN = FollowupAction("action_listen")
LIMITED = ("现在排队等待人工的顾客比较多，暂时无法为您转接。您可以先说「查订单」并用手机验证码确认身份，"
           "已验证的顾客会优先转接；也可以稍后再试，我会继续为您服务。")


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
        context = {k: tracker.get_slot(k) for k in CONTEXT_SLOTS if tracker.get_slot(k)}
        reason = reason_of(tracker)
        try:
            verified = services.shopper_of(tracker) is not None
            view = handoff_queue().enqueue(tracker.sender_id, reason, "".join(last_words(tracker)), context,
                                           verified=verified, trigger=trigger_of(tracker, reason))
        except HandoffLimited as e:
            logger.info("handoff: %s not queued (unverified, %s limit)", tracker.sender_id, e.scope)
            dispatcher.utter_message(text=LIMITED)
            return [SlotSet("handoff_reason", None), LISTEN]
        except (SQLAlchemyError, ValueError):
            # Without a queue entry no agent would ever see the conversation: keep the bot on.
            logger.exception("handoff: could not queue %s", tracker.sender_id)
            dispatcher.utter_message(text="抱歉，人工客服暂时无法接入，请稍后再试，我也可以继续为您服务。")
            return [SlotSet("handoff_reason", None), LISTEN]
        try:
            online = handoff_queue().agents_online()
        except SQLAlchemyError:
            logger.exception("handoff: could not count the agents on duty")
            online = 1
        if online <= 0:
            # Nights, holidays: nobody can take it. The request stays in the queue as a message for the
            # agents, and the bot stays on — never paused for a conversation nobody can take.
            dispatcher.utter_message(text=NO_AGENT)
            words = (tracker.latest_message or {}).get("text") or ""
            if tracker.active_loop_name is None and own_order_task(words) in READ_TASKS:
                # 叫你们人工出来 枕套那单快一个礼拜没动静了: while nobody can take it, the bot looks the order up
                # (and offers what the rules allow for a late parcel) instead of leaving the question unanswered
                return [SlotSet("handoff_reason", None), FollowupAction("order_form")]
            return [SlotSet("handoff_reason", None), LISTEN]
        ahead = (view.position or 1) - 1
        wait = f"您前面还有 {ahead} 位顾客在等待" if ahead else "您是下一位"
        dispatcher.utter_message(text=f"好的，已为您转接人工客服，{wait}。客服接入后会在这里直接回复您，请稍候～")
        return [SlotSet("handoff_reason", None), ConversationPaused()]


class ActionRateService(Action):
    def name(self) -> str:
        return "action_rate_service"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
        text = (tracker.latest_message or {}).get("text") or ""
        stars = stars_in(text)
        if stars is None:
            dispatcher.utter_message(text="谢谢您的反馈！方便的话回复 1-5 的数字为本次服务打分（5 为非常满意）。")
            return []
        queue = handoff_queue()
        try:
            agent = queue.last_agent(tracker.sender_id, queue.clock() - dt.timedelta(days=1))
            record_rating(queue.sessions, tracker.sender_id, channel_of(tracker), stars, agent=agent,
                          comment=text, clock=queue.clock)
        except SQLAlchemyError:
            logger.exception("rating: could not store %s stars for %s", stars, tracker.sender_id)
        if stars >= 4:
            dispatcher.utter_message(text=f"收到您的 {stars} 星评价，谢谢您的支持！期待再次为您服务～")
        else:
            dispatcher.utter_message(text=f"收到您的 {stars} 星评价。抱歉没能让您满意，我们会认真改进；"
                                          "如果问题还没解决，回复「转人工」由人工客服继续帮您。")
        return []
