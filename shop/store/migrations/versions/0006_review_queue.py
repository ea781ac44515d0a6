"""review queue: misunderstood messages (masked), their groups and reviewers' labels; agents' roles

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 02:00:00

Existing agents keep serving shoppers ("agent"); the reviewer role is granted by
``python -m shop.workbench.accounts grant NAME reviewer``.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('roles', sa.String(length=64), server_default='agent', nullable=False))

    op.create_table('review_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('intent', sa.String(length=64), nullable=True),
    sa.Column('entities', sa.Text(), nullable=False),
    sa.Column('labelled_by', sa.String(length=64), nullable=True),
    sa.Column('confirmed_by', sa.String(length=64), nullable=True),
    sa.Column('exported_in', sa.String(length=16), nullable=True),
    sa.Column('first_seen', sa.DateTime(), nullable=False),
    sa.Column('last_seen', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('open', 'labelled', 'confirmed', 'ignored')", name=op.f('ck_review_groups_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_groups')),
    sa.UniqueConstraint('key', name=op.f('uq_review_groups_key'))
    )
    with op.batch_alter_table('review_groups', schema=None) as batch_op:
        batch_op.create_index('ix_review_groups_status_count', ['status', 'count'], unique=False)

    op.create_table('review_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('conversation', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('reasons', sa.String(length=128), nullable=False),
    sa.Column('top_intents', sa.Text(), nullable=False),
    sa.Column('entities', sa.Text(), nullable=False),
    sa.Column('context', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['review_groups.id'], name=op.f('fk_review_items_group_id_review_groups'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_items')),
    sa.UniqueConstraint('source', name=op.f('uq_review_items_source'))
    )
    with op.batch_alter_table('review_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_items_group_id'), ['group_id'], unique=False)

    op.create_table('review_labels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('reviewer', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=8), nullable=False),
    sa.Column('intent', sa.String(length=64), nullable=False),
    sa.Column('entities', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("action IN ('label', 'confirm', 'override')", name=op.f('ck_review_labels_action')),
    sa.ForeignKeyConstraint(['group_id'], ['review_groups.id'], name=op.f('fk_review_labels_group_id_review_groups'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_labels'))
    )
    with op.batch_alter_table('review_labels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_labels_group_id'), ['group_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('review_labels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_labels_group_id'))
    op.drop_table('review_labels')
    with op.batch_alter_table('review_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_items_group_id'))
    op.drop_table('review_items')
    with op.batch_alter_table('review_groups', schema=None) as batch_op:
        batch_op.drop_index('ix_review_groups_status_count')
    op.drop_table('review_groups')
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.drop_column('roles')
