"""The order store's tables.

Statuses are plain strings from shop.rules.policy (checked by CHECK constraints),
so rules and store share one vocabulary. Times are naive China Standard Time.
Order items copy product name/category/price at purchase, as a receipt must not
change when the catalog does.
"""
from __future__ import annotations

from sqlalchemy import (
    Boolean, CheckConstraint, Column, Date, DateTime, ForeignKey, Index, Integer, MetaData, String,
    Text, UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship
from sqlalchemy.sql.expression import false as sa_false

from shop.rules.policy import OrderStatus, RefundStatus, ReturnKind, ReturnReason, ReturnStatus
from shop.store.types import Money

# Explicit constraint names: Alembic needs them to alter/drop constraints, and
# they must come out the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
Base = declarative_base(metadata=MetaData(naming_convention=NAMING))


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class StoreMeta(Base):
    """Key/value facts about the store itself (seed version and anchor date)."""
    __tablename__ = "store_meta"
    key = Column(String(64), primary_key=True)
    value = Column(Text, nullable=False)


class Shopper(Base):
    __tablename__ = "shoppers"
    id = Column(Integer, primary_key=True)
    name = Column(String(64), nullable=False)
    phone = Column(String(11), nullable=False, unique=True)
    created_at = Column(DateTime, nullable=False)

    channels = relationship("ShopperChannel", back_populates="shopper", cascade="all, delete-orphan")
    orders = relationship("Order", back_populates="shopper")


# How a sender was bound to a shopper (shop.identity): only the first three are trusted.
# "legacy" marks bindings made before identity needed proof (a phone number alone, REST
# sender names): they are kept for the record and never used.
BINDING_KINDS = ("otp", "platform", "demo", "legacy")


class ShopperChannel(Base):
    """A conversation sender bound to a shopper: (channel, sender id) → shopper, and how that was proven."""
    __tablename__ = "shopper_channels"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_shopper_channels_channel_external"),
                      CheckConstraint(_in("verified_by", BINDING_KINDS), name="verified_by"))
    id = Column(Integer, primary_key=True)
    shopper_id = Column(ForeignKey("shoppers.id", ondelete="CASCADE"), nullable=False, index=True)
    channel = Column(String(32), nullable=False)       # rest, app, miniprogram, social
    external_id = Column(String(160), nullable=False)  # Rasa's sender id ("app:u-1001", a REST sender)
    created_at = Column(DateTime, nullable=False)
    verified_by = Column(String(16), nullable=False, server_default="legacy")
    # A REST sender id is chosen by the client, not proven by a platform: its binding lapses.
    expires_at = Column(DateTime)

    shopper = relationship("Shopper", back_populates="channels")


class VerificationCode(Base):
    """A one-time code sent (or, for a phone not on file, pretended to be sent) to a sender.

    Only a digest of the code is kept. Rows stay after use: the attempt limits per phone
    and per sender count them (shop.identity.verification).
    """
    __tablename__ = "verification_codes"
    __table_args__ = (
        CheckConstraint(_in("status", ("pending", "verified", "failed", "replaced")), name="status"),
        Index("ix_verification_codes_sender", "channel", "sender_id", "created_at"),
        Index("ix_verification_codes_phone", "phone", "created_at"),
    )
    id = Column(Integer, primary_key=True)
    channel = Column(String(32), nullable=False)
    sender_id = Column(String(160), nullable=False)
    phone = Column(String(11), nullable=False)
    shopper_id = Column(ForeignKey("shoppers.id", ondelete="CASCADE"))  # None: no shopper has this phone
    code_hash = Column(String(64), nullable=False)
    attempts = Column(Integer, nullable=False, default=0)  # wrong codes entered against this one
    status = Column(String(8), nullable=False, default="pending")
    created_at = Column(DateTime, nullable=False)
    expires_at = Column(DateTime, nullable=False)


