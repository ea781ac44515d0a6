"""initial order store: shoppers, orders, items, shipments, tracking, after-sales, coupons, invoices, complaints, behaviour

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 03:52:27.317415
"""
from alembic import op
import sqlalchemy as sa
import shop.store.types


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('shoppers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('phone', sa.String(length=11), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shoppers')),
    sa.UniqueConstraint('phone', name=op.f('uq_shoppers_phone'))
    )
    op.create_table('store_meta',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_store_meta'))
    )
    op.create_table('variant_stock',
    sa.Column('product_id', sa.String(length=16), nullable=False),
    sa.Column('color', sa.String(length=32), nullable=False),
    sa.Column('size', sa.String(length=32), nullable=False),
    sa.Column('stock', sa.Integer(), nullable=False),
    sa.CheckConstraint('stock >= 0', name=op.f('ck_variant_stock_stock_not_negative')),
    sa.PrimaryKeyConstraint('product_id', 'color', 'size', name=op.f('pk_variant_stock'))
    )
    op.create_table('orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_no', sa.String(length=12), nullable=False),
    sa.Column('shopper_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('payment_method', sa.String(length=16), nullable=True),
    sa.Column('items_total', shop.store.types.Money(), nullable=False),
    sa.Column('shipping_fee', shop.store.types.Money(), nullable=False),
    sa.Column('discount', shop.store.types.Money(), nullable=False),
    sa.Column('pay_amount', shop.store.types.Money(), nullable=False),
    sa.Column('receiver_name', sa.String(length=64), nullable=False),
    sa.Column('receiver_phone', sa.String(length=11), nullable=False),
    sa.Column('province', sa.String(length=32), nullable=False),
    sa.Column('city', sa.String(length=32), nullable=False),
    sa.Column('district', sa.String(length=32), nullable=False),
    sa.Column('address_detail', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('paid_at', sa.DateTime(), nullable=True),
    sa.Column('shipped_at', sa.DateTime(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('cancel_reason', sa.String(length=200), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("payment_method IS NULL OR payment_method IN ('alipay', 'wechat', 'bank_card')", name=op.f('ck_orders_payment_method')),
    sa.CheckConstraint("status IN ('pending_payment', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded')", name=op.f('ck_orders_status')),
    sa.ForeignKeyConstraint(['shopper_id'], ['shoppers.id'], name=op.f('fk_orders_shopper_id_shoppers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders')),
    sa.UniqueConstraint('order_no', name=op.f('uq_orders_order_no'))
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_shopper_created', ['shopper_id', 'created_at'], unique=False)

    op.create_table('shopper_channels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shopper_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('external_id', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['shopper_id'], ['shoppers.id'], name=op.f('fk_shopper_channels_shopper_id_shoppers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopper_channels')),
    sa.UniqueConstraint('channel', 'external_id', name='uq_shopper_channels_channel_external')
    )
    with op.batch_alter_table('shopper_channels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shopper_channels_shopper_id'), ['shopper_id'], unique=False)

    op.create_table('behaviour_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shopper_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('view', 'add_to_cart', 'order', 'pay')", name=op.f('ck_behaviour_events_kind')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_behaviour_events_order_id_orders')),
    sa.ForeignKeyConstraint(['shopper_id'], ['shoppers.id'], name=op.f('fk_behaviour_events_shopper_id_shoppers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_behaviour_events'))
    )
    with op.batch_alter_table('behaviour_events', schema=None) as batch_op:
        batch_op.create_index('ix_behaviour_events_product_kind', ['product_id', 'kind'], unique=False)
        batch_op.create_index('ix_behaviour_events_shopper_time', ['shopper_id', 'occurred_at'], unique=False)

    op.create_table('complaint_tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_no', sa.String(length=16), nullable=False),
    sa.Column('shopper_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.String(length=8), nullable=False),
    sa.Column('flagged_for_human', sa.Boolean(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('offers', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("category IN ('quality', 'mismatch', 'logistics', 'service', 'payment', 'other')", name=op.f('ck_complaint_tickets_category')),
    sa.CheckConstraint("priority IN ('high', 'normal', 'low')", name=op.f('ck_complaint_tickets_priority')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_complaint_tickets_order_id_orders')),
    sa.ForeignKeyConstraint(['shopper_id'], ['shoppers.id'], name=op.f('fk_complaint_tickets_shopper_id_shoppers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_tickets')),
    sa.UniqueConstraint('ticket_no', name=op.f('uq_complaint_tickets_ticket_no'))
    )
    with op.batch_alter_table('complaint_tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_tickets_order_id'), ['order_id'], unique=False)
        batch_op.create_index('ix_complaint_tickets_shopper_created', ['shopper_id', 'created_at'], unique=False)

    op.create_table('coupons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('shopper_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=64), nullable=False),
    sa.Column('amount', shop.store.types.Money(), nullable=False),
    sa.Column('threshold', shop.store.types.Money(), nullable=False),
    sa.Column('valid_from', sa.DateTime(), nullable=False),
    sa.Column('valid_until', sa.DateTime(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('source_order_id', sa.Integer(), nullable=True),
    sa.Column('used_order_id', sa.Integer(), nullable=True),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("source IN ('promotion', 'delay_compensation', 'complaint_compensation')", name=op.f('ck_coupons_source')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_coupons_amount_positive')),
    sa.ForeignKeyConstraint(['shopper_id'], ['shoppers.id'], name=op.f('fk_coupons_shopper_id_shoppers')),
    sa.ForeignKeyConstraint(['source_order_id'], ['orders.id'], name=op.f('fk_coupons_source_order_id_orders')),
    sa.ForeignKeyConstraint(['used_order_id'], ['orders.id'], name=op.f('fk_coupons_used_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coupons')),
    sa.UniqueConstraint('code', name=op.f('uq_coupons_code')),
    sa.UniqueConstraint('source', 'source_order_id', name='uq_coupons_source_order'),
    sa.UniqueConstraint('used_order_id', name=op.f('uq_coupons_used_order_id'))
    )
    with op.batch_alter_table('coupons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coupons_shopper_id'), ['shopper_id'], unique=False)

    op.create_table('invoices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('title_type', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('tax_number', sa.String(length=18), nullable=True),
    sa.Column('email', sa.String(length=120), nullable=True),
    sa.Column('amount', shop.store.types.Money(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("title_type = 'personal' OR tax_number IS NOT NULL", name=op.f('ck_invoices_company_has_tax_number')),
    sa.CheckConstraint("title_type IN ('personal', 'company')", name=op.f('ck_invoices_title_type')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_invoices_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoices')),
    sa.UniqueConstraint('order_id', name=op.f('uq_invoices_order_id'))
    )
    op.create_table('order_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.String(length=16), nullable=False),
    sa.Column('product_name', sa.String(length=100), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('color', sa.String(length=32), nullable=False),
    sa.Column('size', sa.String(length=32), nullable=False),
    sa.Column('qty', sa.Integer(), nullable=False),
    sa.Column('unit_price', shop.store.types.Money(), nullable=False),
    sa.CheckConstraint('qty > 0', name=op.f('ck_order_items_qty_positive')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_items_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_items'))
    )
    with op.batch_alter_table('order_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_items_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_items_product_id'), ['product_id'], unique=False)

    op.create_table('shipments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('carrier', sa.String(length=32), nullable=False),
    sa.Column('tracking_no', sa.String(length=32), nullable=False),
    sa.Column('shipped_at', sa.DateTime(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("kind IN ('outbound', 'exchange')", name=op.f('ck_shipments_kind')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_shipments_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipments')),
    sa.UniqueConstraint('tracking_no', name=op.f('uq_shipments_tracking_no'))
    )
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipments_order_id'), ['order_id'], unique=False)

    op.create_table('return_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('order_item_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('qty', sa.Integer(), nullable=False),
    sa.Column('target_color', sa.String(length=32), nullable=True),
    sa.Column('target_size', sa.String(length=32), nullable=True),
    sa.Column('photo_path', sa.String(length=300), nullable=True),
    sa.Column('opened', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('send_back_by', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=True),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("kind = 'return' OR (target_color IS NOT NULL AND target_size IS NOT NULL)", name=op.f('ck_return_requests_exchange_has_target')),
    sa.CheckConstraint("kind IN ('return', 'exchange')", name=op.f('ck_return_requests_kind')),
    sa.CheckConstraint("reason IN ('no_reason', 'size', 'quality', 'mismatch', 'wrong_item')", name=op.f('ck_return_requests_reason')),
    sa.CheckConstraint("status IN ('requested', 'received', 'refunded', 'exchanged', 'cancelled')", name=op.f('ck_return_requests_status')),
    sa.CheckConstraint('qty > 0', name=op.f('ck_return_requests_qty_positive')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_return_requests_order_id_orders')),
    sa.ForeignKeyConstraint(['order_item_id'], ['order_items.id'], name=op.f('fk_return_requests_order_item_id_order_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_return_requests'))
    )
    with op.batch_alter_table('return_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_return_requests_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_return_requests_order_item_id'), ['order_item_id'], unique=False)

    op.create_table('tracking_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shipment_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('location', sa.String(length=64), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.CheckConstraint("status IN ('collected', 'in_transit', 'out_for_delivery', 'delivered', 'exception')", name=op.f('ck_tracking_events_status')),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_tracking_events_shipment_id_shipments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracking_events'))
    )
    with op.batch_alter_table('tracking_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tracking_events_shipment_id'), ['shipment_id'], unique=False)

    op.create_table('refunds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('return_request_id', sa.Integer(), nullable=True),
    sa.Column('cause', sa.String(length=16), nullable=False),
    sa.Column('amount', shop.store.types.Money(), nullable=False),
    sa.Column('payment_method', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expected_by', sa.Date(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("cause IN ('cancel', 'return', 'quantity')", name=op.f('ck_refunds_cause')),
    sa.CheckConstraint("status IN ('processing', 'succeeded')", name=op.f('ck_refunds_status')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_refunds_amount_positive')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_refunds_order_id_orders')),
    sa.ForeignKeyConstraint(['return_request_id'], ['return_requests.id'], name=op.f('fk_refunds_return_request_id_return_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refunds')),
    sa.UniqueConstraint('return_request_id', name=op.f('uq_refunds_return_request_id'))
    )
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refunds_order_id'), ['order_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refunds_order_id'))

    op.drop_table('refunds')
    with op.batch_alter_table('tracking_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tracking_events_shipment_id'))

    op.drop_table('tracking_events')
    with op.batch_alter_table('return_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_return_requests_order_item_id'))
        batch_op.drop_index(batch_op.f('ix_return_requests_order_id'))

    op.drop_table('return_requests')
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipments_order_id'))

    op.drop_table('shipments')
    with op.batch_alter_table('order_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_items_product_id'))
        batch_op.drop_index(batch_op.f('ix_order_items_order_id'))

    op.drop_table('order_items')
    op.drop_table('invoices')
    with op.batch_alter_table('coupons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coupons_shopper_id'))

    op.drop_table('coupons')
    with op.batch_alter_table('complaint_tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_complaint_tickets_shopper_created')
        batch_op.drop_index(batch_op.f('ix_complaint_tickets_order_id'))

    op.drop_table('complaint_tickets')
    with op.batch_alter_table('behaviour_events', schema=None) as batch_op:
        batch_op.drop_index('ix_behaviour_events_shopper_time')
        batch_op.drop_index('ix_behaviour_events_product_kind')

    op.drop_table('behaviour_events')
    with op.batch_alter_table('shopper_channels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shopper_channels_shopper_id'))

    op.drop_table('shopper_channels')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_shopper_created')

    op.drop_table('orders')
    op.drop_table('variant_stock')
    op.drop_table('store_meta')
    op.drop_table('shoppers')
