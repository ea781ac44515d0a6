"""coupons may come from the recommender's abandoned-cart reminder (source cart_reminder)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 09:00:00
"""
from alembic import op
import sqlalchemy as sa
import shop.store.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

OLD_SOURCES = "source IN ('promotion', 'delay_compensation', 'complaint_compensation')"
NEW_SOURCES = "source IN ('promotion', 'delay_compensation', 'complaint_compensation', 'cart_reminder')"


def upgrade() -> None:
    # SQLite cannot alter a CHECK in place: batch mode rebuilds the table with the new one.
    with op.batch_alter_table('coupons', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_coupons_source'), type_='check')
        batch_op.create_check_constraint(op.f('ck_coupons_source'), sa.text(NEW_SOURCES))


def downgrade() -> None:
    # The old schema cannot hold cart-reminder coupons, and deleting them would silently
    # take discounts away from shoppers (or from orders that already used them): refuse.
    held = op.get_bind().execute(sa.text("SELECT COUNT(*) FROM coupons WHERE source = 'cart_reminder'")).scalar()
    if held:
        raise RuntimeError(f"cannot downgrade below 0002: {held} cart_reminder coupon(s) exist")
    with op.batch_alter_table('coupons', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_coupons_source'), type_='check')
        batch_op.create_check_constraint(op.f('ck_coupons_source'), sa.text(OLD_SOURCES))
