"""Changes LogicBoxes accepted but has not finished: followed through its action queue.

`accepted_at` is when the bot recorded LogicBoxes' acceptance (the stuck bound counts from it),
`check_every` the current interval between looks at the queue (doubling up to an hour; the next
look is `followup_at`, claimed with a conditional update), `stuck_said_at` when the thread was
told the action is still pending past ACTION_STUCK_AFTER, and `finished_at` when LogicBoxes says
it finished, as its queue gives it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mailops_approvals") as batch:
        batch.add_column(sa.Column("accepted_at", sa.Float))
        batch.add_column(sa.Column("check_every", sa.Float))
        batch.add_column(sa.Column("stuck_said_at", sa.Float))
        batch.add_column(sa.Column("finished_at", sa.Float))


def downgrade() -> None:
    with op.batch_alter_table("mailops_approvals") as batch:
        for column in ("finished_at", "stuck_said_at", "check_every", "accepted_at"):
            batch.drop_column(column)
