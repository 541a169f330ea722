"""The schema of release 0.1.0, created where missing (a 0.1.0 database already has it).

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "mailops_approvals" not in existing:
        op.create_table(
            "mailops_approvals",
            sa.Column("id", sa.String(32), primary_key=True),
            sa.Column("kind", sa.String(32), nullable=False),
            sa.Column("order_id", sa.Integer, nullable=False),
            sa.Column("domain", sa.String(255), nullable=False),
            sa.Column("region", sa.String(8), nullable=False),
            sa.Column("details", sa.JSON, nullable=False),
            sa.Column("requester", sa.String(32), nullable=False),
            sa.Column("channel", sa.String(32)),
            sa.Column("message_ts", sa.String(32)),
            sa.Column("status", sa.String(16), nullable=False, index=True),
            sa.Column("created_at", sa.Float, nullable=False),
            sa.Column("expires_at", sa.Float, nullable=False, index=True),
            sa.Column("decided_by", sa.String(32)),
            sa.Column("decided_at", sa.Float),
            sa.Column("outcome", sa.JSON),
        )
    if "mailops_audit" not in existing:
        op.create_table(
            "mailops_audit",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("at", sa.Float, nullable=False, index=True),
            sa.Column("approval_id", sa.String(32), index=True),
            sa.Column("action", sa.String(16), nullable=False),
            sa.Column("actor", sa.String(32), nullable=False),
            sa.Column("order_id", sa.Integer, index=True),
            sa.Column("domain", sa.String(255), index=True),
            sa.Column("detail", sa.Text, nullable=False),
        )


def downgrade() -> None:
    op.drop_table("mailops_audit")
    op.drop_table("mailops_approvals")
