"""value cache: the store's instance id, an index on data_value.updated_at (issue #5)

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A new database gets a new id, so a value cache kept for an earlier database of the same
    # address (dropped and created again, or a rebuilt demo file) is never applied to it.
    table = op.create_table('store_instance',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    )
    op.bulk_insert(table, [{"id": str(uuid.uuid4())}])
    with op.batch_alter_table('data_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_value_updated_at'), ['updated_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('data_value', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_value_updated_at'))
    op.drop_table('store_instance')
