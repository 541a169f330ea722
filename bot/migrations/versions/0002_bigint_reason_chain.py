"""Order ids as BIGINT; a reason on every request; the audit log chained by SHA-256.

Rows written by 0.1.0 are chained here, in id order, so `python -m bot audit verify` covers
them from the first.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from bot.approvals.auditchain import GENESIS, row_hash

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":  # SQLite's INTEGER already holds 64 bits
        for table in ("mailops_approvals", "mailops_audit"):
            op.alter_column(table, "order_id", type_=sa.BigInteger, existing_type=sa.Integer)
    with op.batch_alter_table("mailops_approvals") as batch:
        batch.add_column(sa.Column("reason", sa.Text))
    with op.batch_alter_table("mailops_audit") as batch:
        batch.add_column(sa.Column("prev_hash", sa.String(64)))
        batch.add_column(sa.Column("row_hash", sa.String(64)))
    audit = sa.table(
        "mailops_audit",
        sa.column("id"),
        sa.column("at"),
        sa.column("approval_id"),
        sa.column("action"),
        sa.column("actor"),
        sa.column("order_id"),
        sa.column("domain"),
        sa.column("detail"),
        sa.column("prev_hash"),
        sa.column("row_hash"),
    )
    prev = GENESIS
    for row in bind.execute(sa.select(audit).order_by(audit.c.id)).mappings().all():
        digest = row_hash(prev, row)
        bind.execute(sa.update(audit).where(audit.c.id == row["id"]).values(prev_hash=prev, row_hash=digest))
        prev = digest


def downgrade() -> None:
    with op.batch_alter_table("mailops_audit") as batch:
        batch.drop_column("row_hash")
        batch.drop_column("prev_hash")
    with op.batch_alter_table("mailops_approvals") as batch:
        batch.drop_column("reason")
