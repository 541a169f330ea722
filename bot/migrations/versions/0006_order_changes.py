"""Orders changed by any instance, so that every other instance drops them from its caches:
polled on SQLite; on PostgreSQL each row is also announced with NOTIFY. Pruned after minutes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mailops_order_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Float, nullable=False, index=True),
        sa.Column("order_id", sa.BigInteger, nullable=False),
        sa.Column("domain", sa.String(255)),
        sa.Column("origin", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("mailops_order_changes")
