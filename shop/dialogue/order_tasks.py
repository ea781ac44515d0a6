"""The order tasks a shopper can ask the assistant to do: one object per task, in one registry.

Each task declares
  * the intents that start it (``intents``; ``words`` pick one task when several share an intent),
  * the dashboard's topic family it counts under (``family``, read by shop.metrics.figures),
  * what it needs once the shopper and the order are known (``slots``) and the prompts, readers and
    checks for its own slots (``prompt`` / ``extract`` / ``accept``),
  * what the rules refuse as soon as the order is known (``on_order``),
  * the one service call used both for the preview and for the change (``call``; with
    ``service.preview()`` nothing is written) and the question that shows the preview (``question``),
  * and its final message (``finish``).

The order form (actions/order_form.py) and the final action (actions/order_tasks.py) loop over
``TASKS``; slots every task shares (who the shopper is, which order, which item, the yes) stay in
the form. Adding a task is adding one subclass here and listing it in ``TASKS`` (README, "Order
tasks"). Nothing here imports Rasa: the form is passed in as ``form`` (actions.order_form.Form).
"""
from __future__ import annotations

import json
import logging
import re
from typing import Any, Iterable, Mapping, Optional, Protocol

from shop.dialogue import order_text, parsing
from shop.nlu.order_cues import HOUSEHOLD_GOODS
from shop.orders.views import Outcome, OrderView, ShopperView
from shop.rules.complaints import classify_complaint
from shop.rules.formats import validate_phone
from shop.rules.invoices import validate_invoice, validate_tax_number
from shop.rules.logistics import compensation_rule
from shop.rules.orders import can_modify
from shop.rules.policy import PAYMENT_LABELS, OrderStatus, ReturnReason
from shop.text.numbers import COUNT_WORDS, part_quantity

logger = logging.getLogger(__name__)


class TaskForm(Protocol):
    """What a task reads and writes of the form (actions.order_form.Form)."""
    service: Any
    shopper: Optional[ShopperView]
    messages: list[str]            # what is to be said this turn, in order

    def get(self, name: str) -> Any: ...
    def set(self, name: str, value: Any) -> None: ...
    def say(self, text: str) -> None: ...
    def order(self) -> Optional[OrderView]: ...
    def item(self) -> Any: ...
    def item_ref(self) -> Optional[int]: ...
    def delay_offer(self) -> Optional[str]: ...
    def end(self) -> None: ...


class TurnLike(Protocol):
    intent: Optional[str]
    text: str
    entities: Mapping[str, str]