class VariantStock(Base):
    """Sellable stock per product variant (seeded from the catalog; exchanges reserve from it)."""
    __tablename__ = "variant_stock"
    __table_args__ = (CheckConstraint("stock >= 0", name="stock_not_negative"),)
    product_id = Column(String(16), primary_key=True)
    color = Column(String(32), primary_key=True)
    size = Column(String(32), primary_key=True)
    stock = Column(Integer, nullable=False)


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(_in("status", OrderStatus.ALL), name="status"),
        CheckConstraint("payment_method IS NULL OR " + _in("payment_method", ("alipay", "wechat", "bank_card")),
                        name="payment_method"),
        Index("ix_orders_shopper_created", "shopper_id", "created_at"),
    )
    id = Column(Integer, primary_key=True)
    order_no = Column(String(12), nullable=False, unique=True)
    shopper_id = Column(ForeignKey("shoppers.id"), nullable=False)
    status = Column(String(20), nullable=False)
    payment_method = Column(String(16))
    items_total = Column(Money, nullable=False)
    shipping_fee = Column(Money, nullable=False)
    discount = Column(Money, nullable=False)
    pay_amount = Column(Money, nullable=False)
    receiver_name = Column(String(64), nullable=False)
    receiver_phone = Column(String(11), nullable=False)
    province = Column(String(32), nullable=False)
    city = Column(String(32), nullable=False)
    district = Column(String(32), nullable=False)
    address_detail = Column(String(200), nullable=False)
    created_at = Column(DateTime, nullable=False)
    paid_at = Column(DateTime)
    shipped_at = Column(DateTime)
    delivered_at = Column(DateTime)
    cancelled_at = Column(DateTime)
    cancel_reason = Column(String(200))
    updated_at = Column(DateTime, nullable=False)

    shopper = relationship("Shopper", back_populates="orders")
    items = relationship("OrderItem", back_populates="order", order_by="OrderItem.id", cascade="all, delete-orphan")
    shipments = relationship("Shipment", back_populates="order", order_by="Shipment.id", cascade="all, delete-orphan")
    return_requests = relationship("ReturnRequest", back_populates="order", order_by="ReturnRequest.id")
    refunds = relationship("Refund", back_populates="order", order_by="Refund.id")
    coupon = relationship("Coupon", back_populates="used_order", uselist=False, foreign_keys="Coupon.used_order_id")
    invoice = relationship("Invoice", back_populates="order", uselist=False)


class OrderItem(Base):
    __tablename__ = "order_items"
    __table_args__ = (CheckConstraint("qty > 0", name="qty_positive"),)
    id = Column(Integer, primary_key=True)
    order_id = Column(ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True)
    product_id = Column(String(16), nullable=False, index=True)
    product_name = Column(String(100), nullable=False)
    category = Column(String(32), nullable=False)
    color = Column(String(32), nullable=False)
    size = Column(String(32), nullable=False)
    qty = Column(Integer, nullable=False)
    unit_price = Column(Money, nullable=False)

    order = relationship("Order", back_populates="items")


class Shipment(Base):
    __tablename__ = "shipments"
    __table_args__ = (CheckConstraint(_in("kind", ("outbound", "exchange")), name="kind"),)
    id = Column(Integer, primary_key=True)
    order_id = Column(ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(16), nullable=False)  # outbound = the order; exchange = a replacement
    carrier = Column(String(32), nullable=False)
    tracking_no = Column(String(32), nullable=False, unique=True)
    shipped_at = Column(DateTime, nullable=False)
    delivered_at = Column(DateTime)

    order = relationship("Order", back_populates="shipments")
    events = relationship("TrackingEvent", back_populates="shipment", order_by="TrackingEvent.occurred_at",
                          cascade="all, delete-orphan")


class TrackingEvent(Base):
    __tablename__ = "tracking_events"
    __table_args__ = (CheckConstraint(
        _in("status", ("collected", "in_transit", "out_for_delivery", "delivered", "exception")), name="status"),)
    id = Column(Integer, primary_key=True)
    shipment_id = Column(ForeignKey("shipments.id", ondelete="CASCADE"), nullable=False, index=True)
    occurred_at = Column(DateTime, nullable=False)
    status = Column(String(20), nullable=False)
    location = Column(String(64), nullable=False)
    description = Column(String(300), nullable=False)  # Chinese, as the carrier reports it

    shipment = relationship("Shipment", back_populates="events")


