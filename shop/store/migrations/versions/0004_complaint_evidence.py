"""complaint tickets keep the shopper's photo and what comparing it with the catalog found

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 09:10:00
"""
from alembic import op
import sqlalchemy as sa
import shop.store.types


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

VERDICTS = "photo_verdict IN ('match', 'colour_differs', 'different_item', 'unclear')"


def upgrade() -> None:
    # Batch mode: SQLite adds the CHECK only by rebuilding the table.
    with op.batch_alter_table('complaint_tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evidence_media_id', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('photo_verdict', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('photo_evidence', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('photo_measures', sa.Text(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_complaint_tickets_photo_verdict'), sa.text(VERDICTS))


def downgrade() -> None:
    # Dropping the columns would silently lose the evidence agents rely on: refuse while any is held.
    held = op.get_bind().execute(sa.text(
        "SELECT COUNT(*) FROM complaint_tickets WHERE evidence_media_id IS NOT NULL OR photo_verdict IS NOT NULL"
    )).scalar()
    if held:
        raise RuntimeError(f"cannot downgrade below 0004: {held} complaint ticket(s) hold photo evidence")
    with op.batch_alter_table('complaint_tickets', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_complaint_tickets_photo_verdict'), type_='check')
        batch_op.drop_column('photo_measures')
        batch_op.drop_column('photo_evidence')
        batch_op.drop_column('photo_verdict')
        batch_op.drop_column('evidence_media_id')