def loads_json(value: Any) -> dict | None:
    """A slot holding JSON (an address, a variant, an invoice title) as a dict; None otherwise."""
    if not value:
        return None
    try:
        data = json.loads(value)
    except (TypeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


class OrderTask:
    name: str = ""
    label: str = ""            # 好的，改为帮您{label} / 已停止{label}
    family: str = "order"      # the dashboard's topic (shop.metrics.figures.TOPICS)
    intents: tuple[str, ...] = ()
    words: tuple[str, ...] = ()  # when several tasks share an intent: the words that pick this one
    needs_identity = True
    shows_goods = False        # the order's goods come into focus (它/第二件 afterwards)
    rules: Optional[str] = None  # "returns" / "shipping": general questions answered from the rules
    value_slot: Optional[str] = None  # a new value while confirming corrects this slot
    question: Optional[str] = None    # the confirmation question under the preview; None: nothing to confirm
    kept = "好的，不做修改。"   # said when the shopper says no to the question
    keeps_photo = False        # a photo sent during the task is kept as evidence
    # The order states in which the task can be done: when the shopper's words fit several orders,
    # these are preferred (shop.dialogue.order_words); the rules decide the details afterwards.
    possible: tuple[str, ...] = OrderStatus.ALL
    # A short question right after a task on an order, about that order (退哪了 / 放在哪了 / 运费我出吗),
    # that the intent model cannot place: the words that make it this task's (follow_up_task).
    follow_up: Optional[re.Pattern] = None
    # What names the task in a clause of its own (算了不取消了 | 帮我开个发票): the part of a message after the
    # shopper dropped the task in hand, which the intent model read as one with the rest (task_asked).
    asks: Optional[re.Pattern] = None
    # Done for several orders at once when the shopper names several (两个都取消): reads, and changes whose
    # only detail is the yes or the invoice title, which hold for each order alike.
    several = False

    def begin(self, form: TaskForm, turn: TurnLike) -> None:
        """The task starts with this message (slots the first message fills are read by the form)."""

    order_prompt_prefix = ""    # said before the list of orders when the task starts by asking which one

    def needs_order(self, form: TaskForm) -> bool:
        return True

    def identity_needed(self, form: TaskForm) -> bool:
        """Must the sender prove who they are first (the phone on file, then the texted code)?"""
        return self.needs_identity

    def aside(self, form: TaskForm, turn: TurnLike) -> Optional[str]:
        """What to say to a message that answers nothing the task asked but is about the task (帮我催一下
        while a compensation is offered); None when the message is not for the task."""
        return None

    def notice(self, form: TaskForm, turn: TurnLike) -> Optional[bool]:
        """Take what any message of the task says in passing, without it being asked (换一条就好); True when
        that is all the message says (the form answers nothing else)."""

    def kept_after(self, form: TaskForm) -> dict:
        """Slots the next task on the same order starts from (a complaint's item and category for the
        return it offers); every other task slot is cleared when a task ends."""
        return {}

    def carry(self, form: TaskForm, before: dict) -> None:
        """Take over what the previous task on the same order kept (`kept_after`), as this task starts."""

    def slots(self, form: TaskForm) -> list[str]:
        """What the task still needs once the shopper and the order are known, in asking order."""
        return []

    def on_order(self, form: TaskForm, order: OrderView) -> None:
        """The order is known: refuse now (say why and form.end()) what the rules refuse whatever the details."""

    def prompt(self, form: TaskForm, slot: str) -> Optional[str]:
        """The question for one of the task's own slots (None: a slot every task shares)."""
        return None

    def extract(self, form: TaskForm, slot: str, turn: TurnLike, *, as_answer: bool) -> Any:
        """The raw value a message gives for one of the task's own slots, or None."""
        return None

    def accept(self, form: TaskForm, slot: str, value: Any) -> Optional[Any]:
        """The value to store for the task's own slot, or None after saying why it is refused."""
        return value

    def call(self, form: TaskForm, service: Any) -> Optional[Outcome]:
        """The one service call that makes the change (with service.preview(): its dry run)."""
        return None

    def finish(self, form: TaskForm, metadata: Any = None) -> list[str]:
        """The final message(s) once every slot is filled."""
        return []

    def read(self, form: TaskForm) -> list[str]:
        """The answer when asked in passing with another task on the same order (a read-only task's
        finish, with nothing to confirm)."""
        return self.finish(form)

    def confirmation(self, form: TaskForm, outcome: Outcome) -> str:
        return f"{outcome.reason}\n{self.question}（回复「确认」或「不用了」）"

    # a change made only after the shopper's yes
    def change(self, form: TaskForm, metadata: Any = None) -> list[str]:
        if form.get("confirmed") is not True:
            return []
        outcome = self.call(form, form.service)
        if outcome is None:
            return []
        if not outcome.ok:
            return [outcome.reason]  # e.g. the last piece was sold between preview and confirmation
        return self.done(form, outcome)

    def done(self, form: TaskForm, outcome: Outcome) -> list[str]:
        return [outcome.reason]


# -- reading ---------------------------------------------------------------------------------------------
class Status(OrderTask):
    name, label, family = "status", "查询订单", "order"
    several = True
    intents = ("check_order_status",)
    shows_goods = True
    rules = "shipping"

    def on_order(self, form: TaskForm, order: OrderView) -> None:
        offer = form.delay_offer()
        if offer:
            # 还没到 about a parcel that has stalled: the tracking, the apology and the compensation,
            # whichever of the two the intent model read
            form.set("order_task", "track")
            form.say(order_text.tracking(order))
            form.say(offer)

    ASKS_RECEIVER = re.compile(r"地址|电话|手机号|收货人|收货信息|寄到哪|送到哪|改好|改了吗|改过来|改成功")
    # 所以现在地址还是香港中路那个 对吧 right after a change was dropped: how the order stands now
    follow_up = re.compile(r"地址还是|现在.{0,4}地址|地址是不是|收货地址是|改好了[吗没]|改了[吗没]|改过来了[吗没]|还是原来的|"
                           r"(?:寄|发)了(?:没|吗|么)|(?:寄|发)出(?:去|来)?了?(?:没|吗)|发货了?(?:没|吗)|(?:寄|发)没(?:寄|发)")

    def finish(self, form: TaskForm, metadata: Any = None) -> list[str]:
        order = form.service.get_order(form.shopper.id, form.get("order_id"))
        return [order_text.status(order)] + self.receiver_asked(form, order)

    def receiver_asked(self, form: TaskForm, order: OrderView) -> list[str]:
        """真的改好了？ / 地址还是香港中路那个对吧: where it goes and to whom, as it stands now."""
        return [order_text.receiver(order)] if self.ASKS_RECEIVER.search(form.get("task_text") or "") else []


class Track(Status):
    name, label, family = "track", "查询物流", "logistics"
    # 能不能再给我一张 right after the delay coupon: the compensation again (once per order, the service says)
    ANOTHER_COUPON = re.compile(r"再(?:给|发|送|来|要|领)(?:我|俺|一下)?(?:一|1|个)?张|多(?:给|发|送)(?:我|俺)?(?:一|1)?张|"
                                r"再.{0,4}(?:券|补偿)|(?:券|补偿).{0,4}再|还能再?(?:领|要|给)")
    follow_up = re.compile(r"放在哪|放哪|驿站|快递柜|取件|单号|快递员|派件员|电话多少|到哪|在哪里|到了没|哪家快递|什么快递|"
                           r"还没(?:有)?(?:收到|到)|没收到|没动静|不动了|物流.{0,2}没(?:有)?更新|" + ANOTHER_COUPON.pattern)
    possible = (OrderStatus.SHIPPED, OrderStatus.DELIVERED)
    intents = ("track_logistics",)
    asks = re.compile(r"物流|快递|kd|到哪|到了没|发货了?[没吗]|发了没")

    def slots(self, form: TaskForm) -> list[str]:
        if self.ANOTHER_COUPON.search(form.get("task_text") or ""):
            return []   # asked for it in so many words: nothing to confirm
        return ["confirmed"] if form.delay_offer() is not None else []

    CHASE = re.compile(r"催|快点|加急|跟进|联系快递|问问快递|查一下快递")
    WHY = re.compile(r"怎么回事|为什么|咋回事|怎么还不|怎么还没|到底|补偿|赔|怎么办|怎么处理|给个说法|没到|不动|没动")
    kept = "好的，券先不发。我们已联系快递催件，会继续跟进包裹，有进展第一时间通知您。"
    TOO_LITTLE = re.compile(r"才\s*(?:\d+|[一二两三四五六七八九十]+)\s*(?:块|元|块钱)|就\s*(?:给)?\s*(?:\d+|[一二两三四五六七八九十]+)\s*(?:块|元)|"
                            r"太少|这么少|少了点|多给点|不够|打发")

    SHIPPING_ASKED = re.compile(r"顺丰|运费|邮费|快递费|多少钱|包邮")

    def aside(self, form: TaskForm, turn: TurnLike) -> Optional[str]:
        order = form.order()
        if order is None or not order.shipments or self.SHIPPING_ASKED.search(turn.text):
            return None   # 为什么不发顺丰 顺丰要多少钱: the shipping rules answer that, not the parcel again
        parcel = order.shipments[-1]
        if self.CHASE.search(turn.text):
            return (f"好的，已为您联系{parcel.carrier}催件（运单号 {parcel.tracking_no}），有新进展会第一时间通知您。"
                    "补偿券要为您发放吗？（回复「要」或「不用了」）")
        offer = form.delay_offer()
        if offer and self.TOO_LITTLE.search(turn.text) and not parsing.RESIGNED.search(turn.text):
            # (十块就十块吧 给我: the amount taken as it is, a yes the confirmation reads, not a haggle)
            # 才十块？我都等快一周了: what the rules give and why this much, and the offer stands
            return f"{compensation_rule()}\n这张券现在就可以为您发放，需要吗？（回复「要」或「不用了」）"
        if offer and self.WHY.search(turn.text):
            # 到底怎么回事 / 那你们怎么补偿: where it is stuck, the apology and what the rules offer, again
            return f"{parcel.carrier}（运单号 {parcel.tracking_no}）{order_text.latest_event(order)}\n{offer}"
        return None

    def read(self, form: TaskForm) -> list[str]:
        """The parcel, asked in passing with another task (开个票 顺便问快递到哪了): where it is, and for a
        stalled one the chase and compensation offered as the next step, not confirmed in passing."""
        order, delay = form.service.track(form.shopper.id, form.get("order_id"))
        lines = [order_text.tracking(order)]
        if delay.allowed:
            lines.append("这个包裹的物流已经几天没有更新了，需要的话回复「查询物流」，我为您催件并申请补偿。")
        return lines

    def finish(self, form: TaskForm, metadata: Any = None) -> list[str]:
        order, delay = form.service.track(form.shopper.id, form.get("order_id"))
        if delay.allowed and self.ANOTHER_COUPON.search(form.get("task_text") or ""):
            return [form.service.claim_delay_compensation(form.shopper.id, order.order_no).reason]
        if not delay.allowed:
            return [order_text.tracking(order)] + self.receiver_asked(form, order)
        if form.get("confirmed") is True:
            return [form.service.claim_delay_compensation(form.shopper.id, order.order_no).reason]
        return ["好的，我们会继续跟进包裹的进度，有更新会第一时间通知您。"]


class Refund(OrderTask):
    name, label, family = "refund", "查询退款", "after_sales"
    several = True
    follow_up = re.compile(r"退哪|退到哪|到账|钱.{0,8}(?:没|还没|什么时候|啥时候|多久|到)|退了多少|退多少|怎么还没看到钱|"
                           r"退回来了?[吗没]|都退了[吗没]|退了[吗没]|已经退了|是不是.{0,6}退了|退了没|退没退|退了\s*[\d一二两三四五六七八九十百]+\s*(?:块|元)?|钱.{0,4}都退|(?:确定|真的)是\s*\d+(?:\.\d+)?\s*(?:块|元)?\s*(?:吗|？|\?|不是)|不是\s*\d+(?:\.\d+)?\s*(?:块|元)?[吗？?]")
    possible = (OrderStatus.REFUNDED, OrderStatus.CANCELLED, OrderStatus.DELIVERED)
    intents = ("ask_refund_status",)
    asks = re.compile(r"退款.{0,4}(?:到|了|呢|多少|进度)|钱.{0,4}(?:退|到账)")
    rules = "returns"

    def finish(self, form: TaskForm, metadata: Any = None) -> list[str]:
        return [form.service.refund_status(form.shopper.id, form.get("order_id")).reason]


# -- changes ---------------------------------------------------------------------------------------------
class Cancel(OrderTask):
    name, label, family = "cancel", "取消订单", "order"
    several = True
    possible = OrderStatus.BEFORE_SHIPMENT
    intents = ("cancel_order",)
    asks = re.compile(r"(?<![不别])取消")
    kept = "好的，订单保留不取消。"

    def slots(self, form: TaskForm) -> list[str]:
        return ["confirmed"]

    MONEY = re.compile(r"钱|退款|退了没|退了多少|到账|退回")

    def on_order(self, form: TaskForm, order: OrderView) -> None:
        if order.status == OrderStatus.CANCELLED and self.MONEY.search(form.get("task_text") or ""):
            form.set("order_task", "refund")   # 米粉那单取消了 钱退了没: where the money is
            return
        preview = form.service.preview().cancel(form.shopper.id, order.order_no)
        if not preview.ok:
            form.say(f"订单 {order.order_no}（{order.status_label}）：{preview.reason}")
            form.end()

    def confirmation(self, form: TaskForm, outcome: Outcome) -> str:
        order = form.order()
        return (f"{outcome.reason}\n确认取消订单 {order.order_no}（{order_text.items_brief(order)}）吗？"
                "（回复「确认」或「不用了」）")

    question = "确认取消订单吗？"

    def call(self, form: TaskForm, service: Any) -> Outcome:
        return service.cancel(form.shopper.id, form.get("order_id"), reason="买家在客服对话中申请取消")

    def done(self, form: TaskForm, outcome: Outcome) -> list[str]:
        data = outcome.data
        text = f"已为您取消订单 {data['order_no']}。"
        if data.get("refund"):
            text += f"货款 {data['refund_amount']:.2f} 元将原路退回，{data['refund_arrival']}。"
        return [text]

    finish = OrderTask.change


class Modify(OrderTask):
    name, label, family = "modify", "修改订单", "order"
    possible = OrderStatus.BEFORE_SHIPMENT
    intents = ("modify_order",)
    asks = re.compile(r"(?<![不别])改(?:个|下|一下)?(?:地址|电话|手机|收货|数量|颜色|尺码|码)|(?:地址|电话|数量)(?:要)?改")
    value_slot = "new_value"
    question = "确认修改吗？"
    PROMPTS = {
        "address": "请告诉我新的收货地址，包含省、市、区和详细地址，例如：浙江省杭州市西湖区文三路 100 号。",
        "phone": "请告诉我新的收货手机号（11 位）。",
        "quantity": "现在是 {qty} 件，请问改成几件？",
        "variant": "现在是{color} {size}，请问要改成什么颜色和尺码？",
    }

    def slots(self, form: TaskForm) -> list[str]:
        req = ["modify_field"]
        if form.get("modify_field") in ("variant", "quantity") and len(form.order().items) > 1:
            req.append("order_item")
        return req + ["new_value", "confirmed"]

    def on_order(self, form: TaskForm, order: OrderView) -> None:
        if order.status not in OrderStatus.BEFORE_SHIPMENT:
            # the field asked, from the words when not read yet (地址能改吗); none named (两块改成一块): none said
            field = form.get("modify_field") or parsing.choice(form.get("task_text"), parsing.MODIFY_FIELD_WORDS,
                                                               parsing.MODIFY_FIELD_CHOICES, as_answer=False)
            form.say(f"订单 {order.order_no}：" + (can_modify(order.status, field).reason if field
                                                   else f"订单目前「{order.status_label}」，不能再修改了。"))
            form.end()
        else:
            form.say(f"订单 {order.order_no} 目前{order.status_label}，还可以修改。")

    def prompt(self, form: TaskForm, slot: str) -> Optional[str]:
        if slot == "modify_field":
            return "请问要修改哪一项？1. 收货地址 2. 收货手机号 3. 颜色/尺码 4. 购买数量"
        if slot == "new_value":
            item = form.item()
            return self.PROMPTS[form.get("modify_field")].format(
                qty=item.qty if item else "", color=item.color if item else "", size=item.size if item else "")
        return None

    def extract(self, form: TaskForm, slot: str, turn: TurnLike, *, as_answer: bool) -> Any:
        if slot == "modify_field":
            return parsing.modify_field(turn.text, as_answer=as_answer) or self.field_of_value(form, turn)
        if slot != "new_value":
            return None
        kind = form.get("modify_field")
        if kind == "address":
            parts = parsing.address(turn.text)
            return json.dumps(parts, ensure_ascii=False) if parts else None
        if kind == "phone":
            return parsing.find_phone(turn.text, turn.entities.get("phone"))
        if kind == "quantity":
            n = parsing.quantity(turn.text)
            return str(n) if n is not None else None
        if kind == "variant":
            return variant_named(form, turn)
        return None

    def aside(self, form: TaskForm, turn: TurnLike) -> Optional[str]:
        """能不能直接在这一单上把数量改成两条？ while an address change awaits its yes: what the rules say of that
        other change (previewed, nothing changed), and the pending one still waits for its answer."""
        field = parsing.modify_field(turn.text) or self.field_of_value(form, turn)
        if not field or field == form.get("modify_field"):
            return None
        saved = {k: form.slots.get(k) for k in ("modify_field", "new_value")}
        try:
            form.slots["modify_field"] = field   # read and previewed only; the form's own slots are put back
            value = self.extract(form, "new_value", turn, as_answer=False)
            if value is None:
                return None
            form.slots["new_value"] = value
            outcome = self.call(form, form.service.preview())
        finally:
            form.slots.update(saved)
        pending = "刚才那项修改还等您确认（回复「确认」或「不用了」）。"
        if not outcome.ok:
            return f"{outcome.reason}{pending}"
        return f"{outcome.reason}这一项等刚才那项办好后再单独确认。{pending}"

    @staticmethod
    def field_of_value(form: TaskForm, turn: TurnLike) -> Optional[str]:
        """What is changed, read from the new value itself (改成13700001111 / 改成广州市天河区… /
        改成两件 / 换成80码) when the shopper does not name the field."""
        text = turn.text
        if not _CHANGE_TO.search(text) and not any(w in text for w in ("改", "换", "写错", "填错", "只要")):
            return None
        if parsing.find_phone(text, turn.entities.get("phone")):
            return "phone"
        if parsing.address(text):
            return "address"
        if re.search(rf"(?:改成|改为|要|只要)\s*[\d一二两三四五六七八九十百千零]+\s*(?:{COUNT_WORDS})", text) or (
                parsing.quantity(text) is not None and re.search(r"[\d一二两三四五六七八九十百千零]+\s*块(?!钱)", text)):
            return "quantity"   # 改成两件 / 数量改成三床 / 砧板改成一块
        order = form.order()
        if order is not None:
            from shop.dialogue.order_words import items_named
            named = items_named(order.items, text) if form.item() is None else []
            if variant_named(form, turn, item=named[0] if len(named) == 1 else None):
                return "variant"
        return None

    def accept(self, form: TaskForm, slot: str, value: Any) -> Optional[Any]:
        kind = form.get("modify_field")
        if slot == "new_value" and kind == "phone":
            check = validate_phone(value)
            if not check.allowed:
                form.say(check.reason)
                return None
            return check.details["value"]
        if slot == "new_value" and kind == "quantity" and not 1 <= int(value) <= 99:
            form.say("每件商品的购买数量至少 1 件、最多 99 件，不能改成这个数量（整单不要了可以取消订单）。"
                     "请重新告诉我数量。")
            return None
        return value

    def call(self, form: TaskForm, service: Any) -> Outcome:
        sid, no = form.shopper.id, form.get("order_id")
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

    finish = OrderTask.change


class Return(OrderTask):
    name, label, family = "return", "申请退货", "after_sales"
    possible = (OrderStatus.DELIVERED,)
    intents = ("request_return",)
    asks = re.compile(r"(?<![不别])退货|(?:给我|帮我|就|还是)退(?:了|掉|吧)")
    # 运费我出吗 / 寄回的运费谁付 right after a return: who pays to send it back, by the rules
    follow_up = re.compile(r"运费.{0,4}(?:我出|谁出|要我|我付|谁付|谁承担|你们出|你们承担)|寄回.{0,4}运费|拒收|拒签")
    keeps_photo = True
    rules = "returns"
    value_slot = "return_reason"
    question = "确认提交退货申请吗？"
    kind_label = "退货"

    def slots(self, form: TaskForm) -> list[str]:
        item = ["order_item"] if len(form.order().items) > 1 else []
        return item + [self.value_slot, "confirmed"]

    def on_order(self, form: TaskForm, order: OrderView) -> None:
        if order.status in OrderStatus.BEFORE_SHIPMENT:
            # 这单退掉 / 鞋换80码 before it ships: what a shop does then is cancel it or change it
            self.before_shipment(form, order)
            return
        if order.status != OrderStatus.DELIVERED:
            preview = form.service.preview().request_return(form.shopper.id, order.order_no, item=order.items[0].id)
            # 那能换成红色的嘛 on a parcel still on its way: the same rule, worded for what was asked
            reason = preview.reason.replace("申请退货", f"申请{self.kind_label}")
            form.say(f"订单 {order.order_no}（{order.status_label}）：{reason}" + self.never_without_reason(
                order, form.get("task_text") or ""))
            form.end()
            return
        if len(order.items) == 1:
            # 开衫申请退货好几天了 到底通过没有: the goods are already under a request — say where it is
            preview = form.service.preview().request_return(form.shopper.id, order.order_no, item=order.items[0].id)
            if preview.code == "after_sales_open":
                # 已经申请咗退货，跟住要点做？要寄去边度？: where that request's parcel goes, when asked
                text = form.get("task_text") or ""
                from shop.rules.returns import address_answer
                form.say(preview.reason + (address_answer() if SEND_WHERE.search(text) or "地址" in text else ""))
                form.end()

    @staticmethod
    def never_without_reason(order: OrderView, text: str) -> str:
        """燕麦片也在这单里吧 到了要是不想吃了能退吗: the named goods the rules never take back without a reason,
        said before they arrive (shop.rules.returns.no_reason_exclusion)."""
        from shop.dialogue.order_words import items_named
        from shop.rules.returns import no_reason_exclusion
        notes = []
        for item in items_named(order.items, text):
            why = no_reason_exclusion(item.category, item.product_name, opened=False)
            if why:
                notes.append(f"另外，「{item.product_name}」{why}，不支持七天无理由退货（质量问题除外）。")
        return "".join(notes)

    def before_shipment(self, form: TaskForm, order: OrderView) -> None:
        form.say(f"订单 {order.order_no} 还没发货（{order.status_label}），不用退货，可以直接取消。")
        form.set("order_task", "cancel")
        TASKS["cancel"].on_order(form, order)

    def prompt(self, form: TaskForm, slot: str) -> Optional[str]:
        if slot == "return_reason":
            return "请问退货原因是？1. 不想要了（七天无理由） 2. 尺码不合适 3. 质量问题 4. 与描述/图片不符 5. 发错货"
        return None

    def extract(self, form: TaskForm, slot: str, turn: TurnLike, *, as_answer: bool) -> Any:
        if slot == "return_reason":
            return parsing.return_reason(turn.text, as_answer=as_answer)
        return None

    def accept(self, form: TaskForm, slot: str, value: Any) -> Optional[Any]:
        if slot == "return_reason":
            sorry = "非常抱歉给您带来不便，" if value in ReturnReason.SELLER_FAULT else ""
            form.say(f"{sorry}好的，退货原因：{ReturnReason.LABELS[value]}。")
        return value

    def notice(self, form: TaskForm, turn: TurnLike) -> None:
        # 换一条就好 另一条留着 / 两件都退: how many of the item; never asked, all of them unless said
        part = part_quantity(turn.text)
        if part is not None:
            form.set("return_qty", part)

    def qty(self, form: TaskForm) -> Optional[int]:
        """The pieces the request covers, as said (None: all of them)."""
        return int(form.get("return_qty") or 0) or None

    def carry(self, form: TaskForm, before: dict) -> None:
        # 退了吧 after a quality complaint: the complained-of item, for the reason complained of — unless the
        # message names other goods of the order (那围兜也一起退了吧 / 同一单的身体乳…能一块退吗) or its own reason
        # (没啥问题就是不想要了)
        from shop.dialogue.order_words import items_named
        text = form.get("task_text") or ""
        order = form.order()
        named = items_named(order.items, text) if order is not None else []
        same = not named or any(str(i.id) == str(before.get("order_item")) for i in named)
        if not same:
            return
        if before.get("order_item") and not form.get("order_item"):
            form.set("order_item", before["order_item"])
        if before.get("complaint_category") in ("quality", "mismatch") and not form.get("return_reason") \
                and parsing.return_reason(text) is None:
            # the exchange too: after 发错了/和图片不符, the same colour and size again is the remedy
            form.set("return_reason", before["complaint_category"])

    def call(self, form: TaskForm, service: Any) -> Outcome:
        # 我拆开用了两回 不太喜欢: opened goods the rules take back without a reason only unopened (skincare)
        return service.request_return(form.shopper.id, form.get("order_id"), reason=form.get("return_reason"),
                                      item=form.item_ref(), photo_path=form.get("evidence_photo"),
                                      qty=self.qty(form), opened=parsing.opened(form.get("task_text")))

    def confirmation(self, form: TaskForm, outcome: Outcome) -> str:
        item = form.item()
        what = f"（{item.product_name} {item.color} {item.size} ×{self.qty(form) or item.qty}{self.into(form)}）" \
            if item else ""
        return f"{outcome.reason}\n{self.question}{what}（回复「确认」或「不用了」）"

    def into(self, form: TaskForm) -> str:
        """What the goods become (an exchange's new variant); nothing for a return."""
        return ""

    def done(self, form: TaskForm, outcome: Outcome) -> list[str]:
        item = form.item()
        pieces = f"，{self.qty(form) or item.qty} 件" if item and item.qty > 1 else ""
        return [f"{self.kind_label}申请已提交（售后单号 {outcome.data['return_id']}{pieces}）。{outcome.reason}"]

    finish = OrderTask.change


class Exchange(Return):
    name, label, family = "exchange", "申请换货", "after_sales"
    intents = ("request_exchange",)
    value_slot = "exchange_variant"
    asks = re.compile(r"(?<![不别])换货|(?:给我|帮我|就|还是)换(?:一?[个件双]|成|吧)")
    question = "确认提交换货申请吗？"
    kind_label = "换货"

    def before_shipment(self, form: TaskForm, order: OrderView) -> None:
        form.say(f"订单 {order.order_no} 还没发货（{order.status_label}），不用换货，直接把颜色/尺码改过来就行。")
        form.set("order_task", "modify")
        form.set("modify_field", "variant")
        TASKS["modify"].on_order(form, order)

    def prompt(self, form: TaskForm, slot: str) -> Optional[str]:
        if slot != "exchange_variant":
            return None
        from shop.store.products import demo_products
        item = form.item()
        product = next((p for p in demo_products() if p.id == item.product_id), None) if item else None
        options = "、".join(f"{v.color} {v.size}" for v in product.variants if v.stock > 0)[:200] if product else ""
        # the goods by name, so a shopper who said 毯子 knows which item of the order is meant
        return (f"办理换货：订单 {form.get('order_id')} 的「{item.product_name}」是{item.color} {item.size}，"
                f"请问想换成什么颜色和尺码？") + (f"目前有货：{options}。" if options else "")

    def extract(self, form: TaskForm, slot: str, turn: TurnLike, *, as_answer: bool) -> Any:
        return variant_named(form, turn) if slot == "exchange_variant" else None

    def accept(self, form: TaskForm, slot: str, value: Any) -> Optional[Any]:
        return value

    def into(self, form: TaskForm) -> str:
        variant = loads_json(form.get("exchange_variant")) or {}
        return f" → {variant.get('color', '')} {variant.get('size', '')}".rstrip() if variant else ""

    def confirmation(self, form: TaskForm, outcome: Outcome) -> str:
        # 实收为200毫升，系发错货。请安排更换: the shop's fault is apologised for before the exchange is set out
        fault = (form.get("return_reason") or parsing.return_reason(form.get("task_text") or "")) \
            in ReturnReason.SELLER_FAULT
        return ("非常抱歉给您带来不便。" if fault else "") + super().confirmation(form, outcome)

    def call(self, form: TaskForm, service: Any) -> Outcome:
        variant = loads_json(form.get("exchange_variant")) or {}
        said = parsing.return_reason(form.get("task_text") or "")
        reason = form.get("return_reason") or (said if said in ReturnReason.SELLER_FAULT else ReturnReason.SIZE)
        return service.request_exchange(form.shopper.id, form.get("order_id"), color=variant.get("color", ""),
                                        size=variant.get("size", ""), item=form.item_ref(), reason=reason,
                                        photo_path=form.get("evidence_photo"), qty=self.qty(form))


# -- payment ---------------------------------------------------------------------------------------------
class DuplicateCharge(OrderTask):
    name, label, family = "duplicate_charge", "重复扣款核查", "payment"
    intents = ("ask_payment_invoice",)
    words = ("扣了两次", "扣两次", "重复扣", "多扣", "扣了2次", "重复支付", "付了两次", "扣款两次", "扣了两笔",
             "扣了我两次", "扣了两遍", "扣两遍", "扣了我两遍", "扣了两回", "扣了我两回", "付了两遍", "扣了双份", "收了两次")

    def finish(self, form: TaskForm, metadata: Any = None) -> list[str]:
        outcome = form.service.file_complaint(form.shopper.id, "重复扣款：" + (form.get("task_text") or ""),
                                              order_no=form.get("order_id"), category="payment")
        order = form.order()
        # which payment is checked: the order's amount and how it was paid, so the shopper can match the statement
        paid = ""
        if order is not None:
            from shop.rules.policy import PAYMENT_LABELS
            method = PAYMENT_LABELS.get(order.payment_method or "", "")
            paid = f"订单 {order.order_no} 实付 {order.pay_amount:.2f} 元" + (f"（{method}）" if method else "") + "，"
        return [f"{paid}已为您登记重复扣款核查（工单号 {outcome.data['ticket_no']}）。财务会在 1 个工作日内核实，"
                "确认多扣的款项将在 1-3 个工作日内原路退回。"]


class Invoice(OrderTask):
    name, label, family = "invoice", "申请发票", "payment"
    several = True
    possible = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED)
    intents = ("ask_payment_invoice",)
    words = ("发票", "开票", "税号", "抬头", "报销")
    asks = re.compile(r"发票|开票|开个?票|票开了")
    follow_up = re.compile(r"^\s*(?:对|好|ok|OK|嗯|行)?[\s，,]*开(?:吧|呗|了吗|好了吗)?\s*$|发票呢|发票开了[吗没]|开好了[吗没]")

    def on_order(self, form: TaskForm, order: OrderView) -> None:
        if order.has_invoice:
            # 对 开 right after the invoice was requested: it is, say so instead of asking for a title again
            form.say(f"订单 {order.order_no} 的发票已申请过了，开具后可在订单详情中下载电子发票。")
            for read in reads_also_asked(self.name, form.get("task_text")):
                for line in TASKS[read].read(form):   # 票开了冇 快递到底到哪了: the parcel too
                    form.say(line)
            form.end()
            return
        if order.status in (OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED, OrderStatus.REFUNDED):
            form.say(f"订单 {order.order_no}（{order.status_label}）没有可开票的实付金额，无法开具发票。"
                     + ("付款后就可以申请。" if order.status == OrderStatus.PENDING_PAYMENT else ""))
            form.end()

    def notice(self, form: TaskForm, turn: TurnLike) -> Optional[bool]:
        # 那拉倒 开个人的 抬头张伟 while the company's tax number is asked: a personal invoice instead
        title = loads_json(form.get("invoice_title")) or {}
        if title.get("type") != "company" or form.get("invoice_tax_number") or "个人" not in turn.text:
            return None
        found = parsing.invoice_title(re.sub(r"^.*?个人的?", "", turn.text) or "个人")
        name = found[1] if found and found[0] == "personal" else "个人"
        check = validate_invoice("personal", name)
        if not check.allowed:
            form.say(check.reason)
            return True
        form.set("invoice_title", json.dumps({"type": "personal", "title": name}, ensure_ascii=False))
        form.say(f"好的，改开个人发票，抬头「{name}」。")
        return True

    def slots(self, form: TaskForm) -> list[str]:
        title = loads_json(form.get("invoice_title"))
        return ["invoice_title"] + (["invoice_tax_number"] if title and title.get("type") == "company" else [])

    def prompt(self, form: TaskForm, slot: str) -> Optional[str]:
        return {"invoice_title": "请告诉我发票抬头：个人请回复姓名或「个人」，企业请回复单位全称。",
                "invoice_tax_number": "企业发票还需要纳税人识别号（18 位统一社会信用代码），请提供。"}.get(slot)

    def extract(self, form: TaskForm, slot: str, turn: TurnLike, *, as_answer: bool) -> Any:
        if slot == "invoice_title":
            if not as_answer and not any(w in turn.text for w in ("抬头", "个人", "公司")):
                return None
            found = parsing.invoice_title(turn.text)
            return json.dumps({"type": found[0], "title": found[1]}, ensure_ascii=False) if found else None
        if slot == "invoice_tax_number":
            return parsing.tax_number(turn.text)
        return None

    def accept(self, form: TaskForm, slot: str, value: Any) -> Optional[Any]:
        if slot == "invoice_title":
            title = loads_json(value)
            if title["type"] == "personal":
                check = validate_invoice("personal", title["title"])
                if not check.allowed:
                    form.say(check.reason)
                    return None
        if slot == "invoice_tax_number":
            check = validate_tax_number(value)
            if not check.allowed:
                form.say(check.reason)
                return None
            title = loads_json(form.get("invoice_title")) or {}
            full = validate_invoice("company", title.get("title", ""), check.details["value"])
            if not full.allowed:
                form.say(full.reason)
                return None
            return check.details["value"]
        return value

    def finish(self, form: TaskForm, metadata: Any = None) -> list[str]:
        title = loads_json(form.get("invoice_title")) or {}
        outcome = form.service.request_invoice(form.shopper.id, form.get("order_id"),
                                               title_type=title.get("type", "personal"),
                                               title=title.get("title", ""),
                                               tax_number=form.get("invoice_tax_number"))
        return [outcome.reason]