class ReturnRequest(Base):
    __tablename__ = "return_requests"
    __table_args__ = (
        CheckConstraint(_in("kind", (ReturnKind.RETURN, ReturnKind.EXCHANGE)), name="kind"),
        CheckConstraint(_in("reason", ReturnReason.ALL), name="reason"),
        CheckConstraint(_in("status", tuple(ReturnStatus.LABELS)), name="status"),
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint("kind = 'return' OR (target_color IS NOT NULL AND target_size IS NOT NULL)",
                        name="exchange_has_target"),
    )
    id = Column(Integer, primary_key=True)
    order_id = Column(ForeignKey("orders.id"), nullable=False, index=True)
    order_item_id = Column(ForeignKey("order_items.id"), nullable=False, index=True)
    kind = Column(String(16), nullable=False)
    reason = Column(String(16), nullable=False)
    detail = Column(Text)                    # the shopper's own words
    qty = Column(Integer, nullable=False)
    target_color = Column(String(32))        # exchange only
    target_size = Column(String(32))
    photo_path = Column(String(300))
    opened = Column(Boolean, nullable=False, default=False)
    status = Column(String(16), nullable=False)
    send_back_by = Column(Date, nullable=False)  # the deadline to post the item back
    created_at = Column(DateTime, nullable=False)
    received_at = Column(DateTime)
    completed_at = Column(DateTime)

    order = relationship("Order", back_populates="return_requests")
    item = relationship("OrderItem")
    refund = relationship("Refund", back_populates="return_request", uselist=False)


class Refund(Base):
    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint(_in("status", tuple(RefundStatus.LABELS)), name="status"),
        CheckConstraint(_in("cause", ("cancel", "return", "quantity")), name="cause"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )
    id = Column(Integer, primary_key=True)
    order_id = Column(ForeignKey("orders.id"), nullable=False, index=True)
    return_request_id = Column(ForeignKey("return_requests.id"), unique=True)
    cause = Column(String(16), nullable=False)
    amount = Column(Money, nullable=False)
    payment_method = Column(String(16), nullable=False)
    status = Column(String(16), nullable=False)
    created_at = Column(DateTime, nullable=False)
    expected_by = Column(Date, nullable=False)
    completed_at = Column(DateTime)

    order = relationship("Order", back_populates="refunds")
    return_request = relationship("ReturnRequest", back_populates="refund")


# Where a coupon came from; cart_reminder = the recommender's nudge for an abandoned cart.
COUPON_SOURCES = ("promotion", "delay_compensation", "complaint_compensation", "cart_reminder")


class Coupon(Base):
    __tablename__ = "coupons"
    __table_args__ = (
        CheckConstraint(_in("source", COUPON_SOURCES), name="source"),
        CheckConstraint("amount > 0", name="amount_positive"),
        # One compensation of each kind per order, however often the shopper asks.
        UniqueConstraint("source", "source_order_id", name="uq_coupons_source_order"),
    )
    id = Column(Integer, primary_key=True)
    code = Column(String(32), nullable=False, unique=True)
    shopper_id = Column(ForeignKey("shoppers.id"), nullable=False, index=True)
    title = Column(String(64), nullable=False)
    amount = Column(Money, nullable=False)
    threshold = Column(Money, nullable=False)
    valid_from = Column(DateTime, nullable=False)
    valid_until = Column(DateTime, nullable=False)
    source = Column(String(32), nullable=False)
    source_order_id = Column(ForeignKey("orders.id"))
    # UNIQUE: the database itself holds "one coupon per order" (NULLs do not collide).
    used_order_id = Column(ForeignKey("orders.id"), unique=True)
    used_at = Column(DateTime)

    used_order = relationship("Order", back_populates="coupon", foreign_keys=[used_order_id])


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint(_in("title_type", ("personal", "company")), name="title_type"),
        CheckConstraint("title_type = 'personal' OR tax_number IS NOT NULL", name="company_has_tax_number"),
    )
    id = Column(Integer, primary_key=True)
    order_id = Column(ForeignKey("orders.id"), nullable=False, unique=True)  # one invoice per order
    title_type = Column(String(16), nullable=False)
    title = Column(String(100), nullable=False)
    tax_number = Column(String(18))
    email = Column(String(120))
    amount = Column(Money, nullable=False)
    status = Column(String(16), nullable=False, default="requested")
    created_at = Column(DateTime, nullable=False)

    order = relationship("Order", back_populates="invoice")


