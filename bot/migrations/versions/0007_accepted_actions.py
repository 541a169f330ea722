"""Changes LogicBoxes accepted but has not finished: followed through its action queue.

`accepted_at` is when the bot recorded LogicBoxes' acceptance (the stuck bound counts from it),
`check_every` the current interval between looks at the queue (doubling up to an hour; the next
look is `followup_at`, claimed with a conditional update), `stuck_said_at` when the thread was
told the action is still pending past ACTION_STUCK_AFTER, and `finished_at` when LogicBoxes says
it finished, as its queue gives it. Requests 0.x closed as done after an answer that was not
Success, in the last 7 days, are moved to accepted to be followed once (see below).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import json
import time

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


FOLLOW_BACK = 7 * 86400  # 0.x requests closed as done this recently after an answer that was not Success
FIRST_LOOK = 300.0


def upgrade() -> None:
    with op.batch_alter_table("mailops_approvals") as batch:
        batch.add_column(sa.Column("accepted_at", sa.Float))
        batch.add_column(sa.Column("check_every", sa.Float))
        batch.add_column(sa.Column("stuck_said_at", sa.Float))
        batch.add_column(sa.Column("finished_at", sa.Float))
    _follow_what_0x_called_done()


def _follow_what_0x_called_done() -> None:
    """0.x marked a change "done" on InvoicePaid or ExecutionStarted: LogicBoxes had accepted it, not
    finished it. Those of the last 7 days that name an eaqid become accepted, due at once, so the
    follow-up asks LogicBoxes' action queue once and says in their threads how they ended."""
    now = time.time()
    table = sa.table(
        "mailops_approvals",
        sa.column("id", sa.String),
        sa.column("status", sa.String),
        sa.column("decided_at", sa.Float),
        sa.column("outcome", sa.JSON),
        sa.column("accepted_at", sa.Float),
        sa.column("followup_at", sa.Float),
        sa.column("check_every", sa.Float),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(table.c.id, table.c.decided_at, table.c.outcome).where(
            table.c.status == "done", table.c.decided_at >= now - FOLLOW_BACK
        )
    ).all()
    for approval_id, decided_at, outcome in rows:
        outcome = json.loads(outcome) if isinstance(outcome, str) else outcome or {}
        status = str(outcome.get("action_status") or "").strip().lower()
        if status == "success" or not outcome.get("eaqid"):
            continue
        conn.execute(
            sa.update(table)
            .where(table.c.id == approval_id, table.c.status == "done")
            .values(status="accepted", accepted_at=decided_at, followup_at=now, check_every=FIRST_LOOK)
        )


def downgrade() -> None:
    with op.batch_alter_table("mailops_approvals") as batch:
        for column in ("finished_at", "stuck_said_at", "check_every", "accepted_at"):
            batch.drop_column(column)
