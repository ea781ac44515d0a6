"""`action_order_task`: does what the order form collected, once it is complete.

The task itself (shop.dialogue.order_tasks) says what is done: reads (status, parcel,
refund) are answered straight from the service; changes run the same service call the
form previewed, and only with `confirmed` true. Every reply is the rule's own sentence,
so what the shopper reads is what the shop decided.
"""
from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.order_form import HANDED_ON, TASK_SLOTS, Form, resumed
from shop.dialogue.order_tasks import READ_TASKS, TASKS, reads_also_asked, task_named
from shop.orders import InvalidOrderNumber, OrderNotFound

logger = logging.getLogger(__name__)


class ActionOrderTask(Action):
    def name(self) -> str:
        return "action_order_task"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
        form = Form.of(tracker)
        try:
            for text in self.perform(form, (tracker.latest_message or {}).get("metadata")):
                dispatcher.utter_message(text=text)
        except (OrderNotFound, InvalidOrderNumber) as refused:
            dispatcher.utter_message(text=refused.reason)
        # The task is finished either way; keep the order in mind for a follow-up ("那取消吧"), and what
        # the task hands on to the next one on it (a complaint's item and category for 退了吧).
        task = task_named(form.task)
        kept = task.kept_after(form) if task is not None and form.shopper is not None else {}
        if task is not None and task.name in READ_TASKS and form.shopper is not None:
            kept = {**{name: form.get(name) for name in HANDED_ON}, **kept}   # a read keeps what was handed on
        events = [SlotSet("order_task", None)] + ([SlotSet("last_order_task", task.name)] if task else []) \
            + [SlotSet(name, kept.get(name)) for name in TASK_SLOTS] \
            + _order_products(form) \
            + ([SlotSet("order_id", form.updates["order_id"])] if "order_id" in form.updates else [])
        # 转人工 during the form, or a complaint the rules flag for a human: queue it now.
        handoff = form.updates.get("handoff_reason") or form.get("handoff_reason")
        resume = resumed(form) if task is not None and task.name in READ_TASKS and form.shopper is not None else None
        if handoff:
            events += [SlotSet("handoff_reason", handoff), FollowupAction("action_handoff")]
        elif resume:
            # 税号我翻一下……对了 那单退了没: the read is answered, the invoice waiting for its tax number goes on
            slots, said = resume
            dispatcher.utter_message(text=said)
            events += [SlotSet(name, value) for name, value in slots.items()] + [FollowupAction("order_form")]
        if form.get("paused_task"):
            events.append(SlotSet("paused_task", None))
        return events

    @staticmethod
    def perform(form: Form, metadata: dict | None = None) -> list[str]:
        task = task_named(form.task)
        if task is None:
            if form.task:
                logger.warning("unknown order task %r", form.task)
            return []  # the form already ended the task and said why
        if task.identity_needed(form) and form.shopper is None:
            return ["需要先确认您的身份，才能办理订单相关的业务。"]
        metadata = metadata if isinstance(metadata, dict) else None
        said = task.finish(form, metadata)
        if form.shopper is not None and form.get("order_id"):
            for read in reads_also_asked(task.name, form.get("task_text")):
                # 那单开个票 顺便问一哈快递么子时候到: a question about the same order asked with the task is
                # answered with it (reads change nothing, so nothing is confirmed)
                said += TASKS[read].read(form)
        if task.several and form.shopper is not None:
            first = form.get("order_id")
            for order_no in form.get("more_orders") or []:
                # 两个都取消: the same task, with what was collected, for each other order named; each
                # order gets its own answer from the rules (one may be cancelled, the next already shipped)
                form.slots["order_id"], form._order = order_no, None
                try:
                    said += task.finish(form, metadata)
                except (OrderNotFound, InvalidOrderNumber) as refused:
                    said.append(refused.reason)
            form.slots["order_id"], form._order = first, None
        return said


def _order_products(form: Form) -> list[dict]:
    """An order shown puts its goods on the table: 它/这件 → its first item, 第二件 → the second."""
    task = task_named(form.task)
    if task is None or not task.shows_goods or form.order() is None:
        return []
    ids = list(dict.fromkeys(i.product_id for i in form.order().items))
    return [SlotSet("product_in_focus", ids[0]), SlotSet("listed_products", ids)]
