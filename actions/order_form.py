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

import dataclasses
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.products import goods_after_complaint, product_side_turn, slot_events
from actions.services import channel_of
from shop.dialogue import order_text, parsing
from shop.dialogue.order_tasks import OWN_PURCHASE, READ_TASKS, SEND_WHERE, TASKS, corrects_order, follow_up_task, loads_json, own_order_task, task_asked, task_for, task_named, variant_named
from shop.dialogue.order_words import (another_order, items_named, order_by_variant, order_priced, order_tracked,
                                      orders_named)
from shop.identity import code_in
from shop.nlu.order_cues import TASK_WORDS
from shop.media import first_attachment
from shop.orders import InvalidOrderNumber, OrderNotFound, OrderService, OrderView
from shop.orders.views import ShopperView
from shop.rules.formats import validate_order_no
from shop.rules.policy import ReturnStatus
from shop.rules.returns import COMPARE_RETURN_EXCHANGE, address_answer, policy_answer, refund_answer
from shop.rules.shipping import answer as shipping_answer

logger = logging.getLogger(__name__)

FORM = "order_form"
MAX_ATTEMPTS = 3

DONE_ASKED = re.compile(r"改好了[吗么没？?]|改了[吗么没？?]|真的改|改成功了[吗么没？?]|改过来了[吗么没？?]|确定改了")
# 为什么要我手机号 / 不会是骗子吧 while the phone is asked for: why the shop asks, then the question again
WHY_PHONE = re.compile(r"为什么|为啥|干嘛|凭什么|骗子|安全吗|靠谱吗|泄露|不想给|不给")
ASKS_FOR_HUMAN = re.compile(r"转人工|人工客服|人工服务|真人|我要人工|要人工|找人工|找个人|活人|换个人|叫你们.{0,4}(?:经理|主管)")
# Questions a rule answers in the middle of the form (data/order_form.yml), after which the form resumes.
INTERRUPTIONS = {"greet", "thank", "ask_shipping_policy", "out_of_scope", "ask_price_promotion", "ask_care_method",
                 "ask_product_info", "ask_stock", "ask_size_advice"}
# Every slot a task may fill; cleared when a task starts or ends (order_id is kept: "查一下 → 那取消吧").
TASK_SLOTS = ("order_item", "modify_field", "new_value", "return_reason", "exchange_variant", "invoice_title",
              "invoice_tax_number", "confirmed", "form_attempts", "task_text", "complaint_category",
              "listed_orders", "evidence_photo", "return_qty", "more_orders")
SWITCH_CONFIDENCE = 0.6
UNSURE_QUESTION = 0.3
QUESTION = re.compile(r"[?？]|吗|么|多少|怎么|几天|哪|什么|能不能|可以.{0,4}吗")
STOP_WORDS = ("算了", "不用了", "不需要了", "不要了", "先不", "不办了", "不弄了", "不改了", "不退了", "不换了",
              "不取消了", "先这样", "不查了")
RESEND_WORDS = ("重新发", "重发", "再发", "没收到", "没有收到", "收不到")
VERIFIED = "verified"  # login_code once the code came back


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
    """The first image the channel attached to the message, as a reference a slot can keep (a URL, a
    path in the media store or the platform's media id), read by shop.media like every other photo.
    Malformed metadata (``{"attachments": 5}``) is no photo: logged, never an exception."""
    attachment = first_attachment(metadata, "image")
    if attachment is None:
        if isinstance(metadata, dict) and metadata.get("attachments") not in (None, [], ()):
            logger.info("order form: attachments ignored, not a list of attachments: %.80r",
                        metadata.get("attachments"))
        return None
    ref = next(attachment[k] for k in ("path", "url", "media_id") if isinstance(attachment.get(k), str)
               and attachment.get(k))
    return ref[:500]


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
        """The slots still to fill, in asking order: who is asking, which order, then the task's own."""
        task = task_named(self.task)
        if task is None or not task.identity_needed(self):
            return []
        # Who is asking comes first: a phone on file, then the code texted to it (shop.identity).
        req = [] if self.shopper else ["login_phone", "login_code"]
        if not task.needs_order(self):
            return req
        req.append("order_id")
        if self.order() is None:
            return req
        return req + task.slots(self)

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
        if self.task:
            self.set("last_order_task", self.task)
        self.set("order_task", None)
        for name in TASK_SLOTS:
            if self.get(name) is not None:
                self.set(name, None)


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
        mine = form.service.orders(form.shopper.id) if form.shopper else []
        tracked = order_tracked(mine, text)  # YT69…: the order whose parcel that is
        if tracked:
            return tracked
        other = another_order(mine, text, form.get("order_id"), form.task)  # 另一个没付款的也取消
        if other:
            return other
        priced = order_priced(mine, text)  # 三百六十九块的那个订单
        if priced:
            return priced
        listed = [o for o in mine if o.order_no in (form.get("listed_orders") or [])]
        by_variant = order_by_variant(listed, text) if as_answer and listed else None
        if by_variant:
            return by_variant   # 灰色XXL那件 to the list: the order holding the goods of that colour and size
        found = parsing.find_order_no(text, ents.get("order_id"))
        if found and found.isdigit() and 3 <= len(found) < 12:
            # 0002那单 / 尾号0001的: the shopper's one order whose number ends so (just shown in full)
            ending = [o.order_no for o in mine if o.order_no.endswith(found)]
            found = ending[0] if len(ending) == 1 else found
        if found is None and as_answer and form.get("listed_orders"):
            listed = form.get("listed_orders")
            idx = parsing.pick_index(text, len(listed))
            if idx is not None:
                return listed[idx]
        if found is None and as_answer and form.get("listed_orders") and SEVERAL.search(text) \
                and getattr(task_named(form.task), "several", False):
            return form.get("listed_orders")[0]   # 两个都取消 to the list of two: the first, then the rest
        if found is None and form.shopper:
            # 我那支口红到哪了: the order whose goods the shopper names (preferring one the task fits)
            named = orders_named(mine, text, form.task, form.service.clock())
            if len(named) == 1 or len(named) > 1 and SEVERAL.search(text) \
                    and getattr(task_named(form.task), "several", False):
                return named[0]   # 两个没付钱的单子都取消: the first of them (the rest: more_orders)
        return found
    if slot == "order_item":
        order = form.order()
        if order is None:
            return None
        for item in order.items:
            if item.product_name in text or (len(item.product_name) > 2 and item.product_name[-2:] in text):
                return str(item.id)
        idx = parsing.pick_index(text, len(order.items)) if as_answer else None
        if idx is None:
            # 鞋换80码 / 那条毯子: the item whose kind or name words the message uses, when only one fits
            named = items_named(order.items, text)
            return str(named[0].id) if len(named) == 1 else None
        return str(order.items[idx].id)
    if slot == "confirmed":
        return parsing.yes_no(text, turn.intent, form.task) if as_answer else None
    task = task_named(form.task)
    return task.extract(form, slot, turn, as_answer=as_answer) if task else None