class PaymentInfo(OrderTask):
    """How to pay, why a payment failed: the shop's answer, no order and no identification needed."""
    name, label, family = "payment_info", "支付咨询", "payment"
    intents = ("ask_payment_invoice",)
    needs_identity = False
    HELP = {
        "methods": "亲，我们支持" + "、".join(PAYMENT_LABELS.values()) + "（含信用卡）付款，也支持花呗分期（满 300 元可分 3/6 期）。",
        "failed": ("付款失败常见的原因：余额或单日限额不足、银行卡未开通网上支付、网络中断。可以换一种支付方式，"
                   "或稍后在「我的订单」里重新付款；订单在下单 30 分钟内会为您保留。"),
        "invoice": "下单后在订单详情里可以申请电子发票，个人和企业抬头都支持；也可以直接告诉我订单号，我来帮您申请。",
    }
    FAILED_WORDS = ("失败", "付不了", "付不了款", "支付不了", "付款不成功", "付不出", "没付成功", "卡住", "扣款失败")
    follow_up = re.compile(r"怎么付|咋付|如何付|怎样付|怎么支付|如何支付|在哪.{0,2}付|去哪.{0,2}付|怎么交钱|怎么给钱|付款入口|"
                           r"付不上|付不了|付不进去|付不起款|付款失败|支付失败|一直转圈|"
                           r"换.{0,4}(?:方式|办法|法子)(?:付|支付)|(?:付款|支付)方式|用(?:啥|什么|哪个)(?:付|支付)")

    def needs_order(self, form: TaskForm) -> bool:
        return False

    def identity_needed(self, form: TaskForm) -> bool:
        # 砧板那单付不了款 / 我买的那个砧板还没付钱 怎么付: about an order of the sender's, which is shown only to
        # its shopper; a general 怎么付款 needs nobody's identity
        text = form.get("task_text") or ""
        return bool(OWN_PURCHASE.search(text) or parsing.find_order_no(text))

    def finish(self, form: TaskForm, metadata: Any = None) -> list[str]:
        text = form.get("task_text") or ""
        if any(w in text for w in self.FAILED_WORDS):
            return self.unpaid(form, text) + [self.HELP["failed"]]
        if "发票" in text:
            return [self.HELP["invoice"]]
        return self.unpaid(form, text) + [self.HELP["methods"]]

    @staticmethod
    def unpaid(form: TaskForm, text: str) -> list[str]:
        """我买的那个砧板还没付钱 怎么付: the shopper's unpaid order the words name, with what to pay and where
        (only for a shopper already known: payment help asks nobody to identify)."""
        if form.shopper is None:
            return []
        from shop.dialogue.order_words import orders_named
        pending = [o for o in form.service.orders(form.shopper.id) if o.status == OrderStatus.PENDING_PAYMENT]
        named = parsing.find_order_no(text)
        hits = [o for o in pending if o.order_no == named] or [
            o for o in pending if o.order_no in orders_named(pending, text, None)] or [
            o for o in pending if o.order_no == form.get("order_id")]  # 那我怎么付钱 about the order just shown
        if len(hits) != 1:
            return []
        o = hits[0]
        form.set("order_id", o.order_no)   # 那我现在怎么付钱呀 next: about this order
        return [f"您的订单 {o.order_no}（{order_text.items_brief(o)}）待付款 {o.pay_amount:.2f} 元：在「我的订单」里"
                "找到这笔订单，点「去支付」即可，超时未付会自动取消。"]