class ComplaintTicket(Base):
    __tablename__ = "complaint_tickets"
    __table_args__ = (
        CheckConstraint(_in("category", ("quality", "mismatch", "logistics", "service", "payment", "other")),
                        name="category"),
        CheckConstraint(_in("priority", ("high", "normal", "low")), name="priority"),
        CheckConstraint(_in("photo_verdict", ("match", "colour_differs", "different_item", "unclear")),
                        name="photo_verdict"),
        Index("ix_complaint_tickets_shopper_created", "shopper_id", "created_at"),
    )
    id = Column(Integer, primary_key=True)
    ticket_no = Column(String(16), nullable=False, unique=True)
    shopper_id = Column(ForeignKey("shoppers.id"), nullable=False)
    order_id = Column(ForeignKey("orders.id"), index=True)
    category = Column(String(16), nullable=False)
    priority = Column(String(8), nullable=False)
    flagged_for_human = Column(Boolean, nullable=False, default=False)
    text = Column(Text, nullable=False)
    offers = Column(String(100), nullable=False, default="")  # comma-separated: return,exchange,compensation
    status = Column(String(16), nullable=False, default="open")
    created_at = Column(DateTime, nullable=False)
    # The shopper's photo (a shop.media id) and what comparing it with the catalog pictures found,
    # so an agent sees the evidence beside the words. Empty for complaints without a photo.
    evidence_media_id = Column(String(100))
    photo_verdict = Column(String(16))        # match | colour_differs | different_item | unclear
    photo_evidence = Column(Text)             # the sentence the shopper was shown
    photo_measures = Column(Text)             # JSON: structure, IoU, SSIM, hash distances, ΔE, colours


class BehaviourEvent(Base):
    """What shoppers did with products, for the recommendation work later."""
    __tablename__ = "behaviour_events"
    __table_args__ = (
        CheckConstraint(_in("kind", ("view", "add_to_cart", "order", "pay")), name="kind"),
        Index("ix_behaviour_events_shopper_time", "shopper_id", "occurred_at"),
        Index("ix_behaviour_events_product_kind", "product_id", "kind"),
    )
    id = Column(Integer, primary_key=True)
    shopper_id = Column(ForeignKey("shoppers.id"), nullable=False)
    product_id = Column(String(16), nullable=False)
    kind = Column(String(16), nullable=False)
    order_id = Column(ForeignKey("orders.id"))
    occurred_at = Column(DateTime, nullable=False)


class Agent(Base):
    """A human agent who signs in to the workbench (password stored as an Argon2id hash)."""
    __tablename__ = "agents"
    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, unique=True)
    display_name = Column(String(64), nullable=False)
    password_hash = Column(String(255), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    # Space-separated roles: "agent" serves shoppers; "reviewer" also labels misunderstood messages
    # (shop.review). Checked by shop.workbench.accounts.ROLES.
    roles = Column(String(64), nullable=False, server_default="agent")
    created_at = Column(DateTime, nullable=False)


class AgentSession(Base):
    """A signed-in workbench session; kept in SQL so every instance honours a sign-out.

    Only the SHA-256 of the cookie's token is stored: a leaked table opens no session.
    """
    __tablename__ = "agent_sessions"
    token_hash = Column(String(64), primary_key=True)
    agent_id = Column(ForeignKey("agents.id", ondelete="CASCADE"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False)
    expires_at = Column(DateTime, nullable=False)


class Handoff(Base):
    """A conversation waiting for, or served by, a human agent.

    ``conversation_id`` is Rasa's sender id ("miniprogram:oAbc…"); at most one
    handoff per conversation is open (waiting or active) at a time, which
    shop.handoff.queue enforces.
    """
    __tablename__ = "handoffs"
    __table_args__ = (
        CheckConstraint(_in("reason", ("asked", "not_understood", "angry_complaint", "unresolved")), name="reason"),
        CheckConstraint(_in("status", ("waiting", "active", "closed")), name="status"),
        Index("ix_handoffs_status_created", "status", "created_at"),
        Index("ix_handoffs_conversation", "conversation_id", "status"),
    )
    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(160), nullable=False)
    channel = Column(String(32), nullable=False)
    reason = Column(String(16), nullable=False)
    # Whether the sender had proven who they are when the handoff opened (shop.identity),
    # and how it was triggered (JSON: the rule and the shopper's words), for the agent.
    verified = Column(Boolean, nullable=False, server_default=sa_false())
    trigger = Column(Text, nullable=False, server_default="{}")
    status = Column(String(8), nullable=False, default="waiting")
    agent = Column(String(64))
    summary = Column(Text, nullable=False, default="")   # the shopper's last words before the handoff
    context = Column(Text, nullable=False, default="{}")  # JSON: product_in_focus, order_id, ticket ...
    created_at = Column(DateTime, nullable=False)
    taken_at = Column(DateTime)
    closed_at = Column(DateTime)


class Rating(Base):
    """A shopper's 1-5 star rating of one conversation (asked when it ends)."""
    __tablename__ = "ratings"
    __table_args__ = (
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars"),
        Index("ix_ratings_created", "created_at"),
    )
    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(160), nullable=False, index=True)
    channel = Column(String(32), nullable=False)
    stars = Column(Integer, nullable=False)
    agent = Column(String(64))  # set when a human served the conversation
    comment = Column(Text, nullable=False, default="")
    created_at = Column(DateTime, nullable=False)