# 两个都 / 两单 / 这两笔 / 都给我 / 分别: the same task for several orders
SEVERAL = re.compile(r"[两俩2二三3](?:个|单|笔|份)?(?:订单|单子|单)?都|[两俩2二三3](?:个|笔)?(?:订单|单子|单)|这[两俩几]|都给我|都帮我|"
                     r"分别|全部|所有|各开|都要开|都开|均")


ALSO = re.compile(r"也|都|一起|一并|一块")


def _more_orders(form: Form, text: str) -> list[str]:
    """The other orders the message names for the task in hand, besides order_id (a task done for several
    orders at once: OrderTask.several); [] when it names one."""
    task = task_named(form.task)
    if not getattr(task, "several", False) or not form.get("order_id") or not form.shopper:
        return []
    first = form.get("order_id")
    typed = [n for n in parsing.find_order_nos(text) if n != first and validate_order_no(n).allowed]
    if typed:
        return typed
    if not SEVERAL.search(text):
        return []
    named = orders_named(form.service.orders(form.shopper.id), text, form.task, form.service.clock())
    if len(named) < 2:
        named = form.get("listed_orders") or []
    return [n for n in named if n != first] if first in named else []


def _note_more_orders(form: Form, text: str) -> None:
    """Once order_id is taken: the other orders the same message names for the task, kept for the end."""
    more = _more_orders(form, text)
    if more:
        form.set("more_orders", more)


# -- checking a value once it is read ---------------------------------------------------------------
def accept(form: Form, slot: str, value: Any) -> bool:
    """Store `value` if it is valid for the task, else say why. False leaves the slot empty."""
    if slot == "login_phone":
        return _send_code(form, lambda v: v.request_code(form.channel, form.sender, value))
    if slot == "login_code":
        return _check_code(form, value)
    if slot == "order_id":
        return _accept_order(form, value)
    task = task_named(form.task)
    if task is not None:
        value = task.accept(form, slot, value)
        if value is None:
            return False
    form.set(slot, value)
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
        _locked(form, sent.retry_minutes, sending=True)
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


def _locked(form: Form, minutes: int, *, sending: bool = False) -> None:
    """Verification paused. Asking for a code can be refused for the codes already sent in the window as well
    as for wrong guesses (shop.identity.verification limits), so that refusal names both."""
    why = "验证码发送或验证尝试次数过多（每个手机号和对话每小时有次数限制）" if sending else "验证尝试次数过多"
    form.say(f"{why}，为保护账户安全已暂停验证，请 {minutes} 分钟后再试；需要帮助可以回复「转人工」。")
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
    # Refuse early what the rules refuse whatever the details, so no one is asked for a
    # reason or a new address only to hear "already shipped".
    task = task_named(form.task)
    if task is not None:
        task.on_order(form, order)
    return True


# -- saying what comes next ------------------------------------------------------------------------
def prompt(form: Form, slot: str) -> None:
    """Ask for `slot`; for `confirmed`, first dry-run the change and stop if a rule refuses it."""
    task = form.task
    if slot == "login_phone":
        # a complaint is met with the apology before anything is asked (非常抱歉… then who is asking)
        prefix = getattr(task_named(task), "order_prompt_prefix", "")
        form.say(f"{prefix}为了保护您的订单信息，请先告诉我下单时使用的手机号，我会发一条短信验证码确认是您本人。")
    elif slot == "login_code":
        if "login_phone" not in form.updates:  # the turn that sent the code has just said so
            form.say(f"请回复发到 {form.get('login_phone')} 的 6 位短信验证码（没收到可以回复「重新发送」）。")
    elif slot == "order_id":
        # 那个没付钱的单子给我取消了: the orders the words narrow to, when they are several
        recent = _orders_offered(form, form.get("task_text") or "", at_least=2) if form.shopper else []
        if recent:
            form.set("listed_orders", [o.order_no for o in recent])
            prefix = getattr(task_named(task), "order_prompt_prefix", "")
            # 外套买大了: each listed order's goods of that kind, shown where they are not its first item
            said = form.get("task_text") or ""
            shown = {o.order_no for o in recent}
            named = {o.order_no: hits[0].product_name for o in (form.service.orders(form.shopper.id) if said else [])
                     if o.order_no in shown for hits in [items_named(o.items, said)] if hits}
            form.say(f"{prefix}请问是哪个订单？您最近的订单：\n{order_text.order_list(recent, named)}\n"
                     "回复序号或 12 位订单号即可。")
        else:
            form.say("请提供 12 位订单号（在「我的订单」里可以找到）。")
    elif slot == "order_item":
        form.say("这个订单有多件商品，请问是哪一件？\n" + order_text.item_list(form.order().items))
    elif slot != "confirmed":
        task = task_named(task)
        text = task.prompt(form, slot) if task else None
        if text:
            form.say(text)
    elif slot == "confirmed":
        _ask_confirmation(form)


def _orders_offered(form: Form, text: str, *, at_least: int, limit: int = 5) -> list:
    """The shopper's recent orders to pick from: those the words narrow to (没付钱的 → the unpaid ones) when
    they are `at_least` many, else those where the task is possible first (`_orders_to_list`)."""
    mine = form.service.recent_orders(form.shopper.id, limit=20)
    named = orders_named(form.service.orders(form.shopper.id), text, form.task, form.service.clock()) if mine else []
    narrowed = [o for o in mine if o.order_no in named]
    return narrowed[:limit] if len(narrowed) >= at_least else _orders_to_list(mine, task_named(form.task), limit)