# -- complaints ------------------------------------------------------------------------------------------
class Complaint(OrderTask):
    name, label, family = "complaint", "投诉", "complaint"
    possible = (OrderStatus.DELIVERED, OrderStatus.SHIPPED)
    intents = ("complain_quality", "complain_mismatch", "complain_service")
    keeps_photo = True
    CATEGORY_BY_INTENT = {"complain_quality": "quality", "complain_mismatch": "mismatch",
                          "complain_service": "service"}
    OFFER_TEXT = {"return": "退货", "exchange": "换货"}
    PHOTO_LINES = {
        "colour_differs": "照片比对结果：{evidence}。已附在工单上。",
        "different_item": "照片比对结果：{evidence}。已附在工单上。",
        "match": "照片比对结果：{evidence}，照片和工单会一并交给专员复核。",
        "unclear": "照片已附在工单上，{evidence}",
    }

    order_prompt_prefix = "非常抱歉给您带来不好的体验。"

    def begin(self, form: TaskForm, turn: TurnLike) -> None:
        category = self.CATEGORY_BY_INTENT.get(turn.intent)
        if category == "service" and classify_complaint(turn.text or "") == "logistics":
            category = "logistics"   # 那个快递员 东西丢驿站也不打电话 态度凶: the courier, not the shop's service
        form.set("complaint_category", category)

    def needs_order(self, form: TaskForm) -> bool:
        # goods and parcels belong to an order (the ticket goes to the carrier's follow-up with it)
        return form.get("complaint_category") in ("quality", "mismatch", "logistics")

    def kept_after(self, form: TaskForm) -> dict:
        order = form.order()
        if order is None:
            return {}
        from shop.dialogue.order_words import items_named
        text = form.get("task_text") or ""
        named = items_named(order.items, text)
        if len(named) > 1:
            # 和哺乳内衣一起买的那个围兜: the goods named last are what the sentence is about
            named = [max(named, key=lambda i: max(text.rfind(i.product_name), text.rfind(i.product_name[-2:])))]
        item = named[0].id if len(named) == 1 else (order.items[0].id if len(order.items) == 1 else None)
        return {"complaint_category": form.get("complaint_category"),
                "order_item": str(item) if item is not None else None}

    def finish(self, form: TaskForm, metadata: Any = None) -> list[str]:
        checked = complaint_photo(form, metadata)
        refused = checked.refused if checked is not None else None
        if refused:
            checked = None  # the complaint is filed without the photo; the shopper is asked to resend it
        photo = None if checked is None else {
            "media_id": checked.media_id, "verdict": checked.verdict.verdict,
            "evidence": checked.verdict.evidence, "measures": checked.verdict.numbers}
        outcome = form.service.file_complaint(form.shopper.id, form.get("task_text") or "",
                                              order_no=form.get("order_id"),
                                              category=form.get("complaint_category"), photo=photo)
        if outcome.data.get("flagged_for_human"):
            form.set("handoff_reason", "angry_complaint")
        order, item = form.order(), form.item()
        about = ""
        if order is not None:
            from shop.dialogue.order_words import items_named
            named = [item] if item else items_named(order.items, form.get("task_text") or "")
            about = f"（订单 {order.order_no}" + (f"，{named[0].product_name}" if len(named) == 1 else "") + "）"
        lines = [f"非常抱歉给您带来不好的体验。{outcome.reason}{about}工单号 {outcome.data['ticket_no']}。"]
        if checked is not None:
            lines.append(self.PHOTO_LINES[checked.verdict.verdict].format(evidence=checked.verdict.evidence))
        elif refused:
            lines.append("照片没能收到。" + refused)
        offers = [o for o in outcome.data.get("offers", ()) if o in self.OFFER_TEXT]
        wished = next((o for o in offers if WISHES[o].search(form.get("task_text") or "")), None)
        if wished and form.get("order_id"):
            # 跟图片上不一样 想退: the return the complaint already asks for is offered as the next step,
            # in the words a yes (对 就退身体乳) takes up (actions.order_form.offered_task)
            label = TASKS[wished].label
            lines.append(f"您说想{self.OFFER_TEXT[wished]}，{self.OFFER_TEXT[wished]}的运费由我们承担。"
                         f"需要的话回复「{label}」，我马上为您办理。")
        elif offers and form.get("order_id"):
            lines.append("您可以申请" + "或".join(self.OFFER_TEXT[o] for o in offers)
                         + "（质量问题、与描述不符的运费由我们承担），需要的话直接告诉我「退货」或「换货」。")
        return lines