REVIEW_STATUSES = ("open", "labelled", "confirmed", "ignored")
REVIEW_ACTIONS = ("label", "confirm", "override")


class ReviewGroup(Base):
    """Misunderstood messages that read alike (shop.review.queue): one label covers them all.

    ``text`` is the first message's masked text; personal data never reaches this table.
    ``intent`` is the latest label (a domain intent, or "noise"); ``status`` goes
    open → labelled (one reviewer) → confirmed (a second reviewer agreed); "ignored" is a
    confirmed "noise". ``exported_in`` names the data file the example went to (2026-12).
    """
    __tablename__ = "review_groups"
    __table_args__ = (
        CheckConstraint(_in("status", REVIEW_STATUSES), name="status"),
        Index("ix_review_groups_status_count", "status", "count"),
    )
    id = Column(Integer, primary_key=True)
    key = Column(String(64), nullable=False, unique=True)  # SHA-256 of the normalised masked text
    text = Column(Text, nullable=False)
    count = Column(Integer, nullable=False, default=0)
    status = Column(String(10), nullable=False, default="open")
    intent = Column(String(64))
    entities = Column(Text, nullable=False, default="[]")  # JSON [{start, end, entity, value}] on ``text``
    labelled_by = Column(String(64))
    confirmed_by = Column(String(64))
    exported_in = Column(String(16))
    first_seen = Column(DateTime, nullable=False)
    last_seen = Column(DateTime, nullable=False)


class ReviewItem(Base):
    """One collected message: masked text and context, why it was collected, what the model thought."""
    __tablename__ = "review_items"
    id = Column(Integer, primary_key=True)
    group_id = Column(ForeignKey("review_groups.id", ondelete="CASCADE"), nullable=False, index=True)
    # SHA-256 of the tracker store's event (store URL without password + event id): collecting twice adds nothing
    source = Column(String(64), nullable=False, unique=True)
    conversation = Column(String(64), nullable=False)  # SHA-256 of the sender id, never the id itself
    channel = Column(String(32), nullable=False)
    occurred_at = Column(DateTime, nullable=False)
    text = Column(Text, nullable=False)
    reasons = Column(String(128), nullable=False)  # space-separated: low_confidence fallback handoff ...
    top_intents = Column(Text, nullable=False, default="[]")  # JSON [[intent, confidence] x 3]
    entities = Column(Text, nullable=False, default="[]")  # the model's entities, on the masked text
    context = Column(Text, nullable=False, default="[]")  # JSON [{who, text}] masked turns around it
    created_at = Column(DateTime, nullable=False)


class ReviewLabel(Base):
    """Every reviewer's decision, kept: who, when, what (the group holds only the latest)."""
    __tablename__ = "review_labels"
    __table_args__ = (CheckConstraint(_in("action", REVIEW_ACTIONS), name="action"),)
    id = Column(Integer, primary_key=True)
    group_id = Column(ForeignKey("review_groups.id", ondelete="CASCADE"), nullable=False, index=True)
    reviewer = Column(String(64), nullable=False)
    action = Column(String(8), nullable=False)
    intent = Column(String(64), nullable=False)
    entities = Column(Text, nullable=False, default="[]")
    created_at = Column(DateTime, nullable=False)