def _orders_to_list(recent: list, task, limit: int = 5) -> list:
    """The orders offered for a task: those where the task is possible first (a return lists the
    delivered orders, not the unpaid ones), then the rest, newest first within each group."""
    possible = getattr(task, "possible", None) or ()
    fitting = [o for o in recent if o.status in possible]
    return (fitting + [o for o in recent if o.status not in possible])[:limit]


def _ask_confirmation(form: Form) -> None:
    task = task_named(form.task)
    if task is None or task.question is None:
        # nothing to preview: a delay offer was said with the tracking; asked again (才十块？) it is said
        # again, never silence
        offer = form.delay_offer() if form.get("confirmed") is None and not form.messages else None
        if offer:
            form.say(offer)
        return
    outcome = task.call(form, form.service.preview())
    if outcome is None:
        return
    if not outcome.ok:
        form.say(outcome.reason)
        if outcome.code in ("item_ambiguous", "item_unknown"):
            form.set("order_item", None)
            return
        form.end()
        return
    more = form.get("more_orders") or []
    form.say(task.confirmation(form, outcome) + (f"（订单 {'、'.join(more)} 也一样办理）" if more else ""))


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
                           r"拒收|拒签|怎么计|点计|(?:几时|何时|哪天|什么时候|啥时候)开始(?:算|计)|开始(?:算|计)|"
                           r"吊牌|拆封|规则|政策|条件|寄到哪|寄回哪|寄哪|退货地址|寄回地址|地址发|运费.{0,3}(?:我出|要我出|我付)")
# With the order in hand, how the money comes back is a rule question too (退款退到哪 多久能到); without one
# it is a question about the shopper's own refund (开衫退货的钱什么时候退).
REFUND_TIMING = re.compile(r"退到哪|钱.{0,6}(?:多久|什么时候|几天)|多久.{0,3}到账|几天.{0,3}到账|(?:几天|多久|什么时候|啥时候)"
                           r"(?:能|才|会)?(?:退钱|退款|把钱退)")
# 还没寄回去 要寄到哪 / 退货地址: sending goods back to the shop, whatever the model read (logistics)
SENDING_BACK = re.compile(r"寄回|退回去|还没寄|没寄出|退货地址|退回地址|寄给你们|寄去哪|寄到哪.{0,6}(?:退|换)")
# 我要退货 先说清楚 运费谁出: a task asked for together with a rule question (not 我想问下退货运费谁出)
LIST_ASKED = re.compile(r"哪几[单个笔]|哪些[单订]|有哪[几些]|列一下|列出来|说说|都有啥|都有什么")
# 就这么算了？有没有啥补偿: indignation at being left with nothing, not a wish to stop
COMPENSATION_ASKED = re.compile(r"补偿|赔偿|怎么赔|赔点|赔我|给个说法")
# 还能取消吗 / 能不能退: whether a task could be done, asked beside not doing it now (只是问问)
ASKS_IF_POSSIBLE = re.compile(r"还能.{0,6}(?:吗|么|不)|能不能|可不可以|可以.{0,6}(?:吗|么)|能.{0,4}吗")
RHETORICAL_STOP = re.compile(r"就这么算了|就这样算了|这就算了|难道就算了")
ASKS_RETURN = re.compile(r"(?:给我|帮我|都|全)退(?:了|掉)(?![吗没多])|退了吧|退掉吧|要退货|申请退货")
# 57蚊是不是已经退了 / 表带的钱退了没: whether money came back, not a new return (钱还没付 能退掉吗 is one)
REFUND_ASKED = re.compile(r"已经退了|是不是.{0,6}退了|退了没|退没退|退了\s*\d+\s*(?:块|元|蚊)?|钱.{0,6}(?:到了没|到账|退回来|回来|退回)")
MONEY_ASKED = re.compile(r"钱|款|到账|多少|几天|多久|什么时候|啥时候")
WANTS_TASK = re.compile(r"(?:我要|我想|想要|想|帮我|给我|申请|要)(?:退|换|取消|开票|开发票)")
OWN_ORDER = re.compile(r"我的|我那|我买的|我刚|订单|单号|(?<!寄)到哪|到了吗|还没到|发货了吗|这单|那单|我这")
# 今天下单 / 现在拍的话 / 要是买了: an order still to be placed, so a question about when it comes is the rules'
FUTURE_ORDER = re.compile(r"(?:今天|今儿|现在|马上|明天|这会儿?)(?:就)?(?:下单|买|拍|付款|付钱)|(?:下单|拍下?|买)的话|"
                          r"(?:如果|要是|假如)(?:今天|现在)?(?:下单|买|拍)")
WHEN_IT_COMES = re.compile(r"(?:啥|什么|几)时候.{0,2}(?:到|发|收)|几天|多久|多长时间|能到")
SHIPPING_QUESTION = re.compile(r"几天能?到|几天才能|多久能?到|多长时间|几天收到|几天送到|多久.{0,3}发货|几天.{0,3}发货|什么时候发货|"
                               r"几点前.{0,3}发")


def _awaits_send_back(form: Form) -> bool:
    """The order in hand has a return or exchange waiting for the shopper's parcel (待寄回)."""
    order = form.order() if form.get("order_id") else None
    return bool(order and any(r.status == ReturnStatus.REQUESTED for r in order.returns))


def rule_question(task: str | None, text: str, *, order_in_hand: bool = False) -> str | None:
    """The rules' answer when a shopper asks how after-sales or delivery works in general, without an
    order of their own in the words; None when the message is about an order."""
    rules = getattr(task_named(task), "rules", None)
    if rules == "returns" and COMPARE_RETURN_EXCHANGE.search(text):
        # 我这个退还是换 哪个快: a comparison of the two, answered from the rules even about one's own order;
        # taking it as a choice would start the task the shopper has not chosen yet
        return policy_answer(text, order_in_hand=order_in_hand)
    if not order_in_hand and (parsing.find_order_no(text) or OWN_ORDER.search(text) or OWN_PURCHASE.search(text)):
        return None
    if not order_in_hand and FUTURE_ORDER.search(text) and WHEN_IT_COMES.search(text):
        return shipping_answer(text)   # 今天下单啥时候到 我在杭州: an order not placed yet, the shipping rules
    if rules == "returns" and (RULE_QUESTION.search(text) or order_in_hand and REFUND_TIMING.search(text)):
        return policy_answer(text, order_in_hand=order_in_hand)
    if (rules == "shipping" or order_in_hand) and SHIPPING_QUESTION.search(text):
        return shipping_answer(text)
    return None