# What a complaint asks to be done about it: 想退 / 给我换一个 (not 不退 / 不想换)
WISHES = {"return": re.compile(r"(?<!不)(?:想|要|得|给我|帮我|申请)退(?!款)|退货|退掉|退了吧|退回去"),
          "exchange": re.compile(r"(?<!不)(?:想|要|给我|帮我|申请)换|换货|换一[个件双条瓶支]|换个新的|更换|调换")}


def complaint_photo(form: TaskForm, metadata: Any):
    """A mismatch complaint's photo compared with the order's items (in the colours ordered), or None.
    The photo is read through shop.media (path, url or the platform's media id), whatever the channel."""
    if form.get("complaint_category") != "mismatch":
        return None
    from shop.media import attachment_from_ref, first_attachment, media_store
    from shop.vision.service import photo_verdict
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


# -- the variant a shopper names ---------------------------------------------------------------------------
_CHANGE_TO = re.compile(r"(?:改成|改为|换成|换为|改到|换到|换个|改个)(.+)$")
# 黄色不好看，想换白的 / 能换XL吗: what follows a plain 换 is the new variant too (not 换货, 换掉)
_CHANGE_PLAIN = re.compile(r"换(?!货|掉|了|不|吗|个?(?:大|小)一?[码号点])(.+)$")
_LETTER_SIZES = ["XS", "S", "M", "L", "XL", "XXL", "2XL", "XXXL", "3XL", "4XL"]


