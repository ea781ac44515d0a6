"""`validate_order_form`: the one form behind every order, logistics and after-sales flow.

The form (domain/orders.yml) is activated by any order intent; this action decides,
turn by turn, which task the shopper is doing, which slot comes next, and says the
prompt itself, because what to ask depends on the order (one item or several, a
delayed parcel or not) and on what the rules allow. Rasa's contract is kept:
  * it always returns one `requested_slot` (None ends the form → action_order_task);
  * it returns no other SlotSet when the message answers nothing and is a question the
    rules answer (shipping policy, greetings …), so the form is rejected, the rule
    answers, and the form comes back and asks again;
  * a change is shown to the shopper from a dry run of the very service call that will
    make it (OrderService.preview), and made only after an explicit yes.
Shoppers may switch task, correct the order number or the new value, or back out at
any point; three unusable answers in a row end the form with an offer of a human.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.services import channel_of
from shop.dialogue import order_text, parsing
from shop.text.numbers import to_digits
from shop.dialogue.order_words import orders_named
from shop.identity import code_in
from shop.orders import InvalidOrderNumber, OrderNotFound, OrderService, OrderView
from shop.orders.views import Outcome, ShopperView
from shop.rules.formats import validate_order_no, validate_phone
from shop.rules.invoices import validate_invoice, validate_tax_number
from shop.rules.orders import can_modify
from shop.rules.policy import OrderStatus, ReturnReason
from shop.rules.returns import policy_answer
from shop.rules.shipping import answer as shipping_answer
from shop.store.products import demo_products

logger = logging.getLogger(__name__)

FORM = "order_form"
MAX_ATTEMPTS = 3

TASK_BY_INTENT = {
    "check_order_status": "status", "track_logistics": "track", "cancel_order": "cancel",
    "modify_order": "modify", "request_return": "return", "request_exchange": "exchange",
    "ask_refund_status": "refund", "ask_payment_invoice": "payment",
    "complain_quality": "complaint", "complain_mismatch": "complaint", "complain_service": "complaint",
}
TASK_LABELS = {
    "status": "查询订单", "track": "查询物流", "cancel": "取消订单", "modify": "修改订单", "return": "申请退货",
    "exchange": "申请换货", "refund": "查询退款", "invoice": "申请发票", "duplicate_charge": "重复扣款核查",
    "payment_info": "支付咨询", "complaint": "投诉",
}
COMPLAINT_BY_INTENT = {"complain_quality": "quality", "complain_mismatch": "mismatch", "complain_service": "service"}
# Questions a rule answers in the middle of the form (data/order_form.yml), after which the form resumes.
INTERRUPTIONS = {"greet", "thank", "ask_shipping_policy", "out_of_scope", "ask_price_promotion"}
# Every slot a task may fill; cleared when a task starts or ends (order_id is kept: "查一下 → 那取消吧").
TASK_SLOTS = ("order_item", "modify_field", "new_value", "return_reason", "exchange_variant", "invoice_title",
              "invoice_tax_number", "confirmed", "form_attempts", "task_text", "complaint_category",
              "listed_orders", "evidence_photo")
INVOICE_WORDS = ("发票", "开票", "税号", "抬头", "报销")
DUPLICATE_WORDS = ("扣了两次", "扣两次", "重复扣", "多扣", "扣了2次", "重复支付", "付了两次", "扣款两次", "扣了两笔")
SWITCH_CONFIDENCE = 0.6
STOP_WORDS = ("算了", "不用了", "不需要了", "不要了", "先不", "不办了", "不弄了")
RESEND_WORDS = ("重新发", "重发", "再发", "没收到", "没有收到", "收不到")
VERIFIED = "verified"  # login_code once the code came back


def task_for(intent: str | None, text: str) -> str | None:
    task = TASK_BY_INTENT.get(intent or "")
    if task == "payment":
        if any(w in text for w in DUPLICATE_WORDS):
            return "duplicate_charge"
        return "invoice" if any(w in text for w in INVOICE_WORDS) else "payment_info"
    return task


def needs_order(task: str, complaint_category: str | None) -> bool:
    if task == "payment_info":
        return False
    if task == "complaint":
        return complaint_category in ("quality", "mismatch")
    return True


@dataclass
class Turn:
    intent: str | None
    confidence: float
    text: str
    entities: dict[str, str]
    photo: str | None = None

    @classmethod
    def of(cls, tracker: Tracker) -> "Turn":
        msg = tracker.latest_message or {}
        intent = (msg.get("intent") or {})
        entities: dict[str, str] = {}
        for e in msg.get("entities") or []:
            entities.setdefault(e.get("entity"), str(e.get("value")))
        return cls(intent.get("name"), float(intent.get("confidence") or 0.0), (msg.get("text") or "")[:500],
                   entities, _photo(msg.get("metadata")))


def _photo(metadata: Any) -> str | None:
    """The first image the channel attached to the message (channels put attachments in metadata)."""
    if not isinstance(metadata, dict):
        return None
    for att in metadata.get("attachments") or []:
        if isinstance(att, dict) and att.get("type") == "image":
            ref = att.get("path") or att.get("url")
            if isinstance(ref, str) and ref:
                return ref[:500]
    return None


@dataclass
class Form:
    """One run of the validation: the working slot values, what changed, what to say."""
    service: OrderService
    shopper: ShopperView | None
    channel: str
    sender: str
    slots: dict[str, Any]
    updates: dict[str, Any] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    _order: OrderView | None = None

    @classmethod
    def of(cls, tracker: Tracker) -> "Form":
        """The form's state for this conversation, with the shopper its sender is bound to."""
        service = services.order_service()
        channel = channel_of(tracker)
        form = cls(service=service, shopper=service.shopper_for_sender(channel, tracker.sender_id),
                   channel=channel, sender=tracker.sender_id, slots=dict(tracker.slots))
        if form.shopper is None and form.get("login_code"):
            # Proven once, but the binding has lapsed (REST bindings do): prove it again.
            form.set("login_code", None)
            form.set("login_phone", None)
        return form

    def get(self, name: str) -> Any:
        return self.slots.get(name)

    def set(self, name: str, value: Any) -> None:
        self.slots[name] = value
        self.updates[name] = value

    def say(self, text: str) -> None:
        self.messages.append(text)

    @property
    def task(self) -> str | None:
        return self.get("order_task")

    # -- the order in hand ---------------------------------------------------------------
    def order(self) -> OrderView | None:
        if self._order is None and self.shopper and self.get("order_id"):
            try:
                self._order = self.service.get_order(self.shopper.id, self.get("order_id"))
            except (OrderNotFound, InvalidOrderNumber):
                self._order = None
        return self._order

    def item(self):
        order = self.order()
        if order is None:
            return None
        if len(order.items) == 1:
            return order.items[0]
        return next((i for i in order.items if str(i.id) == str(self.get("order_item"))), None)

    def item_ref(self) -> int | None:
        item = self.item()
        return item.id if item else None

    # -- what the task still needs -----------------------------------------------------------
    def required(self) -> list[str]:
        task = self.task
        if not task:
            return []
        if task == "payment_info":
            return []
        # Who is asking comes first: a phone on file, then the code texted to it (shop.identity).
        req = [] if self.shopper else ["login_phone", "login_code"]
        if not needs_order(task, self.get("complaint_category")):
            return req
        req.append("order_id")
        order = self.order()
        if order is None:
            return req
        multi = len(order.items) > 1
        if task == "cancel":
            req.append("confirmed")
        elif task == "modify":
            req.append("modify_field")
            if self.get("modify_field") in ("variant", "quantity") and multi:
                req.append("order_item")
            req += ["new_value", "confirmed"]
        elif task in ("return", "exchange"):
            if multi:
                req.append("order_item")
            req += ["return_reason", "confirmed"] if task == "return" else ["exchange_variant", "confirmed"]
        elif task == "track" and self.delay_offer() is not None:
            req.append("confirmed")
        elif task == "invoice":
            req.append("invoice_title")
            title = loads_json(self.get("invoice_title"))
            if title and title.get("type") == "company":
                req.append("invoice_tax_number")
        return req

    def next_slot(self) -> str | None:
        return next((s for s in self.required() if self.get(s) is None), None)

    def delay_offer(self) -> str | None:
        order = self.order()
        if order is None or not self.shopper:
            return None
        _, delay = self.service.track(self.shopper.id, order.order_no)
        return delay.reason if delay.allowed else None

    # -- ending -------------------------------------------------------------------------------
    def end(self) -> None:
        """Stop the task here (refused, dropped, handed over): nothing left for action_order_task."""
        self.set("order_task", None)
        for name in TASK_SLOTS:
            if self.get(name) is not None:
                self.set(name, None)


