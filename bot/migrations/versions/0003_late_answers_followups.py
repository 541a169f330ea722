"""Beside a final outcome: an answer that arrived after "unknown", and the follow-up of queued work.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mailops_approvals") as batch:
        batch.add_column(sa.Column("late_outcome", sa.JSON))  # LogicBoxes' answer, arrived after "unknown"
        batch.add_column(sa.Column("followup_at", sa.Float))  # when to re-read the order after queued work
        batch.add_column(sa.Column("confirmation", sa.Text))  # what that re-read showed
    op.create_index("ix_mailops_approvals_order_status", "mailops_approvals", ["order_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_mailops_approvals_order_status", "mailops_approvals")
    with op.batch_alter_table("mailops_approvals") as batch:
        batch.drop_column("confirmation")
        batch.drop_column("followup_at")
        batch.drop_column("late_outcome")