def variant_named(form: TaskForm, turn: TurnLike, item: Any = None) -> str | None:
    """{'color','size'} (JSON) for the item's product (the form's item unless one is given): what the
    shopper named, the rest kept as it is."""
    from shop.store.products import demo_products
    from shop.text.numbers import to_digits
    item = item or form.item()
    if item is None:
        return None
    product = next((p for p in demo_products() if p.id == item.product_id), None)
    colors = sorted({v.color for v in product.variants}) if product else []
    sizes = sorted({v.size for v in product.variants}) if product else []
    # 九十的帮我改成八十的: numerals as digits, and what follows 改成/换成 is the new variant
    text = to_digits(turn.text)
    text = re.sub(r"(\d)\s*米\s*(\d)(?![\d.])", r"\1.\2", text)   # 一米五的床 → 1.5 (the 1.5m床 size)
    wanted = _CHANGE_TO.search(text) or _CHANGE_PLAIN.search(text)
    target = wanted.group(1) if wanted else text
    c = parsing.color(target, None, colors) or (None if wanted else parsing.color(text, turn.entities.get("color"), colors))
    s = parsing.size(target, None, sizes) or (None if wanted else parsing.size(text, turn.entities.get("size"), sizes))
    if s is None:
        # 改成1.5的 for 1.5m床: the number a catalog size starts with, when only one size does
        lead = [z for z in sizes if (m := re.match(r"\d+(?:\.\d+)?", z)) and re.search(
            rf"(?<![\d.]){re.escape(m.group())}(?![\d.])", target)]
        s = lead[0] if len(lead) == 1 else None
    if c is None and s is None:
        step = 1 if _BIGGER.search(turn.text) else -1 if _SMALLER.search(turn.text) else 0
        ordered = size_order(sizes)
        if step and item.size in ordered and 0 <= ordered.index(item.size) + step < len(ordered):
            s = ordered[ordered.index(item.size) + step]
        else:
            if step and item.size in ordered:
                # 鞋子给我换大一码 when 90 is already the largest: say so, with the sizes there are
                edge = f"「{item.product_name}」的{item.size}已经是{'最大' if step > 0 else '最小'}的码了" \
                       f"（有 {'/'.join(ordered)}），没有更{'大' if step > 0 else '小'}的。"
                if edge not in form.messages:
                    form.say(edge)
            return None
    return json.dumps({"color": c or item.color, "size": s or item.size}, ensure_ascii=False)


