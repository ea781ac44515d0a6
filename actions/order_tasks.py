"""`action_order_task`: does what the order form collected, once it is complete.

Reads (status, parcel, refund) are answered straight from the service; changes run the
same service call the form previewed, and only with `confirmed` true. Every reply is
the rule's own sentence, so what the shopper reads is what the shop decided.
"""
from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.order_form import TASK_SLOTS, Form, dry_run, loads_json
from shop.dialogue import order_text
from shop.media import attachment_from_ref, first_attachment, media_store
from shop.orders import InvalidOrderNumber, OrderNotFound
from shop.rules.policy import PAYMENT_LABELS
from shop.vision.service import PhotoResult, photo_verdict

logger = logging.getLogger(__name__)

PAYMENT_HELP = {
    "methods": "亲，我们支持" + "、".join(PAYMENT_LABELS.values()) + "（含信用卡）付款，也支持花呗分期（满 300 元可分 3/6 期）。",
    "failed": ("付款失败常见的原因：余额或单日限额不足、银行卡未开通网上支付、网络中断。可以换一种支付方式，"
               "或稍后在「我的订单」里重新付款；订单在下单 30 分钟内会为您保留。"),
    "invoice": "下单后在订单详情里可以申请电子发票，个人和企业抬头都支持；也可以直接告诉我订单号，我来帮您申请。",
}
FAILED_WORDS = ("失败", "付不了", "付不了款", "支付不了", "付款不成功", "付不出", "没付成功", "卡住", "扣款失败")
OFFER_TEXT = {"return": "退货", "exchange": "换货", "compensation": "补偿", "refund_check": "核实扣款"}


def payment_info(text: str) -> str:
    if any(w in text for w in FAILED_WORDS):
        return PAYMENT_HELP["failed"]
    if "发票" in text:
        return PAYMENT_HELP["invoice"]
    return PAYMENT_HELP["methods"]