def loads_json(value: Any) -> dict | None:
    if not value:
        return None
    try:
        data = json.loads(value)
    except (TypeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _product(product_id: str):
    return next((p for p in demo_products() if p.id == product_id), None)


# -- reading one slot out of a message --------------------------------------------------------------
def extract(form: Form, slot: str, turn: Turn, *, as_answer: bool) -> Any:
    """The raw value the message gives for `slot`, or None. `as_answer`: the slot was just asked,
    so bare answers ("2", "是的") count; otherwise only explicit mentions do."""
    text, ents = turn.text, turn.entities
    if slot == "login_phone":
        return parsing.find_phone(text, ents.get("phone"))
    if slot == "login_code":
        return code_in(text) if as_answer else None
    if slot == "order_id":
        found = parsing.find_order_no(text, ents.get("order_id"))
        if found is None and as_answer and form.get("listed_orders"):
            listed = form.get("listed_orders")
            idx = parsing.pick_index(text, len(listed))
            if idx is not None:
                return listed[idx]
        if found is None and form.shopper:
            # 我那支口红到哪了: the order whose goods the shopper names (preferring one the task fits)
            named = orders_named(form.service.orders(form.shopper.id), text, form.task)
            if len(named) == 1:
                return named[0]
        return found
    if slot == "order_item":
        order = form.order()
        if order is None:
            return None
        for item in order.items:
            if item.product_name in text or (len(item.product_name) > 2 and item.product_name[-2:] in text):
                return str(item.id)
        idx = parsing.pick_index(text, len(order.items)) if as_answer else None
        return str(order.items[idx].id) if idx is not None else None
    if slot == "modify_field":
        return parsing.modify_field(text, as_answer=as_answer)
    if slot == "new_value":
        kind = form.get("modify_field")
        if kind == "address":
            parts = parsing.address(text)
            return json.dumps(parts, ensure_ascii=False) if parts else None
        if kind == "phone":
            return parsing.find_phone(text, ents.get("phone"))
        if kind == "quantity":
            n = parsing.quantity(text)
            return str(n) if n is not None else None
        if kind == "variant":
            return _variant(form, turn)
        return None
    if slot == "exchange_variant":
        return _variant(form, turn)
    if slot == "return_reason":
        return parsing.return_reason(text, as_answer=as_answer)
    if slot == "invoice_title":
        if not as_answer and not any(w in text for w in ("抬头", "个人", "公司")):
            return None
        found = parsing.invoice_title(text)
        return json.dumps({"type": found[0], "title": found[1]}, ensure_ascii=False) if found else None
    if slot == "invoice_tax_number":
        return parsing.tax_number(text)
    if slot == "confirmed":
        return parsing.yes_no(text, turn.intent, form.task) if as_answer else None
    return None


_CHANGE_TO = re.compile(r"(?:改成|改为|换成|换为|改到|换到|换个|改个)(.+)$")


def _variant(form: Form, turn: Turn) -> str | None:
    """{'color','size'} for the item's product: what the shopper named, the rest kept as it is."""
    item = form.item()
    if item is None:
        return None
    product = _product(item.product_id)
    colors = sorted({v.color for v in product.variants}) if product else []
    sizes = sorted({v.size for v in product.variants}) if product else []
    # 九十的帮我改成八十的: numerals as digits, and what follows 改成/换成 is the new variant
    text = to_digits(turn.text)
    wanted = _CHANGE_TO.search(text)
    target = wanted.group(1) if wanted else text
    c = parsing.color(target, None, colors) or (None if wanted else parsing.color(text, turn.entities.get("color"), colors))
    s = parsing.size(target, None, sizes) or (None if wanted else parsing.size(text, turn.entities.get("size"), sizes))
    if c is None and s is None:
        step = 1 if any(w in turn.text for w in ("大一码", "大一号")) else -1 if any(
            w in turn.text for w in ("小一码", "小一号")) else 0
        ordered = _size_order(sizes)
        if step and item.size in ordered and 0 <= ordered.index(item.size) + step < len(ordered):
            s = ordered[ordered.index(item.size) + step]
        else:
            return None
    return json.dumps({"color": c or item.color, "size": s or item.size}, ensure_ascii=False)


_LETTER_SIZES = ["XS", "S", "M", "L", "XL", "XXL", "2XL", "XXXL", "3XL", "4XL"]


def _size_order(sizes: list[str]) -> list[str]:
    def key(s: str):
        if s in _LETTER_SIZES:
            return (0, _LETTER_SIZES.index(s), s)
        digits = "".join(ch for ch in s if ch.isdigit())
        return (1, int(digits) if digits else 0, s)
    return sorted(sizes, key=key)


# -- checking a value once it is read ---------------------------------------------------------------
def accept(form: Form, slot: str, value: Any) -> bool:
    """Store `value` if it is valid for the task, else say why. False leaves the slot empty."""
    if slot == "login_phone":
        return _send_code(form, lambda v: v.request_code(form.channel, form.sender, value))
    if slot == "login_code":
        return _check_code(form, value)
    if slot == "order_id":
        return _accept_order(form, value)
    if slot == "new_value" and form.get("modify_field") == "phone":
        check = validate_phone(value)
        if not check.allowed:
            form.say(check.reason)
            return False
        value = check.details["value"]
    if slot == "new_value" and form.get("modify_field") == "quantity":
        if not 1 <= int(value) <= 99:
            form.say("购买数量需要在 1 到 99 件之间，请重新告诉我数量。")
            return False
    if slot == "invoice_title":
        title = loads_json(value)
        if title["type"] == "personal":
            check = validate_invoice("personal", title["title"])
            if not check.allowed:
                form.say(check.reason)
                return False
    if slot == "invoice_tax_number":
        check = validate_tax_number(value)
        if not check.allowed:
            form.say(check.reason)
            return False
        title = loads_json(form.get("invoice_title")) or {}
        full = validate_invoice("company", title.get("title", ""), check.details["value"])
        if not full.allowed:
            form.say(full.reason)
            return False
        value = check.details["value"]
    form.set(slot, value)
    if slot == "return_reason":
        sorry = "非常抱歉给您带来不便，" if value in ReturnReason.SELLER_FAULT else ""
        form.say(f"{sorry}好的，退货原因：{ReturnReason.LABELS[value]}。")
    return True


def _send_code(form: Form, request) -> bool:
    """Texts a one-time code to the phone on file; a phone number alone proves nothing."""
    verification = services.phone_verification()
    try:
        sent = request(verification)
    except Exception:
        logger.exception("identity: the code for %s could not be sent", form.sender)
        form.say("验证码短信暂时发送失败，请稍后再试；需要帮助可以回复「转人工」。")
        return False
    if sent.status == "invalid_phone":
        form.say(sent.reason)
        return False
    if sent.status == "locked":
        _locked(form, sent.retry_minutes)
        return True  # handled: the form has ended
    # The same words whether or not the number is on file: the chat must not tell whose number it is.
    form.set("login_phone", sent.masked_phone)
    form.set("login_code", None)
    minutes = int(verification.limits.code_ttl.total_seconds() // 60)
    form.say(f"如果 {sent.masked_phone} 是您下单时使用的手机号，验证码短信已经发出（{minutes} 分钟内有效），"
             "请回复短信里的 6 位验证码。没收到可以回复「重新发送」，换号码直接发新的手机号。")
    return True


def _check_code(form: Form, code: str) -> bool:
    checked = services.phone_verification().check_code(form.channel, form.sender, code)
    if checked.status == "verified":
        form.shopper = checked.shopper
        form.set("login_code", VERIFIED)
        form.say(f"您好，{checked.shopper.name}，已确认您的身份（{checked.shopper.masked_phone}）。")
        return True
    if checked.status == "locked":
        _locked(form, checked.retry_minutes)
        return True  # handled: the form has ended
    if checked.status == "wrong" and checked.attempts_left:
        form.say(f"验证码不正确，还可以再试 {checked.attempts_left} 次。")
        # An answer, only a wrong one: the code's own attempt limit counts these, not the form's.
        return True
    form.say({"wrong": "验证码错误次数过多，这个验证码已失效。",
              "expired": "验证码已过期。"}.get(checked.status, "") + "请重新告诉我下单时使用的手机号，我再发一条验证码。")
    form.set("login_phone", None)
    return False


def _locked(form: Form, minutes: int) -> None:
    form.say(f"验证尝试次数过多，为保护账户安全已暂停验证，请 {minutes} 分钟后再试；需要帮助可以回复「转人工」。")
    form.set("login_phone", None)
    form.end()


def _accept_order(form: Form, value: str) -> bool:
    check = validate_order_no(value)
    if not check.allowed:
        form.say(check.reason)
        form.set("order_id", None)
        return False
    try:
        order = form.service.get_order(form.shopper.id, check.details["value"])
    except OrderNotFound as missing:
        form.say(missing.reason)
        form.set("order_id", None)
        return False
    form.set("order_id", order.order_no)
    form._order = order
    task = form.task
    # Refuse early what the rules refuse whatever the details, so no one is asked for a
    # reason or a new address only to hear "already shipped".
    if task == "cancel":
        preview = form.service.preview().cancel(form.shopper.id, order.order_no)
        if not preview.ok:
            form.say(f"订单 {order.order_no}（{order.status_label}）：{preview.reason}")
            form.end()
    elif task == "modify" and order.status not in OrderStatus.BEFORE_SHIPMENT:
        form.say(f"订单 {order.order_no}：" + can_modify(order.status, form.get("modify_field") or "address").reason)
        form.end()
    elif task == "modify":
        form.say(f"订单 {order.order_no} 目前{order.status_label}，还可以修改。")
    elif task in ("return", "exchange") and order.status != OrderStatus.DELIVERED:
        preview = form.service.preview().request_return(form.shopper.id, order.order_no, item=order.items[0].id)
        form.say(f"订单 {order.order_no}（{order.status_label}）：{preview.reason}")
        form.end()
    elif task in ("track", "status"):
        offer = form.delay_offer()
        if offer:
            # 还没到 about a parcel that has stalled: the tracking, the apology and the compensation,
            # whichever of the two the intent model read
            form.set("order_task", "track")
            form.say(order_text.tracking(order))
            form.say(offer)
    return True


# -- saying what comes next ------------------------------------------------------------------------
def prompt(form: Form, slot: str) -> None:
    """Ask for `slot`; for `confirmed`, first dry-run the change and stop if a rule refuses it."""
    task = form.task
    if slot == "login_phone":
        form.say("为了保护您的订单信息，请先告诉我下单时使用的手机号，我会发一条短信验证码确认是您本人。")
    elif slot == "login_code":
        if "login_phone" not in form.updates:  # the turn that sent the code has just said so
            form.say(f"请回复发到 {form.get('login_phone')} 的 6 位短信验证码（没收到可以回复「重新发送」）。")
    elif slot == "order_id":
        recent = form.service.recent_orders(form.shopper.id) if form.shopper else []
        if recent:
            form.set("listed_orders", [o.order_no for o in recent])
            form.say(f"请问是哪个订单？您最近的订单：\n{order_text.order_list(recent)}\n"
                     "回复序号或 12 位订单号即可。")
        else:
            form.say("请提供 12 位订单号（在「我的订单」里可以找到）。")
    elif slot == "order_item":
        form.say("这个订单有多件商品，请问是哪一件？\n" + order_text.item_list(form.order().items))
    elif slot == "modify_field":
        form.say("请问要修改哪一项？1. 收货地址 2. 收货手机号 3. 颜色/尺码 4. 购买数量")
    elif slot == "new_value":
        item = form.item()
        form.say({
            "address": "请告诉我新的收货地址，包含省、市、区和详细地址，例如：浙江省杭州市西湖区文三路 100 号。",
            "phone": "请告诉我新的收货手机号（11 位）。",
            "quantity": f"现在是 {item.qty if item else ''} 件，请问改成几件？",
            "variant": f"现在是{item.color if item else ''} {item.size if item else ''}，请问要改成什么颜色和尺码？",
        }[form.get("modify_field")])
    elif slot == "return_reason":
        form.say("请问退货原因是？1. 不想要了（七天无理由） 2. 尺码不合适 3. 质量问题 4. 与描述/图片不符 5. 发错货")
    elif slot == "exchange_variant":
        item = form.item()
        product = _product(item.product_id) if item else None
        options = "、".join(f"{v.color} {v.size}" for v in product.variants if v.stock > 0)[:200] if product else ""
        form.say(f"您收到的是{item.color} {item.size}，想换成什么颜色和尺码？" + (f"目前有货：{options}。" if options else ""))
    elif slot == "invoice_title":
        form.say("请告诉我发票抬头：个人请回复姓名或「个人」，企业请回复单位全称。")
    elif slot == "invoice_tax_number":
        form.say("企业发票还需要纳税人识别号（18 位统一社会信用代码），请提供。")
    elif slot == "confirmed":
        _ask_confirmation(form)


def _ask_confirmation(form: Form) -> None:
    task, order, shopper = form.task, form.order(), form.shopper
    if task == "track":
        return  # the delay offer was said with the tracking, and already asks
    outcome = dry_run(form, form.service.preview())
    if outcome is None:
        return
    if not outcome.ok:
        form.say(outcome.reason)
        if outcome.code in ("item_ambiguous", "item_unknown"):
            form.set("order_item", None)
            return
        form.end()
        return
    question = {
        "cancel": f"确认取消订单 {order.order_no}（{order_text.items_brief(order)}）吗？",
        "modify": "确认修改吗？",
        "return": "确认提交退货申请吗？",
        "exchange": "确认提交换货申请吗？",
    }[task]
    form.say(f"{outcome.reason}\n{question}（回复「确认」或「不用了」）")


def dry_run(form: Form, service: OrderService) -> Outcome | None:
    """The service call a confirmed task makes; with service.preview() nothing is written."""
    task, sid, no = form.task, form.shopper.id, form.get("order_id")
    if task == "cancel":
        return service.cancel(sid, no, reason="买家在客服对话中申请取消")
    if task == "modify":
        kind, value = form.get("modify_field"), form.get("new_value")
        if kind == "address":
            parts = loads_json(value) or {}
            return service.change_address(sid, no, province=parts.get("province", ""), city=parts.get("city", ""),
                                          district=parts.get("district", ""), detail=parts.get("detail", ""))
        if kind == "phone":
            return service.change_phone(sid, no, value)
        if kind == "quantity":
            return service.change_quantity(sid, no, int(value), item=form.item_ref())
        variant = loads_json(value) or {}
        return service.change_variant(sid, no, color=variant.get("color", ""), size=variant.get("size", ""),
                                      item=form.item_ref())
    if task == "return":
        return service.request_return(sid, no, reason=form.get("return_reason"), item=form.item_ref(),
                                      photo_path=form.get("evidence_photo"))
    if task == "exchange":
        variant = loads_json(form.get("exchange_variant")) or {}
        return service.request_exchange(sid, no, color=variant.get("color", ""), size=variant.get("size", ""),
                                        item=form.item_ref(), photo_path=form.get("evidence_photo"))
    return None


# -- the turn ----------------------------------------------------------------------------------------
def _after_last_user(tracker: Tracker) -> list[dict]:
    events = list(tracker.events)
    for i in range(len(events) - 1, -1, -1):
        if events[i].get("event") == "user":
            return events[i + 1:]
    return events


def _is_resume(tracker: Tracker) -> bool:
    """The form is coming back after a rule answered an interruption (no new user answer)."""
    return any(e.get("event") == "action" and e.get("name") not in (FORM, "action_listen", "action_extract_slots")
               for e in _after_last_user(tracker))


# A question about the rules rather than about an order of one's own (能退吗 / 运费谁出 / 几天能到).
RULE_QUESTION = re.compile(r"能退吗|能不能退|可以退吗|能退不|还能.{0,6}退|怎么算|从哪天|几天内|多少天|谁出|谁承担|运费险|"
                           r"吊牌|拆封|规则|政策|条件")
OWN_ORDER = re.compile(r"我的|我那|我买的|我刚|订单|单号|到哪|到了吗|还没到|发货了吗|这单|那单|我这")
SHIPPING_QUESTION = re.compile(r"几天能?到|几天才能|多久能?到|多长时间|几天收到|几天送到")


def rule_question(task: str | None, text: str) -> str | None:
    """The rules' answer when a shopper asks how after-sales or delivery works in general, without an
    order of their own in the words; None when the message is about an order."""
    if parsing.find_order_no(text) or OWN_ORDER.search(text):
        return None
    if task in ("return", "exchange", "refund") and RULE_QUESTION.search(text):
        return policy_answer(text)
    if task in ("track", "status") and SHIPPING_QUESTION.search(text):
        return shipping_answer(text)
    return None


def start(form: Form, turn: Turn) -> None:
    # A bare order number (intent inform) shows that order.
    task = task_for(turn.intent, turn.text) or ("status" if turn.intent == "inform" else None)
    general = rule_question(task, turn.text)
    if general:
        form.say(general)   # answered from the rules; no order, no identification needed
        form.set("order_task", None)
        return
    for name in TASK_SLOTS:
        if form.get(name) is not None:
            form.set(name, None)
    form.set("order_task", task)
    form.set("task_text", turn.text)  # the shopper's own words: complaint tickets, payment questions
    if turn.photo:
        form.set("evidence_photo", turn.photo)
    if task == "complaint":
        form.set("complaint_category", COMPLAINT_BY_INTENT.get(turn.intent))
    form.set("form_attempts", 0.0)
    if not task or task == "payment_info":
        return
    # Whatever the first message already says is taken, in the order the task asks for it.
    if form.get("order_id") and not form.shopper:
        form.set("order_id", None)  # remembered from before the sender was known: ask again after login
    for slot in ("login_phone", "order_id", "modify_field", "return_reason", "invoice_title",
                 "invoice_tax_number"):
        if slot not in form.required() or form.get(slot) is not None and slot != "order_id":
            continue
        if slot == "order_id":
            if not form.shopper:
                continue  # who is asking comes first; the order is asked for after login
            value = extract(form, slot, turn, as_answer=False) or form.get("order_id")
            if value is None:
                continue
            form.slots["order_id"] = None
            accept(form, slot, value)
            if not form.task:
                return
            continue
        value = extract(form, slot, turn, as_answer=False)
        if value is not None:
            accept(form, slot, value)
    if form.order() is not None and form.task:
        for slot in ("order_item", "new_value", "exchange_variant"):
            if slot in form.required() and form.get(slot) is None:
                value = extract(form, slot, turn, as_answer=False)
                if value is not None:
                    accept(form, slot, value)


def answer(form: Form, turn: Turn, requested: str | None) -> bool:
    """Handle the shopper's reply to `requested`. False: the message is for a rule (reject the form)."""
    if turn.photo and form.task in ("return", "exchange", "complaint"):
        form.set("evidence_photo", turn.photo)
        if not turn.text.strip():
            form.say("照片收到了，会附在申请上。")
            return True
    if requested == "login_code":
        # A new number while waiting for the code: the shopper corrects the phone.
        phone = parsing.find_phone(turn.text, turn.entities.get("phone"))
        if phone:
            if not accept(form, "login_phone", phone):
                _count_attempt(form)
            return True
        if any(w in turn.text for w in RESEND_WORDS) and not code_in(turn.text):
            if not _send_code(form, lambda v: v.resend(form.channel, form.sender)):
                _count_attempt(form)
            return True
    # A different order number at any point is a correction (“不对，是 2024…”).
    if requested not in ("login_phone", "login_code", "order_id") and form.get("order_id"):
        other = parsing.find_order_no(turn.text, turn.entities.get("order_id"))
        if other and other != form.get("order_id") and validate_order_no(other).allowed:
            for name in ("order_item", "new_value", "exchange_variant", "confirmed"):
                form.set(name, None)
            form.slots["order_id"] = None
            form._order = None
            if accept(form, "order_id", other):
                form.say(f"好的，改为订单 {form.get('order_id')}。")
            return True
    # While confirming, a new value is a change of mind about the value, not a yes/no.
    if requested == "confirmed":
        value_slot = {"modify": "new_value", "exchange": "exchange_variant", "return": "return_reason"}.get(form.task)
        if value_slot:
            new = extract(form, value_slot, turn, as_answer=False)
            if new is not None and new != form.get(value_slot):
                form.set("confirmed", None)
                if accept(form, value_slot, new):
                    form.say("好的，已按您的新要求更新。")
                return True
    if requested == "confirmed" and turn.confidence >= SWITCH_CONFIDENCE:
        # 那我不要了 能直接取消吗 to "需要为您发放吗？": another task asked, not a no to the question
        switch = task_for(turn.intent, turn.text)
        if switch and switch != form.task:
            start(form, turn)
            form.say(f"好的，改为帮您{TASK_LABELS.get(switch, '')}。")
            return True
    value = extract(form, requested, turn, as_answer=True) if requested else None
    if value is not None:
        if requested == "confirmed":
            if value:
                form.set("confirmed", True)
            else:
                form.say({"cancel": "好的，订单保留不取消。"}.get(form.task, "好的，不做修改。") + "还有什么可以帮您？")
                form.end()
            return True
        if accept(form, requested, value):
            form.set("form_attempts", 0.0)
        else:
            _count_attempt(form)
        return True
    new_task = task_for(turn.intent, turn.text) if turn.confidence >= SWITCH_CONFIDENCE else None
    if turn.intent == "request_human":
        # action_order_task hands over once the form has ended (action_handoff speaks).
        form.set("handoff_reason", "asked")
        form.end()
        return True
    if new_task and new_task != form.task:
        start(form, turn)
        form.say(f"好的，改为帮您{TASK_LABELS.get(new_task, '')}。")
        return True
    if turn.intent == "deny" or any(w in turn.text for w in STOP_WORDS):
        form.say(f"好的，已停止{TASK_LABELS.get(form.task, '本次操作')}。还有什么可以帮您？")
        form.end()
        return True
    if turn.intent in INTERRUPTIONS and turn.confidence >= SWITCH_CONFIDENCE:
        return False
    form.say(_hint(requested))
    _count_attempt(form)
    return True


def _hint(slot: str | None) -> str:
    return {
        "login_phone": "没有识别到手机号，请输入 11 位手机号。",
        "login_code": "请回复短信里的 6 位数字验证码。",
        "order_id": "没有识别到订单号，请回复列表里的序号或 12 位订单号。",
        "order_item": "请回复商品前面的序号，例如「1」。",
        "modify_field": "请回复要修改的项目，例如「地址」或「尺码」。",
        "new_value": "没有看懂新的内容，请再说一次。",
        "return_reason": "请回复退货原因前的序号（1-5）或直接说明原因。",
        "exchange_variant": "请告诉我想换的颜色和尺码，例如「黑色 L 码」。",
        "invoice_title": "请告诉我发票抬头，个人或单位全称。",
        "invoice_tax_number": "请提供 18 位纳税人识别号。",
        "confirmed": "请回复「确认」继续，或「不用了」放弃。",
    }.get(slot or "", "请再说一次。")


def _count_attempt(form: Form) -> None:
    n = int(form.get("form_attempts") or 0) + 1
    form.set("form_attempts", float(n))
    if n >= MAX_ATTEMPTS:
        form.say("抱歉，我还是没能确认信息。需要的话回复「转人工」，人工客服会帮您处理。")
        form.end()


class ValidateOrderForm(Action):
    def name(self) -> str:
        return "validate_order_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
        form = Form.of(tracker)
        turn = Turn.of(tracker)
        requested = tracker.get_slot("requested_slot")
        # While the form runs, requested_slot always names a slot (this action sees to it);
        # None means the form has just been activated (Rasa marks it active before asking us).
        activating = requested is None
        ask_again = False
        if activating:
            start(form, turn)
        elif _is_resume(tracker):
            ask_again = True
        elif not answer(form, turn, requested):
            return []  # rejected: a rule answers, then the form comes back (ask_again)
        next_slot = form.next_slot()
        if next_slot:
            same = next_slot == requested and not ask_again
            reconfirm = next_slot == "confirmed" and "confirmed" in form.updates
            if not same or reconfirm or not form.messages:
                prompt(form, next_slot)
                next_slot = form.next_slot()  # a refused preview ends the task
        for text in form.messages:
            dispatcher.utter_message(text=text)
        events = [SlotSet(k, v) for k, v in form.updates.items()]
        if not form.updates:
            # Rasa rejects a form turn with no slot event; an answered-but-unchanged turn
            # (asked again) must not look like a rejection.
            events.append(SlotSet("form_attempts", form.get("form_attempts")))
        events.append(SlotSet("requested_slot", next_slot))
        return events
