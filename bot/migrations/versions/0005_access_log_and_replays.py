"""The access log (who read what; pruned after ACCESS_LOG_DAYS, unlike the audit log) and the
signatures of requests already served (a replay within Slack's 5 minutes is refused).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mailops_access",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Float, nullable=False, index=True),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("command", sa.String(32), nullable=False),
        sa.Column("target", sa.String(255)),
        sa.Column("order_id", sa.BigInteger, index=True),
        sa.Column("customer_id", sa.BigInteger, index=True),
        sa.Column("outcome", sa.String(32), nullable=False),
    )
    op.create_table(
        "mailops_seen_requests",
        sa.Column("signature", sa.String(80), primary_key=True),
        sa.Column("at", sa.Float, nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("mailops_seen_requests")
    op.drop_table("mailops_access")
