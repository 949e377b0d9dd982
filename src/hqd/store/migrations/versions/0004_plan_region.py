"""plans owned by a region (plan.org_id); web sessions indexed by expiry (purged on sign-in)

Existing plans get the region named in their issuer (the deepest region whose name it contains:
宁波市奉化区人民政府办公室 → 奉化区), else the root org (province-wide), as new imports do.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('org_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_plan_org_id'), ['org_id'], unique=False)
        batch_op.create_foreign_key('fk_plan_org_id_org', 'org', ['org_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_session_expires_at'), ['expires_at'], unique=False)

    from hqd.store.ledger import guess_region

    conn = op.get_bind()
    regions = [tuple(r) for r in conn.execute(sa.text(
        "SELECT o.id, o.name, o.level FROM org o WHERE o.parent_id IS NULL"
        " OR EXISTS (SELECT 1 FROM org c WHERE c.parent_id = o.id) ORDER BY o.level, o.id"))]
    for plan_id, issuer, title in conn.execute(sa.text("SELECT id, issuer, title FROM plan")).all():
        org_id = guess_region((issuer, title), regions)
        if org_id is not None:
            conn.execute(sa.text("UPDATE plan SET org_id = :o WHERE id = :p"), {"o": org_id, "p": plan_id})


def downgrade() -> None:
    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_session_expires_at'))
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_constraint('fk_plan_org_id_org', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_plan_org_id'))
        batch_op.drop_column('org_id')