# 快递员什么时候来取 / 上门取件吗: collecting the goods of a return
PICKUP = re.compile(r"来取|上门取|上门收|取件|来收|来拿|取走")
# 你就说什么时候能发 / 今天能发出去我就不取消了: when the order will be sent is asked
SHIP_WHEN = re.compile(r"(?:什么|啥)时候(?:能|会|可以)?(?:发|寄)|几时(?:能)?(?:发|寄)|多久(?:能|才)?(?:发|寄)|今天(?:能|必须|要|得)?"
                       r"(?:给我)?(?:发|寄)|(?:发|寄)出(?:来|去)")
# 那不取消了 / 算了不退了 said as a task's own request: the task declined, not started
DECLINED = {"cancel": re.compile(r"不取消|别取消|不用取消"), "return": re.compile(r"不退了|不退货|别退|不用退"),
            "exchange": re.compile(r"不换了|别换|不用换"), "modify": re.compile(r"不改了|别改|不用改")}


def _ship_when(form: Form, turn: Turn) -> None:
    """The order's state with its sending promise, when the shopper asks when it will be sent."""
    order = form.order() if form.get("order_id") and form.shopper else None
    if order is not None and SHIP_WHEN.search(turn.text):
        form.say(order_text.status(order))


HANDED_ON = ("complaint_category", "order_item")   # what a complaint hands on to the return asked after it


def _same_change_again(form: Form, turn: Turn) -> str | None:
    """两床 听到没得 right after a change of that order's quantity (refused or made): the change asked again,
    answered by the rule again, not the order's status."""
    # whatever the intent model read into it (听到没得 read as a parcel question), a short message that says
    # an amount and names no task of its own
    if form.get("last_order_task") == "modify" and form.get("order_id") and len(turn.text) <= 20 \
            and parsing.quantity(turn.text) is not None and not task_asked(turn.text) \
            and not any(words.search(turn.text) for _, words in TASK_WORDS) and not parsing.find_order_no(turn.text):
        return "modify"
    return None


def _write_asked_with_read(task: str | None, text: str) -> str | None:
    """枕套那单开个票 顺便问一哈快递么子时候到 read as a parcel question: the invoice is the task (the parcel is
    answered in passing once it is done, shop.dialogue.order_tasks.reads_also_asked); otherwise `task` as read."""
    if task in READ_TASKS and TASKS["invoice"].asks.search(text or ""):
        return "invoice"
    return task


def start(form: Form, turn: Turn, task: str | None = None, *, queued: bool = False) -> None:
    """A task starts from this message: the one `task` names, else the one the message asks. queued: the
    shopper's ask for a person was just queued (nobody on duty), so the words' ask for one is settled."""
    # A bare order number (intent inform) shows that order; 真的改好了？ after a change asks how it stands.
    correcting = bool(task is None and corrects_order(turn.text) and form.get("last_order_task") in TASKS
                      and form.get("order_id"))
    if correcting:
        # 整错了 不是这单 是褥子那单202511220009 after a task on the wrong order: the same task, for the order
        # the words name (read from this message like any first message of a task)
        form.set("order_id", None)
        form._order = None
    task = task or (form.get("last_order_task") if correcting else None) or _same_change_again(form, turn) \
        or _write_asked_with_read(task_for(turn.intent, turn.text), turn.text) or (
        follow_up_task(turn.text) if form.get("order_id") else None) or \
        own_order_task(turn.text) or (
        "status" if turn.intent == "inform" or form.shopper is None and parsing.find_phone(turn.text) else None)
    if task == "modify" and DONE_ASKED.search(turn.text) and form.get("order_id"):
        task = "status"
    if task == "refund" and ASKS_RETURN.search(turn.text) and not MONEY_ASKED.search(turn.text):
        task = "return"   # 两条盖毯 给我退了 没用过: asking for a return, not where a refund is
    if task == "return" and (form.get("order_id") and follow_up_task(turn.text) == "refund"
                             or REFUND_ASKED.search(turn.text)):
        task = "refund"   # 就那个表带 退了五十七 about the refund just shown: the money, not a new return
    if task in ("track", "status") and form.get("order_id") and follow_up_task(turn.text) == "refund":
        task = "refund"   # 银行卡咋还没看到钱 啥时候到 about the order just handled: the money, not the parcel
    if task == "complaint" and COMPENSATION_ASKED.search(turn.text) and form.get("last_order_task") == "track" \
            and form.get("order_id") and form.shopper and form.delay_offer():
        task = "track"   # 那你们打算怎么补偿我 after a late parcel was looked up: what the rules offer for it, again
    if task in ("modify", "exchange") and TASKS["payment_info"].follow_up.search(turn.text):
        task = "payment_info"   # 那我换个啥子方式付嘛: another way to pay, not a change of the goods
    if task in ("track", "status") and SENDING_BACK.search(turn.text):
        task = "return"   # 我还没寄回去呢 要寄到哪: where a return goes, not where the parcel is
    if task in ("track", "status", "return", "refund") and PICKUP.search(turn.text) and _awaits_send_back(form):
        # 快递员什么时候来取 after a return was opened: the shop does not collect; the shopper sends it back
        form.say("亲，退货需要您自己寄回，暂不支持上门取件。" + address_answer())
        form.set("order_task", None)
        return
    if task in ("track", "status", "return", "refund", "modify") and SEND_WHERE.search(turn.text) \
            and _awaits_send_back(form):
        # 寄到哪 right after a return was opened on the order in hand: the goods go back to the warehouse;
        # the order's own parcel has arrived, so it cannot be the question. 收到以后几天退钱: that too.
        form.say("亲，" + address_answer())
        if REFUND_TIMING.search(turn.text):
            form.say(refund_answer())
        form.set("order_task", None)
        return
    declined = DECLINED.get(task or "")
    if declined is not None and declined.search(turn.text):
        # 行 那不取消了 今天必须给我发: the shopper keeps the order; say so (and when it goes out, if asked)
        if ASKS_IF_POSSIBLE.search(turn.text) and form.get("order_id") and form.shopper:
            # 现在还能取消吗？我只是问问，先不取消: whether it could be done (a dry run), then that it is not
            outcome = TASKS[task].call(form, form.service.preview())
            if outcome is not None:
                form.say(outcome.reason)
        form.say(getattr(TASKS[task], "kept", None) or "好的，不办了。还有什么可以帮您？")
        _ship_when(form, turn)
        form.set("order_task", None)
        _then(form, turn, dropped=task)
        return
    general = rule_question(task, turn.text)
    if general:
        form.say(general)   # answered from the rules; no order, no identification needed
        if not WANTS_TASK.search(turn.text):
            form.set("order_task", None)
            return
        # 我要退货 先说清楚 运费谁出: the rule first, then the return goes on
    again = task == "modify" and _same_change_again(form, turn) is not None
    before = {name: form.get(name) for name in TASK_SLOTS}  # what the last task on this order kept
    # 找到了 202511170002 (the same order) after a complaint: a question about the order reads it and keeps
    # what the complaint handed on (its item and category) for the return asked next
    said_no = parsing.find_order_no(turn.text)
    handed_on = HANDED_ON if task in READ_TASKS and (not said_no or said_no == form.get("order_id")) else ()
    for name in TASK_SLOTS:
        if form.get(name) is not None and name not in handed_on:
            form.set(name, None)
    form.set("order_task", task)
    form.set("task_text", turn.text)  # the shopper's own words: complaint tickets, payment questions
    if turn.photo:
        form.set("evidence_photo", turn.photo)
    form.set("form_attempts", 0.0)
    if again:
        form.set("modify_field", "quantity")   # 两床: the amount just asked for, said again
    if task and task != "complaint" and ASKS_FOR_HUMAN.search(turn.text) and not parsing.find_order_no(turn.text) \
            and not queued:
        # 枕套买了快十天了还没到 给我找个人 别整机器人糊弄我: a person is what is asked (they take the order too)
        form.set("handoff_reason", "asked")
        form.end()
        return
    if task == "complaint" and TASKS["complaint"].CATEGORY_BY_INTENT.get(turn.intent) == "service" \
            and ASKS_FOR_HUMAN.search(turn.text) and not queued:
        # 什么破服务 我要人工 / 给我找个真人客服: a person is what is asked; they take the complaint too
        form.set("handoff_reason", "asked")
        form.end()
        return
    if task:
        TASKS[task].begin(form, turn)
        if form.get("order_id") and form.shopper and not parsing.find_order_no(turn.text):
            TASKS[task].carry(form, before)
    if not task or not TASKS[task].identity_needed(form):
        return
    if form.get("order_id") and not form.shopper:
        form.set("order_id", None)  # remembered from before the sender was known: ask again after login
    take_said(form, turn, first=True)


