"""`action_shipping_policy`: free-shipping threshold, remote regions, carriers, cut-off — from data.

shop.rules.shipping words the facts; only the greeting and the closing around them vary,
and never the way the conversation's last bot message was worded.
"""
from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from shop.dialogue.phrasing import last_bot_text, phrases
from shop.rules import shipping

# The rules module opens with its own 亲; the variants below choose the opener instead.
RULES_OPENER = "亲，"
ANSWER = phrases(
    "shipping.answer",
    "亲，{facts}",
    "您好，{facts}还有配送方面的问题，您随时问我。",
    "好的，{facts}",
    "{facts}想查具体订单的物流，告诉我订单号就好。",
)


def reply(question: str | None, *, avoid: str | None = None) -> str:
    facts = shipping.answer(question).removeprefix(RULES_OPENER)
    return ANSWER.say(avoid, facts=facts)


class ActionShippingPolicy(Action):
    def name(self) -> str:
        return "action_shipping_policy"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
        question = (tracker.latest_message or {}).get("text")
        from actions.products import order_follow_up
        if order_follow_up(tracker):
            # 运费我出吗 / 钱都退回来了吗 我记得还有八块运费 right after a return or a refund: about that order
            return [FollowupAction("order_form")]
        if asks_more_than_shipping(question):
            # 那两瓶算下来一共多少钱？运费另算吗？: the product turn answers both (price, then shipping)
            from actions.products import ActionProductPrice
            return await ActionProductPrice().run(dispatcher, tracker, domain)
        dispatcher.utter_message(text=reply(question, avoid=last_bot_text(tracker)))
        return []


def asks_more_than_shipping(question: str | None) -> bool:
    """Does the message also ask a product's price, total or stock (not only how it ships)?"""
    from shop.dialogue.product_turn import read
    r = read((question or "")[:500])
    return bool({"price", "promotion", "stock"} & set(r.aspects)) or bool(r.quantity and "price" in r.aspects)
