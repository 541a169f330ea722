"""The watch over the order book: its alerts, the domains muted on purpose, and its state (the
lease that decides which instance runs a round, and the round in progress, so that another can
resume it).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mailops_watch_alerts",
        sa.Column("key", sa.String(200), primary_key=True),  # one problem: "mail:84372632", "action:4690..."
        sa.Column("kind", sa.String(16), nullable=False, index=True),  # mail | expiry | failed | stuck
        sa.Column("order_id", sa.BigInteger, index=True),
        sa.Column("domain", sa.String(255), index=True),
        sa.Column("summary", sa.Text, nullable=False),  # one line: what is wrong
        sa.Column("detail", sa.JSON),  # what the alert shows beside it (the fix, LogicBoxes' words)
        sa.Column("state", sa.String(16), nullable=False, index=True),  # suspect | open | resolved
        sa.Column("bad_rounds", sa.Integer, nullable=False, server_default="0"),
        sa.Column("good_rounds", sa.Integer, nullable=False, server_default="0"),
        sa.Column("first_seen", sa.Float, nullable=False),  # bad since
        sa.Column("opened_at", sa.Float),
        sa.Column("resolved_at", sa.Float),
        sa.Column("post", sa.String(16), nullable=False, server_default="none", index=True),  # due | posted | ...
        sa.Column("channel", sa.String(32)),
        sa.Column("ts", sa.String(32)),  # its message in ALERTS_CHANNEL
    )
    op.create_table(
        "mailops_watch_mutes",
        sa.Column("domain", sa.String(255), primary_key=True),
        sa.Column("muted_by", sa.String(32), nullable=False),
        sa.Column("muted_at", sa.Float, nullable=False),
    )
    op.create_table(
        "mailops_watch_state",
        sa.Column("name", sa.String(32), primary_key=True),  # "lease", "round"
        sa.Column("holder", sa.String(64)),
        sa.Column("expires_at", sa.Float),
        sa.Column("value", sa.JSON),
    )


def downgrade() -> None:
    op.drop_table("mailops_watch_state")
    op.drop_table("mailops_watch_mutes")
    op.drop_table("mailops_watch_alerts")