# The slots a message may fill before they are asked, in the order a task asks for them.
SAID_BEFORE_ORDER = ("login_phone", "order_id", "modify_field", "return_reason", "invoice_title", "invoice_tax_number")
SAID_AFTER_ORDER = ("order_item", "modify_field", "new_value", "exchange_variant", "return_reason")


def take_said(form: Form, turn: Turn, *, first: bool = False) -> None:
    """Whatever a message already says is taken, in the order the task asks for it: the first message
    of a task, the words a shopper wrote before proving who they are (read again once they have), and
    the rest of a message that answered one question (202511220009 改成文三路100号 → the order, the
    field and the new address)."""
    _notice(form, turn)
    for slot in SAID_BEFORE_ORDER:
        if not form.task or slot not in form.required() or form.get(slot) is not None:
            if not (first and slot == "order_id" and form.get("order_id") and form.shopper):
                continue
        if slot == "login_phone" and form.task == "modify" and not PROVES_WHO.search(turn.text):
            continue  # 把电话改成138…: the number in a change request is the new one, not who is asking
        if slot == "order_id":
            if not form.shopper:
                continue  # who is asking comes first; the order is asked for after login
            value = extract(form, slot, turn, as_answer=False) or form.get("order_id")
            if value is None:
                continue
            form.slots["order_id"] = None
            if accept(form, slot, value):
                _note_more_orders(form, turn.text)
            continue
        value = extract(form, slot, turn, as_answer=False)
        if value is not None:
            accept(form, slot, value)
    refused: set = set()   # a value refused on the first pass is not read (and refused) again
    for _ in range(2):  # a slot filled on the first pass may make another needed (the item, then its size)
        if form.order() is None or not form.task:
            break
        for slot in SAID_AFTER_ORDER:
            if form.task and slot in form.required() and form.get(slot) is None and slot not in refused:
                value = extract(form, slot, turn, as_answer=False)
                if value is not None and not accept(form, slot, value):
                    refused.add(slot)


# Where the shopper drops the task in hand: 算了 / 不取消了 / 不换了 … (the rest of the message may ask another)
_DROPPING = re.compile("|".join([*map(re.escape, STOP_WORDS), *(p.pattern for p in DECLINED.values())]))


def _then(form: Form, turn: Turn, *, dropped: str | None) -> None:
    """算了不取消了 帮我开个发票 / 算了不换了 枕套那个kd到哪了: once the task in hand is dropped, what the rest of
    the message asks starts at once (its own words name it; the intent was read from the whole message)."""
    stops = list(_DROPPING.finditer(turn.text))
    rest = turn.text[stops[-1].end():].strip(" ，,。.!！~～了吧") if stops else ""
    task = task_asked(rest) if len(rest) >= 2 else None
    if task and task != dropped:
        start(form, Turn(None, 0.0, rest, {}, turn.photo), task=task)


