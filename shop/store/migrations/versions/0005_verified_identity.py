"""verified identity: how each sender binding was proven, one-time codes, handoff trigger and verification

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 14:00:00

Bindings made before identity needed proof (a phone number alone; the demo's REST
sender names shopper01 …) become "legacy" and are no longer trusted; the demo sender
"demo" stays the demo shopper.
"""
from alembic import op
import sqlalchemy as sa
import shop.store.types


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

KINDS = "verified_by IN ('otp', 'platform', 'demo', 'legacy')"


def upgrade() -> None:
    with op.batch_alter_table('shopper_channels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verified_by', sa.String(length=16), server_default='legacy', nullable=False))
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))
        # Conversation ids of the platform channels ("miniprogram:" + a 128-character id) are longer than 128.
        batch_op.alter_column('external_id', existing_type=sa.String(length=128), type_=sa.String(length=160),
                              existing_nullable=False)
        batch_op.create_check_constraint(op.f('ck_shopper_channels_verified_by'), sa.text(KINDS))
    op.execute("UPDATE shopper_channels SET verified_by = 'demo' WHERE channel = 'rest' AND external_id = 'demo'")

    op.create_table('verification_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('sender_id', sa.String(length=160), nullable=False),
    sa.Column('phone', sa.String(length=11), nullable=False),
    sa.Column('shopper_id', sa.Integer(), nullable=True),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'verified', 'failed', 'replaced')",
                       name=op.f('ck_verification_codes_status')),
    sa.ForeignKeyConstraint(['shopper_id'], ['shoppers.id'], name=op.f('fk_verification_codes_shopper_id_shoppers'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_codes'))
    )
    with op.batch_alter_table('verification_codes', schema=None) as batch_op:
        batch_op.create_index('ix_verification_codes_phone', ['phone', 'created_at'], unique=False)
        batch_op.create_index('ix_verification_codes_sender', ['channel', 'sender_id', 'created_at'], unique=False)

    with op.batch_alter_table('handoffs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verified', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('trigger', sa.Text(), server_default='{}', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('handoffs', schema=None) as batch_op:
        batch_op.drop_column('trigger')
        batch_op.drop_column('verified')
    with op.batch_alter_table('verification_codes', schema=None) as batch_op:
        batch_op.drop_index('ix_verification_codes_sender')
        batch_op.drop_index('ix_verification_codes_phone')
    op.drop_table('verification_codes')
    # Bindings that only a verified step made would read as proven ones after a downgrade
    # (the older code trusts every row): drop them rather than hand out identities.
    op.execute("DELETE FROM shopper_channels WHERE verified_by IN ('otp', 'platform') AND expires_at IS NOT NULL")
    with op.batch_alter_table('shopper_channels', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_shopper_channels_verified_by'), type_='check')
        batch_op.alter_column('external_id', existing_type=sa.String(length=160), type_=sa.String(length=128),
                              existing_nullable=False)
        batch_op.drop_column('expires_at')
        batch_op.drop_column('verified_by')
