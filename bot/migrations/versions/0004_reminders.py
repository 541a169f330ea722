"""When a pending request was reminded about (once, at 80% of its time to live).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mailops_approvals") as batch:
        batch.add_column(sa.Column("reminded_at", sa.Float))


def downgrade() -> None:
    with op.batch_alter_table("mailops_approvals") as batch:
        batch.drop_column("reminded_at")