def _switch(form: Form, turn: Turn) -> None:
    """Another task asked mid-form: it starts from this message; "好的，改为帮您…" is said before whatever
    the new task says at once (a parcel's tracking), not after it. A change under way is paused, to be
    taken up again when the new task only read an order (`resumed`, after action_order_task)."""
    said, ended = len(form.messages), form.updates.get("last_order_task")
    paused = _pause(form)
    start(form, turn)
    if paused and form.task != paused["task"]:
        form.set("paused_task", json.dumps(paused, ensure_ascii=False, default=str))
    # the new task, or the one it started and ended at once (refused: 改为帮您取消订单 + why not)
    task = task_named(form.task) or (task_named(form.get("last_order_task"))
                                     if form.updates.get("last_order_task") != ended else None)
    if task is not None:
        form.messages.insert(said, f"好的，改为帮您{task.label}。")


def _pause(form: Form) -> dict | None:
    """The change under way (its task, order and the answers given so far), or None when there is none
    worth keeping (a read, or no order yet)."""
    if form.task not in TASKS or form.task in READ_TASKS or not form.get("order_id"):
        return None
    answers = {name: form.get(name) for name in (*TASK_SLOTS, "order_id")
               if form.get(name) is not None and name not in ("confirmed", "form_attempts", "listed_orders")}
    return {"task": form.task, "slots": answers}


def resumed(form: Form) -> tuple[dict, str] | None:
    """The change a read interrupted (对了 那单退了没 while a tax number was awaited), to take up again now the
    read is answered: the slots that put it back where it was, and what to say; None when none is paused."""
    paused = loads_json(form.get("paused_task"))
    if not paused or paused.get("task") not in TASKS:
        return None
    slots = {name: value for name, value in (paused.get("slots") or {}).items() if name in (*TASK_SLOTS, "order_id")}
    order = f"订单 {slots['order_id']} " if slots.get("order_id") else ""
    return {"order_task": paused["task"], **slots}, f"刚才{order}的{TASKS[paused['task']].label}还没办完，我们接着来。"


def _notice(form: Form, turn: Turn) -> bool:
    """The task takes what the message says in passing; True when that answered the message."""
    task = task_named(form.task)
    return bool(task is not None and task.notice(form, turn))


def _resume_after_login(form: Form) -> None:
    """The shopper has just proven who they are: what they asked before (the task's words, an order
    number given while the code was on its way) is read again, so the task goes on from there."""
    said = form.get("task_text") or ""
    if said and form.task:
        take_said(form, Turn(None, 0.0, said, {}))