# 换大一码 / 大一号 / 换个大点的 / 换小的: a size up or down from the one bought
_BIGGER = re.compile(r"大一(?:个)?(?:码|号|点)|大(?:点|些)的?|换(?:成|个)?大的|大一码")
_SMALLER = re.compile(r"小一(?:个)?(?:码|号|点)|小(?:点|些)的?|换(?:成|个)?小的|小一码")


def size_order(sizes: Iterable[str]) -> list[str]:
    def key(s: str):
        if s in _LETTER_SIZES:
            return (0, _LETTER_SIZES.index(s), s)
        digits = "".join(ch for ch in s if ch.isdigit())
        return (1, int(digits) if digits else 0, s)
    return sorted(sizes, key=key)


# -- the registry ----------------------------------------------------------------------------------------
TASKS: dict[str, OrderTask] = {t.name: t for t in (
    Status(), Track(), Cancel(), Modify(), Return(), Exchange(), Refund(),
    DuplicateCharge(), Invoice(), PaymentInfo(), Complaint(),
)}


def task_named(name: Optional[str]) -> Optional[OrderTask]:
    return TASKS.get(name or "")


def task_for(intent: Optional[str], text: str) -> Optional[str]:
    """The task an intent starts; where several tasks share it, the first whose words the text uses,
    else the one without words (ask_payment_invoice: 重复扣款 → duplicate_charge, 发票 → invoice,
    otherwise payment_info)."""
    candidates = [t for t in TASKS.values() if intent in t.intents]
    for task in candidates:
        if task.words and any(w in text for w in task.words):
            return task.name
    plain = [t for t in candidates if not t.words]
    return plain[0].name if plain else None