class ActionOrderTask(Action):
    def name(self) -> str:
        return "action_order_task"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
        form = Form.of(tracker)
        task = form.task
        try:
            for text in self.perform(form, task, (tracker.latest_message or {}).get("metadata")):
                dispatcher.utter_message(text=text)
        except (OrderNotFound, InvalidOrderNumber) as refused:
            dispatcher.utter_message(text=refused.reason)
        # The task is finished either way; keep the order in mind for a follow-up ("那取消吧").
        events = [SlotSet("order_task", None)] + [SlotSet(name, None) for name in TASK_SLOTS] + _order_products(form)
        # 转人工 during the form, or a complaint the rules flag for a human: queue it now.
        handoff = form.updates.get("handoff_reason") or form.get("handoff_reason")
        if handoff:
            events += [SlotSet("handoff_reason", handoff), FollowupAction("action_handoff")]
        return events

    def perform(self, form: Form, task: str | None, metadata: dict | None = None) -> list[str]:
        if task is None:
            return []  # the form already ended the task and said why
        if task == "payment_info":
            return [payment_info(_latest_text(form))]
        shopper = form.shopper
        if shopper is None:
            return ["需要先确认您的身份，才能办理订单相关的业务。"]
        no = form.get("order_id")
        if task == "status":
            return [order_text.status(form.service.get_order(shopper.id, no))]
        if task == "track":
            return self.track(form)
        if task == "refund":
            return [form.service.refund_status(shopper.id, no).reason]
        if task == "invoice":
            title = loads_json(form.get("invoice_title")) or {}
            outcome = form.service.request_invoice(shopper.id, no, title_type=title.get("type", "personal"),
                                                   title=title.get("title", ""),
                                                   tax_number=form.get("invoice_tax_number"))
            return [outcome.reason]
        if task == "duplicate_charge":
            outcome = form.service.file_complaint(shopper.id, "重复扣款：" + _latest_text(form),
                                                  order_no=no, category="payment")
            return [f"已为您登记重复扣款核查（工单号 {outcome.data['ticket_no']}）。财务会在 1 个工作日内核实，"
                    "确认多扣的款项将在 1-3 个工作日内原路退回。"]
        if task == "complaint":
            return self.complain(form, metadata)
        if task in ("cancel", "modify", "return", "exchange"):
            if form.get("confirmed") is not True:
                return []
            return self.change(form)
        logger.warning("unknown order task %r", task)
        return []

    @staticmethod
    def track(form: Form) -> list[str]:
        order, delay = form.service.track(form.shopper.id, form.get("order_id"))
        if not delay.allowed:
            return [order_text.tracking(order)]
        if form.get("confirmed") is True:
            return [form.service.claim_delay_compensation(form.shopper.id, order.order_no).reason]
        return ["好的，我们会继续跟进包裹的进度，有更新会第一时间通知您。"]

    @staticmethod
    def change(form: Form) -> list[str]:
        outcome = dry_run(form, form.service)
        if not outcome.ok:
            return [outcome.reason]  # e.g. the last piece was sold between preview and confirmation
        task, data = form.task, outcome.data
        if task == "cancel":
            text = f"已为您取消订单 {data['order_no']}。"
            if data.get("refund"):
                text += (f"货款 {data['refund_amount']:.2f} 元将原路退回，预计 "
                         f"{data['refund_expected_by']:%Y年%m月%d日} 前到账。")
            return [text]
        if task in ("return", "exchange"):
            kind = "退货" if task == "return" else "换货"
            return [f"{kind}申请已提交（售后单号 {data['return_id']}）。{outcome.reason}"]
        return [outcome.reason]

    @staticmethod
    def complain(form: Form, metadata: dict | None = None) -> list[str]:
        text = _latest_text(form)
        checked = complaint_photo(form, metadata)
        refused = checked.refused if checked is not None else None
        if refused:
            checked = None  # the complaint is filed without the photo; the shopper is asked to resend it
        photo = None if checked is None else {
            "media_id": checked.media_id, "verdict": checked.verdict.verdict,
            "evidence": checked.verdict.evidence, "measures": checked.verdict.numbers}
        outcome = form.service.file_complaint(form.shopper.id, text, order_no=form.get("order_id"),
                                              category=form.get("complaint_category"), photo=photo)
        if outcome.data.get("flagged_for_human"):
            form.set("handoff_reason", "angry_complaint")
        lines = [f"非常抱歉给您带来不好的体验。{outcome.reason}工单号 {outcome.data['ticket_no']}。"]
        if checked is not None:
            lines.append(PHOTO_LINES[checked.verdict.verdict].format(evidence=checked.verdict.evidence))
        elif refused:
            lines.append("照片没能收到。" + refused)
        offers = [o for o in outcome.data.get("offers", ()) if o in ("return", "exchange")]
        if offers and form.get("order_id"):
            lines.append("您可以申请" + "或".join(OFFER_TEXT[o] for o in offers)
                         + "（质量问题、与描述不符的运费由我们承担），需要的话直接告诉我「退货」或「换货」。")
        return lines


PHOTO_LINES = {
    "colour_differs": "照片比对结果：{evidence}。已附在工单上。",
    "different_item": "照片比对结果：{evidence}。已附在工单上。",
    "match": "照片比对结果：{evidence}，照片和工单会一并交给专员复核。",
    "unclear": "照片已附在工单上，{evidence}",
}


def complaint_photo(form: Form, metadata: dict | None) -> PhotoResult | None:
    """A mismatch complaint's photo compared with the order's items (in the colours ordered)."""
    if form.get("complaint_category") != "mismatch":
        return None
    attachment = first_attachment(metadata, "image") or attachment_from_ref(form.get("evidence_photo"), "image")
    if attachment is None:
        return None
    order = form.order()
    items = [(i.product_id, i.color) for i in order.items] if order else []
    if not items and form.get("product_in_focus"):
        items = [(form.get("product_in_focus"), None)]
    item = form.item()
    if item is not None:  # the shopper said which item: compare with that one only
        items = [(item.product_id, item.color)]
    return photo_verdict(attachment, media_store(), items)


def _order_products(form: Form) -> list[dict]:
    """An order shown puts its goods on the table: 它/这件 → its first item, 第二件 → the second."""
    if form.task not in ("status", "track") or form.order() is None:
        return []
    ids = list(dict.fromkeys(i.product_id for i in form.order().items))
    return [SlotSet("product_in_focus", ids[0]), SlotSet("listed_products", ids)]


def _latest_text(form: Form) -> str:
    return form.get("task_text") or ""