def answer(form: Form, turn: Turn, requested: str | None) -> bool:
    """Handle the shopper's reply to `requested`. False: the message is for a rule (reject the form)."""
    if _notice(form, turn):
        return True
    if requested == "confirmed" and ALSO.search(turn.text) and getattr(task_named(form.task), "several", False):
        # 另一个没付款的也取消 to "确认取消订单 A 吗": this one, and the other one too
        other = another_order(form.service.orders(form.shopper.id), turn.text, form.get("order_id"), form.task) \
            if form.shopper else None
        if other:
            form.set("more_orders", [*(form.get("more_orders") or []), other])
            form.set("confirmed", True)
            return True
    if turn.photo and getattr(task_named(form.task), "keeps_photo", False):
        form.set("evidence_photo", turn.photo)
        if not turn.text.strip():
            form.say("照片收到了，会附在申请上。")
            return True
    if requested == "login_phone" and WHY_PHONE.search(turn.text) and not parsing.find_phone(turn.text):
        form.say("订单里有您的收货地址和电话，为了保护您的隐私和账户安全，需要先确认是您本人：验证码只发到下单时的"
                 "手机号，我们不会给您打电话，也不会把号码给别人。")
        prompt(form, requested)
        return True
    if requested in ("login_phone", "login_code") and not parsing.find_phone(turn.text, turn.entities.get("phone")) \
            and not code_in(turn.text):
        noted = parsing.find_order_no(turn.text, turn.entities.get("order_id"))
        if noted and not validate_order_no(noted).allowed:
            noted = None   # 维多利广场B座2208: a room number, not an order
        if noted and form.task:
            # 订单号是2025… while the phone is asked for: kept with the task's words, read after login
            form.set("task_text", f"{form.get('task_text') or ''} {turn.text}"[:500])
            form.say(f"好的，订单 {noted} 记下了，确认身份后马上为您办理。")
            prompt(form, requested)
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
        switch = task_for(turn.intent, turn.text) if turn.confidence >= SWITCH_CONFIDENCE else None
        if other and _DROPPING.search(turn.text[:turn.text.find(other)]):
            other = None   # 算了不取消了 2025…到哪了: the task is dropped first; the number belongs to what follows
        if other and switch and switch != form.task and TASKS[switch].needs_identity:
            # 那你帮我看下2026…到哪了 in the middle of another task: that task, for that order
            _switch(form, turn)
            return True
        # 另一个没付款的学步鞋那单 帮我改成两双 while the 砧板 order is in hand: that other order, and the rest of
        # the message read for it (a number typed is a correction only: read as before)
        moved = not other and form.shopper and another_order(form.service.orders(form.shopper.id), turn.text,
                                                            form.get("order_id"), form.task)
        other = other or moved
        if other and other != form.get("order_id") and validate_order_no(other).allowed:
            for name in ("order_item", "new_value", "exchange_variant", "confirmed"):
                form.set(name, None)
            form.slots["order_id"] = None
            form._order = None
            if accept(form, "order_id", other):
                form.say(f"好的，改为订单 {form.get('order_id')}。")
                if moved:
                    take_said(form, turn)
            return True
    # While confirming, a new value is a change of mind about the value, not a yes/no.
    if requested == "confirmed":
        value_slot = getattr(task_named(form.task), "value_slot", None)
        fixed = _corrected(form.get(value_slot), turn.text) if value_slot else None
        if fixed is not None:   # 是1808 不是1801: the part of the value the shopper corrects
            form.set("confirmed", None)
            if accept(form, value_slot, fixed):
                form.say("好的，已按您的新要求更新。")
            return True
        if value_slot:
            new = extract(form, value_slot, turn, as_answer=False)
            if new is None and value_slot == "exchange_variant":
                new = _kept_part(form, turn)
            if new is not None and new == form.get(value_slot):
                said = parsing.yes_no(turn.text, None, form.task)
                form.set("confirmed", said)   # 就换白色 还是1.8米的: the same value said again; ask once more
                if said is not None:
                    # 行 那换白色 确认: the proposal restated with a plain yes. Its 换 is the change itself,
                    # not a switch to an exchange, so the yes is read (a no stays a no).
                    if said is False:
                        form.say(getattr(task_named(form.task), "kept", "好的，不做修改。") + "还有什么可以帮您？")
                        form.end()
                return True
            if new is not None and new != form.get(value_slot):
                form.set("confirmed", None)
                if accept(form, value_slot, new):
                    form.say("好的，已按您的新要求更新。")
                return True
    if requested == "confirmed" and parsing.yes_no(turn.text, None, form.task) is None:
        asked = _yes_then_asked(turn.text, form.task)
        if asked:
            # 确认取消 钱几天到: the yes is the yes; the question after it gets the rules' answer
            form.set("confirmed", True)
            answer_ = refund_answer() if REFUND_TIMING.search(asked) else rule_question(
                form.task, asked, order_in_hand=True)
            if answer_:
                form.say(answer_)
            return True
    if requested not in ("login_phone", "login_code") and parsing.yes_no(turn.text, None, form.task) is None:
        general = rule_question(form.task, turn.text, order_in_hand=bool(form.get("order_id")))
        if general:   # 先问清楚 退款退到哪 多久能到 / 寄到哪: the rules' answer; the question asked is still open
            form.say(general)
            form.say(_hint(requested))
            return True
    aside = task_named(form.task).aside(form, turn) if task_named(form.task) and requested == "confirmed" \
        and parsing.yes_no(turn.text, None, form.task) is None else None   # 补偿券她要的 发吧 is a yes, not an aside
    if aside:   # 帮我催一下 / 到底怎么回事 / 那你们怎么补偿 while the compensation is offered
        form.say(aside)
        return True
    if requested == "confirmed" and turn.confidence >= SWITCH_CONFIDENCE:
        # 那我不要了 能直接取消吗 to "需要为您发放吗？": another task asked, not a no to the question
        switch = task_for(turn.intent, turn.text)
        if switch and switch != form.task:
            _switch(form, turn)
            return True
    if requested == "order_id" and form.shopper and LIST_ASKED.search(turn.text):
        # 没付钱的有哪几单 你说说 while the order is asked: the list again, narrowed by what the words say
        narrowed = _orders_offered(form, turn.text, at_least=1)
        form.set("listed_orders", [o.order_no for o in narrowed])
        form.say(f"这些订单：\n{order_text.order_list(narrowed)}\n回复序号或 12 位订单号即可。")
        return True
    if requested in ("order_id", "order_item") and turn.confidence >= SWITCH_CONFIDENCE:
        # 202611300010 鞋子改成80码 / 西安那单的盖毯 其实是想换小一号的 to "which order?": the order, and a
        # different task said with it — the new task starts from this message (which names the order too).
        # 是实付壹佰陆拾玖元的那一笔 only picks the order: a reading whose own words are not in it switches nothing
        switch = task_for(turn.intent, turn.text)
        own_words = dict(TASK_WORDS).get(turn.intent)
        if own_words is not None and not own_words.search(turn.text):
            switch = None
        if switch and switch != form.task and switch != "status" and TASKS[switch].needs_identity:
            _switch(form, turn)
            return True
    value = extract(form, requested, turn, as_answer=True) if requested else None
    if value is not None:
        if requested == "confirmed":
            if value:
                form.set("confirmed", True)
            else:
                dropped = form.task
                form.say(getattr(task_named(form.task), "kept", "好的，不做修改。") + "还有什么可以帮您？")
                form.end()
                _then(form, turn, dropped=dropped)
            return True
        if accept(form, requested, value):
            form.set("form_attempts", 0.0)
            if requested == "order_id":
                _note_more_orders(form, turn.text)
            if requested == "login_code" and form.get("login_code") == VERIFIED:
                _resume_after_login(form)
            elif form.task and len(re.sub(r"[\d\s，。,.]+", "", turn.text)) >= 2:
                take_said(form, turn)  # the rest of the message: 2025… 改成文三路100号
            if requested == "order_id" and form.task and form.get("task_text"):
                # 我要开发票 抬头写张伟 单号我一会儿找给你 → 2025…: what was said before the order is read again
                take_said(form, Turn(None, 0.0, form.get("task_text"), {}))
        else:
            _count_attempt(form)
        return True
    general = rule_question(form.task, turn.text, order_in_hand=bool(form.get("order_id"))) \
        if requested not in ("login_phone", "login_code") else None
    if general:
        # 那还能退吗 / 退货地址在哪 while a return is under way: the rules' answer, and the task goes on
        form.say(general)
        form.say(_hint(requested))
        return True
    new_task = task_for(turn.intent, turn.text) if turn.confidence >= SWITCH_CONFIDENCE else None
    if turn.intent == "request_human":
        # action_order_task hands over once the form has ended (action_handoff speaks).
        form.set("handoff_reason", "asked")
        form.end()
        return True
    if new_task and new_task != form.task:
        _switch(form, turn)
        return True
    if (turn.intent == "deny" or any(w in turn.text for w in STOP_WORDS)) and not RHETORICAL_STOP.search(turn.text):
        dropped = form.task
        form.say(f"好的，已停止{getattr(task_named(form.task), 'label', '本次操作')}。还有什么可以帮您？")
        _ship_when(form, turn)
        form.end()
        _then(form, turn, dropped=dropped)
        return True
    # A question while a yes is awaited is not an answer (等下 顺丰多少钱): the rule answers it even when the
    # model is only fairly sure what it asks; the form asks for the yes again afterwards.
    # So is a question while a free value is asked (先问下 改地址会多收运费吗 while the new address is awaited).
    if turn.intent in INTERRUPTIONS and turn.confidence >= (
            UNSURE_QUESTION if requested in ("confirmed", "new_value", "exchange_variant", "invoice_title")
            and QUESTION.search(turn.text) else SWITCH_CONFIDENCE):
        return False
    if requested == "confirmed" and re.search(r"[?？]|吗|对吧|是吧", turn.text):
        form.set("confirmed", None)   # 确定只退身体乳 对吧？: the proposal again, with what it covers
        return True
    form.say(_hint(requested))
    _count_attempt(form)
    return True


