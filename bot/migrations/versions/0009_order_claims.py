"""One change per order between its approval and LogicBoxes' answer: a row per order id, inserted
only if absent (the claim), deleted with the outcome, and cleared by the sweep after a crash. And
when a change's call started, so a change that waited for another is not taken for a stuck one.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mailops_order_claims",
        sa.Column("order_id", sa.BigInteger, primary_key=True),
        sa.Column("approval_id", sa.String(32), nullable=False),
        sa.Column("claimed_at", sa.Float, nullable=False),
    )
    with op.batch_alter_table("mailops_approvals") as batch:
        batch.add_column(sa.Column("started_at", sa.Float))  # its call started (the order was claimed)


def downgrade() -> None:
    with op.batch_alter_table("mailops_approvals") as batch:
        batch.drop_column("started_at")
    op.drop_table("mailops_order_claims")
