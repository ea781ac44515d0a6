"""The order task registry (shop/dialogue/order_tasks.py): one object per task, read by the form, the
final action, the dashboard's topics and the NLU contract check (issue 16)."""
from __future__ import annotations

from scripts.check_nlu_data import INTENTS
from shop.dialogue import order_tasks
from shop.dialogue.order_tasks import TASKS, OrderTask, families, task_for
from shop.metrics.figures import TOPIC_OF_INTENT
from tests.store.helpers import one


def test_every_task_starts_from_contract_intents_and_counts_under_its_family():
    for task in TASKS.values():
        assert task.intents and set(task.intents) <= set(INTENTS), task.name
        for intent in task.intents:
            assert TOPIC_OF_INTENT[intent] == task.family
    assert set(families()) <= set(TOPIC_OF_INTENT.values())


def test_the_words_pick_among_tasks_sharing_an_intent():
    assert task_for("ask_payment_invoice", "付款的时候扣了两次") == "duplicate_charge"
    assert task_for("ask_payment_invoice", "能开发票吗") == "invoice"
    assert task_for("ask_payment_invoice", "付款一直失败") == "payment_info"
    assert task_for("complain_mismatch", "和图片不符") == "complaint"
    assert task_for("ask_product_info", "多少钱") is None


class ShippingFee(OrderTask):
    """The README's smallest example: a read that needs the shopper and the order and nothing else."""
    name, label, family = "shipping_fee", "查询运费", "order"
    intents = ("ask_order_shipping_fee",)

    def finish(self, form, metadata=None):
        order = form.service.get_order(form.shopper.id, form.get("order_id"))
        return [f"订单 {order.order_no} 的运费是 {order.shipping_fee:.2f} 元。"]


def test_adding_a_task_is_adding_one_object(chat, sessions, monkeypatch):
    monkeypatch.setitem(order_tasks.TASKS, "shipping_fee", ShippingFee())
    o = one(sessions, lambda o: o.shopper_id == 1 and o.shipping_fee > 0)
    c = chat()
    reply = c.start("这单运费多少", "ask_order_shipping_fee")
    assert "请问是哪个订单" in reply  # the form asks for what every task shares
    reply = c.say(o.order_no)
    assert f"订单 {o.order_no} 的运费是 {o.shipping_fee:.2f} 元" in reply and c.slots["order_task"] is None