# 我买的那个砧板还没付钱 / 我上次下单的枕套到哪了: the shopper's own purchase, so an order's task even when
# the words are mostly about goods (the intent model reads a product question into them).
OWN_PURCHASE = re.compile(r"我(?:(?!想|要|打算|准备|得|该|会|能)[^，。？！,.?!\s]){0,8}?(?:买|下单|拍|订|网购)(?:了|下)?的|"
                          r"我(?:那|这)(?:单|个订单|笔订单)|我的(?:订单|包裹|快递)|[\u4e00-\u9fff]{1,6}那单|"
                          r"买了.{0,4}(?:天|周|礼拜|星期|个月)|(?:上周|上礼拜|上星期|前几天|昨天|前天|上个月|之前)(?:在.{1,6})?买了|"
                          # 我老婆说那个褥子要换成1.5米的: goods of the household (the intent side's pattern)
                          + HOUSEHOLD_GOODS)


# 寄到哪 / 要寄去哪里: where goods are to be sent (after a return was opened: the warehouse)
SEND_WHERE = re.compile(r"寄到哪|寄哪|寄去哪|寄回哪|寄给谁|发到哪|地址(?:是|在)?(?:哪|多少|啥|什么)|寄回(?:去|来)?的?地址|退货地址|"
                        r"地址发(?:我|给我|一下)|发(?:个|一下)?地址")


# 整错了 不是这单 是褥子那单202511220009: the order the last task was about was the wrong one
CORRECTS_ORDER = re.compile(r"不是这[单个]|不是那[单个]|不是这个订单|是另一[单个]|是另外[一那]?[单个]|(?:整|搞|弄|说|打|写)错了?.{0,6}(?:单|订单)|"
                            r"(?:整|搞|弄|说|打|写)错了.{0,8}是")


def corrects_order(text: str | None) -> bool:
    """Does the message say the order just handled was the wrong one (and usually which one is meant)?"""
    return bool(CORRECTS_ORDER.search((text or "")[:200]))


def own_order_task(text: str | None) -> Optional[str]:
    """The order task a message about the shopper's own purchase asks (我买的那个砧板还没付钱 不知道怎么付 →
    payment), or None when it names no purchase of theirs or asks nothing a task does (我买的那件能机洗吗)."""
    t = (text or "")[:200]
    if not OWN_PURCHASE.search(t):
        return None
    # …那个褥子要换成1.5米的: what to do, by the task words the intent side reads too (shop.nlu.order_cues)
    from shop.nlu.order_cues import TASK_WORDS
    cue = next((intent for intent, words in TASK_WORDS if words.search(t)), None)
    return follow_up_task(t) or (task_for(cue, t) if cue else None)


READ_TASKS = ("status", "track", "refund")   # they read an order and change nothing


def reads_also_asked(task: str, text: str | None) -> list[str]:
    """The read-only tasks a message that started `task` also asks by their own words (物流, 到哪, 退款到了没),
    answered in passing; status is left out (every task's answer already says how the order stands)."""
    t = (text or "")[:200]
    return [name for name in READ_TASKS if name not in (task, "status") and TASKS[name].asks.search(t)]


def task_asked(text: str | None) -> Optional[str]:
    """The task a clause names by its own words (帮我开个发票 → invoice, 枕套那个kd到哪了 → track), or None."""
    t = (text or "")[:120]
    return next((task.name for task in TASKS.values() if task.asks and task.asks.search(t)), None)


def follow_up_task(text: str | None) -> Optional[str]:
    """The task a short follow-up about the order just handled asks (退哪了 → refund), or None."""
    t = (text or "")[:60]
    return next((task.name for task in TASKS.values() if task.follow_up and task.follow_up.search(t)), None)


def families() -> dict[str, tuple[str, ...]]:
    """The dashboard's topic families of the order tasks: family → the intents that start its tasks."""
    out: dict[str, list[str]] = {}
    for t in TASKS.values():
        for i in t.intents:
            if i not in out.setdefault(t.family, []):
                out[t.family].append(i)
    return {k: tuple(v) for k, v in out.items()}