_KEPT = re.compile(r"还是(?:要|原来的|原来那个)?\s*([^！!，,。；;？?]{1,20})")


def _kept_part(form: Form, turn: Turn) -> str | None:
    """不对！尺寸不换！还是150x200！就换个颜色！ to an exchange awaiting its yes: the part said after 还是 goes back
    to what it was, the rest of the proposal stays (white, in 150x200). None when nothing is said so."""
    m = _KEPT.search(turn.text or "")
    pending = loads_json(form.get("exchange_variant")) or {}
    item = form.item()
    if not m or item is None or not pending:
        return None
    base = dataclasses.replace(item, color=pending.get("color") or item.color, size=pending.get("size") or item.size)
    return variant_named(form, dataclasses.replace(turn, text=m.group(1), entities={}), item=base)


def _yes_then_asked(text: str, task: str | None) -> str | None:
    """The question after a plain yes in one message (确认取消 钱几天到 / 对 顺便问下多久到账), or None when the
    message is not a yes followed by a question."""
    head = re.match(r"\s*([^\s，,。.!！?？]+)[\s，,。.!！]+(.+)$", text or "")
    if not head or parsing.yes_no(head.group(1), None, task) is not True:
        return None
    rest = head.group(2)
    return rest if QUESTION.search(rest) and parsing.yes_no(rest, None, task) is not False else None


_CORRECTION = re.compile(r"是\s*([^\s，,。不]{1,20}?)\s*[，,、]?\s*不是\s*([^\s，,。]{1,20})|不是\s*([^\s，,。]{1,20}?)"
                         r"\s*[，,、]?\s*(?:而)?是\s*([^\s，,。]{1,20})|"
                         # 是191号，119是我记反了: the right one first, then the one said wrongly
                         r"是\s*([^\s，,。不]{1,20}?)\s*[，,、]\s*([^\s，,。]{1,20}?)\s*是?(?:我)?(?:记|写|打|说|输|看)(?:反|错)")


def _corrected(value: Any, text: str) -> str | None:
    """The pending value with the part the shopper corrects replaced (是1808 不是1801 / 不是1801是1808);
    None when the message corrects nothing in it."""
    if not value:
        return None
    m = _CORRECTION.search(text or "")
    if not m:
        return None
    new, old = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3)) if m.group(4) else (
        m.group(5), m.group(6))
    new, old = new.strip("的了啊呀"), old.strip("的了啊呀")
    if new.endswith("号") and not old.endswith("号"):
        new = new[:-1]   # 是191号，119是我记反了: the number is what is corrected
    if not old or not new or old == new or old not in str(value):
        return None
    return str(value).replace(old, new)


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
        "invoice_tax_number": "这个税号不正确，纳税人识别号应为 18 位统一社会信用代码，请核对后重新提供；也可以改开个人发票。",
        "confirmed": "请回复「确认」继续，或「不用了」放弃。",
    }.get(slot or "", "请再说一次。")


def _count_attempt(form: Form) -> None:
    n = int(form.get("form_attempts") or 0) + 1
    form.set("form_attempts", float(n))
    if n >= MAX_ATTEMPTS:
        form.say("抱歉，我还是没能确认信息。需要的话回复「转人工」，人工客服会帮您处理。")
        form.end()


# 手机135…，先把身份验了，我有事要改: the phone proves who is asking, though a change is asked for too
PROVES_WHO = re.compile(r"验证|验一下|身份|登录|登陆|先验")
# An answer that takes up what the assistant has just offered (行 那取消吧 / 好 就取消吧 / 嗯 帮我取消).
ACCEPTS_OFFER = re.compile(r"行|好|可以|嗯|那就|那|就|麻烦|帮我|ok|OK|对")
DECLINES = re.compile(r"不|别|算了|先不")
OFFER = re.compile(r"需要的话回复「([^」]{2,10})」")


def offered_task(tracker: Tracker) -> str | None:
    """The task the assistant's last message offered (…需要的话回复「取消订单」 → cancel), if it offered one."""
    said = next((e.get("text") or "" for e in services.previous_turn(tracker) if e.get("event") == "bot"), "")
    m = OFFER.search(said)
    return next((t.name for t in TASKS.values() if m and t.label == m.group(1)), None)


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
        if activating and form.task and _is_resume(tracker):
            ask_again = True   # a change taken up again after a read answered (action_order_task put it back)
        elif activating:
            product = product_side_turn(tracker) or goods_after_complaint(tracker)
            if product is not None and product.reply:
                # 换个颜色 要绿的 after a list: the goods, not an exchange; the form ends before it asks anything
                dispatcher.utter_message(text=product.reply)
                return [*slot_events(product), SlotSet("order_task", None), SlotSet("requested_slot", None)]
            offered = offered_task(tracker)
            # 对 就退身体乳 to "…需要的话回复「申请退货」": the yes takes up the task offered
            queued = any(e.get("event") == "action" and e.get("name") == "action_handoff"
                         for e in _after_last_user(tracker))
            start(form, turn, task=offered if offered and turn.intent == "affirm" else None, queued=queued)
            if form.task and form.task == offered and ACCEPTS_OFFER.search(turn.text) \
                    and not DECLINES.search(turn.text) and form.next_slot() == "confirmed":
                # 行 那取消吧 in answer to "需要的话回复「取消订单」": the offer taken is the yes; not asked again
                form.set("confirmed", True)
        elif _is_resume(tracker):
            ask_again = True
        elif not answer(form, turn, requested):
            return []  # rejected: a rule answers, then the form comes back (ask_again)
        next_slot = form.next_slot()
        if next_slot:
            same = next_slot == requested and not ask_again
            reconfirm = next_slot == "confirmed" and "confirmed" in form.updates
            # 先别取消 改成1.5米的 白色 to "确认取消…吗": the new task's own question, though it asks for a yes too
            switched = form.task != tracker.get_slot("order_task")
            if not same or reconfirm or switched or not form.messages:
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
