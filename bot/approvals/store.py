"""Pending approvals and the append-only audit log, in SQLite (default) or PostgreSQL.

Exactly-once rests on one statement: `UPDATE approvals SET status=... WHERE id=... AND
status='pending'`. The database applies it atomically, so of any number of clicks, retries
or bot processes, one sees rowcount 1 and acts; the rest see 0 and report who decided.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Connection,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from bot.approvals import auditchain
from bot.telemetry.logs import event as log_event
from bot.values.approvals import AuditEntry
from bot.values.states import Status, check

log = logging.getLogger(__name__)

metadata = MetaData()  # the schema as the latest migration leaves it (bot/migrations/versions/)

approvals = Table(
    "mailops_approvals",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("order_id", BigInteger, nullable=False),
    Column("domain", String(255), nullable=False),
    Column("region", String(8), nullable=False),
    Column("details", JSON, nullable=False),
    Column("requester", String(32), nullable=False),
    Column("channel", String(32)),
    Column("message_ts", String(32)),
    Column("status", String(16), nullable=False, index=True),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
    Column("decided_by", String(32)),
    Column("decided_at", Float),
    Column("outcome", JSON),
    Column("reason", Text),
    Column("late_outcome", JSON),
    Column("followup_at", Float),
    Column("confirmation", Text),
    Column("reminded_at", Float),
    Column("accepted_at", Float),  # LogicBoxes accepted the work (the stuck bound counts from here)
    Column("check_every", Float),  # seconds between looks at its action queue (doubling to an hour)
    Column("stuck_said_at", Float),  # the thread was told it is still pending past ACTION_STUCK_AFTER
    Column("finished_at", Float),  # LogicBoxes finished it (its queue's actioncompleted)
    Column("started_at", Float),  # its call started: the order was claimed for it
)

audit_log = Table(
    "mailops_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False, index=True),
    Column("approval_id", String(32), index=True),
    Column("action", String(16), nullable=False),
    Column("actor", String(32), nullable=False),
    Column("order_id", BigInteger, index=True),
    Column("domain", String(255), index=True),
    Column("detail", Text, nullable=False),
    Column("prev_hash", String(64)),
    Column("row_hash", String(64)),
)

access_log = Table(
    "mailops_access",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False, index=True),
    Column("user_id", String(32), nullable=False),
    Column("command", String(32), nullable=False),
    Column("target", String(255)),
    Column("order_id", BigInteger, index=True),
    Column("customer_id", BigInteger, index=True),
    Column("outcome", String(32), nullable=False),
)

seen_requests = Table(
    "mailops_seen_requests",
    metadata,
    Column("signature", String(80), primary_key=True),
    Column("at", Float, nullable=False, index=True),
)

order_changes = Table(
    "mailops_order_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False, index=True),
    Column("order_id", BigInteger, nullable=False),
    Column("domain", String(255)),
    Column("origin", String(32), nullable=False),  # the instance that made the change
)

order_claims = Table(
    "mailops_order_claims",
    metadata,
    Column("order_id", BigInteger, primary_key=True),  # at most one change per order on its way to LogicBoxes
    Column("approval_id", String(32), nullable=False),
    Column("claimed_at", Float, nullable=False),
)

CHANGES_CHANNEL = "mailops_order_changes"  # PostgreSQL's NOTIFY channel for order_changes rows

_LOCK_KEY = 0x6D61696C6F7073  # "mailops": the PostgreSQL advisory lock for migrations and the audit chain
MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"  # bot/migrations


def engine_for(url: str) -> Engine:
    """An engine for DATABASE_URL; `postgresql://` uses psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername.startswith("sqlite"):
        # several processes may share the file: wait for the write lock instead of failing
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Write-ahead logging: readers never wait for a writer, and a commit is an append rather
    than an fsync of the whole journal (synchronous=NORMAL is durable across process crashes in
    WAL mode). Without it, the replay memory's one insert per request queued acks behind each
    other's fsyncs (bench/run.py: ack p99 449 ms at 50 concurrent commands)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def serialized(engine: Engine) -> Iterator[Connection]:
    """A transaction that no other writer of this database runs beside: PostgreSQL takes an
    advisory lock, SQLite takes its write lock at BEGIN. Commits on success."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        yield conn
        conn.commit()


def migrate(engine: Engine, revision: str = "head", attempts: int = 5) -> None:
    """Bring the schema to `revision` with Alembic. Every worker calls it at start; the lock
    makes the first one migrate and the others find nothing left to do. A 0.1.0 database
    (no version table yet) is taken from its tables as they are."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    for attempt in range(attempts):
        try:
            with serialized(engine) as conn:
                config.attributes["connection"] = conn
                command.upgrade(config, revision)
            return
        except DBAPIError:  # SQLite: another worker held the write lock past the timeout
            if attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))


def schema_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head() or ""


class Store:
    def __init__(self, url: str, migrate_schema: bool = True, tolerate_outage: bool = False):
        """With `tolerate_outage`, a database that cannot be reached at start is not fatal: the
        bot serves lookups, and `ensure_ready()` migrates once the database answers."""
        self.engine = engine_for(url)
        self.ready = not migrate_schema
        if migrate_schema:
            try:
                migrate(self.engine, attempts=1 if tolerate_outage else 5)
                self.ready = True
            except OperationalError as exc:
                if not tolerate_outage:
                    raise
                log.warning("database unreachable at start (%s): serving lookups until it is back", type(exc).__name__)

    def ensure_ready(self) -> bool:
        """Migrate now if start-up could not; True once the schema is in place."""
        if not self.ready:
            try:
                migrate(self.engine, attempts=1)
                self.ready = True
                log.info("database reachable again: schema ready")
            except OperationalError:
                pass
        return self.ready

    def _rows(self, query: Any) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(row) for row in conn.execute(query).mappings()]

    def add(self, row: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(approvals).values(**row))

    def add_unless_open(self, row: dict[str, Any]) -> dict[str, Any] | None:
        """Store a new pending request unless one of the same kind is already open (pending or
        running) for the same order: then return that one and store nothing. Serialized, so two
        people asking at the same moment cannot both get in."""
        with serialized(self.engine) as conn:
            first = (
                conn.execute(
                    select(approvals)
                    .where(
                        approvals.c.order_id == row["order_id"],
                        approvals.c.kind == row["kind"],
                        approvals.c.status.in_(("pending", "executing", "waiting")),
                    )
                    .order_by(approvals.c.created_at)
                    .limit(1)
                )
                .mappings()
                .first()
            )
            if first is not None:
                return dict(first)
            conn.execute(insert(approvals).values(**row))
        return None

    def pending(self, limit: int = 50) -> list[dict[str, Any]]:
        """Requests waiting for a decision, oldest first."""
        return self._rows(
            select(approvals).where(approvals.c.status == "pending").order_by(approvals.c.created_at).limit(limit)
        )

    def request_for_action(self, eaqid: str, limit: int = 1000) -> dict[str, Any] | None:
        """The request whose call LogicBoxes queued as action `eaqid` (its channel and message), if
        the bot made it: the watch links its alerts to it. The latest `limit` accepted requests."""
        query = (
            select(approvals.c.id, approvals.c.channel, approvals.c.message_ts, approvals.c.outcome)
            .where(approvals.c.accepted_at.is_not(None))
            .order_by(approvals.c.accepted_at.desc())
            .limit(limit)
        )
        for row in self._rows(query):
            if str((row.get("outcome") or {}).get("eaqid")) == str(eaqid):
                return row
        return None

    def count_pending(self) -> int:
        """How many requests wait for a decision (the mailops_approvals_pending gauge)."""
        with self.engine.connect() as conn:
            return conn.execute(
                select(func.count()).select_from(approvals).where(approvals.c.status == "pending")
            ).scalar_one()

    def open_for(self, order_id: int) -> list[dict[str, Any]]:
        """Requests still open (pending or running) for one order."""
        return self._rows(
            select(approvals).where(
                approvals.c.order_id == order_id, approvals.c.status.in_(("pending", "executing", "waiting"))
            )
        )

    def set_late(self, approval_id: str, outcome: dict[str, Any]) -> None:
        """Keep an answer that arrived after the request was settled as unknown, beside it."""
        with self.engine.begin() as conn:
            conn.execute(update(approvals).where(approvals.c.id == approval_id).values(late_outcome=outcome))

    def due_reminders(self, created_before: float) -> list[dict[str, Any]]:
        """Pending requests asked before `created_before` and not reminded about yet."""
        return self._rows(
            select(approvals).where(
                approvals.c.status == "pending",
                approvals.c.reminded_at.is_(None),
                approvals.c.created_at <= created_before,
            )
        )

    def mark_reminded(self, approval_id: str, at: float) -> bool:
        """True for the one process that sends the reminder."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(approvals)
                .where(approvals.c.id == approval_id, approvals.c.reminded_at.is_(None))
                .values(reminded_at=at)
            )
        return result.rowcount == 1

    def followups_due(self, now: float) -> list[dict[str, Any]]:
        return self._rows(select(approvals).where(approvals.c.followup_at.is_not(None), approvals.c.followup_at <= now))

    def confirm(self, approval_id: str, confirmation: str) -> bool:
        """Record what the follow-up saw; True for the one process that does it."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(approvals)
                .where(approvals.c.id == approval_id, approvals.c.followup_at.is_not(None))
                .values(followup_at=None, confirmation=confirmation)
            )
        return result.rowcount == 1

    def get(self, approval_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(approvals).where(approvals.c.id == approval_id)).mappings().first()
        return dict(row) if row else None

    def set_message(self, approval_id: str, channel: str, ts: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(approvals).where(approvals.c.id == approval_id).values(channel=channel, message_ts=ts))

    def claim(
        self,
        approval_id: str,
        status: str,
        actor: str,
        at: float,
        expected: str = "pending",
        outcome: dict[str, Any] | None = None,
    ) -> bool:
        """Move a request out of `expected`; True for exactly one caller."""
        values: dict[str, Any] = {"decided_by": actor, "decided_at": at}
        if outcome is not None:
            values["outcome"] = outcome
        return self._transition(approval_id, Status(expected), Status(status), **values)

    def _transition(self, approval_id: str, expected: Status, status: Status, **values: Any) -> bool:
        """The one way a request changes state: a legal move (bot.values.states), made by one
        conditional UPDATE on the state it is expected in; True for exactly one caller."""
        check(expected, status)
        with self.engine.begin() as conn:
            result = conn.execute(
                update(approvals)
                .where(approvals.c.id == approval_id, approvals.c.status == expected.value)
                .values(status=status.value, **values)
            )
        return result.rowcount == 1

    def settle(self, approval_id: str, expected: str, status: str, outcome: dict[str, Any]) -> bool:
        """Move a request from `expected` to a final status, keeping who decided; True for one caller.
        A request already final stays as it is (rowcount 0): a final state is never overwritten."""
        return self._transition(approval_id, Status(expected), Status(status), outcome=outcome)

    def accept(self, approval_id: str, outcome: dict[str, Any], at: float, first_check: float) -> bool:
        """Move a running request to accepted, with its first look at the action queue; True for one caller."""
        return self._transition(
            approval_id,
            Status.EXECUTING,
            Status.ACCEPTED,
            outcome=outcome,
            accepted_at=at,
            followup_at=at + first_check,
            check_every=first_check,
        )

    def accepted_for(self, requester: str, limit: int = 50) -> list[dict[str, Any]]:
        """One person's requests LogicBoxes accepted and has not finished, newest first."""
        return self._rows(
            select(approvals)
            .where(approvals.c.status == Status.ACCEPTED.value, approvals.c.requester == requester)
            .order_by(approvals.c.accepted_at.desc())
            .limit(limit)
        )

    def accepted_due(self, now: float, limit: int = 100) -> list[dict[str, Any]]:
        """Accepted requests whose next look at the action queue is due, the longest waiting first."""
        return self._rows(
            select(approvals)
            .where(approvals.c.status == Status.ACCEPTED.value, approvals.c.followup_at <= now)
            .order_by(approvals.c.followup_at)
            .limit(limit)
        )

    def claim_check(self, approval_id: str, seen_due: float, next_due: float, every: float) -> bool:
        """Claim one look at an accepted request's action: the conditional update on its next check
        time that only one instance wins, however many run the follow-up."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(approvals)
                .where(
                    approvals.c.id == approval_id,
                    approvals.c.status == Status.ACCEPTED.value,
                    approvals.c.followup_at == seen_due,
                )
                .values(followup_at=next_due, check_every=every)
            )
        return result.rowcount == 1

    def finish(self, approval_id: str, status: Status, outcome: dict[str, Any], finished_at: float) -> bool:
        """LogicBoxes finished an accepted request: done or failed, once."""
        return self._transition(
            approval_id, Status.ACCEPTED, status, outcome=outcome, finished_at=finished_at, followup_at=None
        )

    def mark_stuck(self, approval_id: str, at: float) -> bool:
        """True for the one process that tells the thread an action is still pending."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(approvals)
                .where(approvals.c.id == approval_id, approvals.c.stuck_said_at.is_(None))
                .values(stuck_said_at=at)
            )
        return result.rowcount == 1

    def running_since(self, before: float) -> list[dict[str, Any]]:
        """Changes running since `before`: counted from their call's start (a change may have waited
        for another to the same order first), or from their approval."""
        started = func.coalesce(approvals.c.started_at, approvals.c.decided_at)
        return self._rows(select(approvals).where(approvals.c.status == "executing", started <= before))

    # ---- one change per order between its approval and LogicBoxes' answer

    def claim_order(self, order_id: int, approval_id: str, at: float) -> bool:
        """Claim the order for this request's call: True for exactly one request at a time (the
        primary key decides, in every process), and again for the request that holds it."""
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(order_claims).values(order_id=order_id, approval_id=approval_id, claimed_at=at))
        except IntegrityError:
            return self.order_holder(order_id) == approval_id
        with self.engine.begin() as conn:
            conn.execute(update(approvals).where(approvals.c.id == approval_id).values(started_at=at))
        return True

    def order_holder(self, order_id: int) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(
                select(order_claims.c.approval_id).where(order_claims.c.order_id == order_id)
            ).scalar_one_or_none()

    def release_order(self, order_id: int, approval_id: str) -> bool:
        """Give the order back (the request's outcome is recorded); only its holder can."""
        with self.engine.begin() as conn:
            result = conn.execute(
                delete(order_claims).where(
                    order_claims.c.order_id == order_id, order_claims.c.approval_id == approval_id
                )
            )
        return result.rowcount == 1

    def release_orphaned_claims(self) -> list[int]:
        """Claims whose request is no longer running (its process died after the sweep settled it,
        or before it could give the order back): released; the orders they held."""
        running = select(approvals.c.id).where(approvals.c.status == "executing")
        with self.engine.begin() as conn:
            orphans = [
                row.order_id
                for row in conn.execute(
                    select(order_claims.c.order_id).where(order_claims.c.approval_id.not_in(running))
                )
            ]
            if orphans:
                conn.execute(
                    delete(order_claims).where(
                        order_claims.c.order_id.in_(orphans), order_claims.c.approval_id.not_in(running)
                    )
                )
        return orphans

    def waiting(self, order_id: int | None = None) -> list[dict[str, Any]]:
        """Approved requests waiting for another change to their order, oldest approval first."""
        query = select(approvals).where(approvals.c.status == "waiting")
        if order_id is not None:
            query = query.where(approvals.c.order_id == order_id)
        return self._rows(query.order_by(approvals.c.decided_at))

    def move(
        self,
        approval_id: str,
        expected: Status,
        status: Status,
        outcome: dict[str, Any] | None = None,
        started_at: float | None = None,
    ) -> bool:
        """waiting <-> executing, keeping who decided and when; True for exactly one caller."""
        values: dict[str, Any] = {}
        if outcome is not None:
            values["outcome"] = outcome
        if started_at is not None:
            values["started_at"] = started_at
        return self._transition(approval_id, expected, status, **values)

    def overdue(self, now: float) -> list[dict[str, Any]]:
        return self._rows(select(approvals).where(approvals.c.status == "pending", approvals.c.expires_at <= now))

    def audit(
        self, action: str, actor: str, approval: dict[str, Any] | None, detail: dict[str, Any] | None = None
    ) -> None:
        """Append one row to the audit log, chained to the row before it. Rows are only ever
        inserted: nothing in the bot updates or deletes them."""
        row = dict(
            at=time.time(),
            approval_id=approval["id"] if approval else None,
            action=action,
            actor=actor,
            order_id=approval["order_id"] if approval else None,
            domain=approval["domain"] if approval else None,
            detail=json.dumps(detail or {}, default=str, sort_keys=True),
        )
        with serialized(self.engine) as conn:
            last = conn.execute(select(audit_log.c.row_hash).order_by(audit_log.c.id.desc()).limit(1)).scalar()
            prev = last or auditchain.GENESIS
            digest = auditchain.row_hash(prev, row)
            conn.execute(insert(audit_log).values(**row, prev_hash=prev, row_hash=digest))
            position = conn.execute(select(func.count()).select_from(audit_log)).scalar_one()
        # the head as of this row, outside the database: a tail cut later is caught against it
        log_event(log, "audit_row", row=position, hash=digest, action=action)

    def verify_audit(self, kept: auditchain.Head | None = None) -> auditchain.Verdict:
        """Check the whole chain, oldest first (read in pages: the log only grows), and that it
        passes through a head kept from earlier."""

        def rows() -> Iterator[dict[str, Any]]:
            after = -1
            while True:
                with self.engine.connect() as conn:
                    page = (
                        conn.execute(
                            select(audit_log).where(audit_log.c.id > after).order_by(audit_log.c.id).limit(1000)
                        )
                        .mappings()
                        .all()
                    )
                if not page:
                    return
                yield from (dict(r) for r in page)
                after = page[-1]["id"]

        return auditchain.verify(rows(), kept)

    def recent(self, limit: int, order_id: int | None = None, domain: str | None = None) -> list[AuditEntry]:
        query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if order_id is not None:
            query = query.where(audit_log.c.order_id == order_id)
        if domain is not None:
            query = query.where(audit_log.c.domain == domain)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            AuditEntry(
                r["at"], r["approval_id"], r["action"], r["actor"], r["order_id"], r["domain"], json.loads(r["detail"])
            )
            for r in rows
        ]

    def count(self, action: str, approval_id: str | None = None) -> int:
        query = select(audit_log.c.id).where(audit_log.c.action == action)
        if approval_id:
            query = query.where(audit_log.c.approval_id == approval_id)
        with self.engine.connect() as conn:
            return len(conn.execute(query).all())

    # ---- the access log (pruned, unlike the audit log) and replay memory

    def record_access(self, rows: list[dict[str, Any]]) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(access_log), rows)

    def reads(self, customer_id: int | None, order_id: int | None, limit: int = 50) -> list[dict[str, Any]]:
        """Who looked at this customer's orders (or this order), newest first."""
        query = select(access_log).order_by(access_log.c.id.desc()).limit(limit)
        if customer_id is not None:
            query = query.where((access_log.c.customer_id == customer_id) | (access_log.c.order_id == order_id))
        else:
            query = query.where(access_log.c.order_id == order_id)
        return self._rows(query)

    def prune(self, access_before: float, seen_before: float) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(access_log).where(access_log.c.at < access_before))
            conn.execute(delete(seen_requests).where(seen_requests.c.at < seen_before))
            conn.execute(delete(order_changes).where(order_changes.c.at < seen_before))

    # ---- orders changed by some instance (bot.running.changefeed tells the others)

    def announce_change(self, order_id: int, domain: str | None, origin: str, at: float) -> None:
        """Record that `origin` changed this order; on PostgreSQL also NOTIFY, delivered at commit."""
        with self.engine.begin() as conn:
            inserted = conn.execute(
                insert(order_changes).values(at=at, order_id=order_id, domain=domain, origin=origin)
            )
            row_id = inserted.inserted_primary_key[0]
            if self.engine.dialect.name == "postgresql":
                payload = json.dumps({"id": row_id, "order_id": order_id, "domain": domain, "origin": origin})
                conn.execute(
                    text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANGES_CHANNEL, "payload": payload}
                )

    def changes_since(self, last_id: int) -> list[dict[str, Any]]:
        return self._rows(select(order_changes).where(order_changes.c.id > last_id).order_by(order_changes.c.id))

    def last_change_id(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.coalesce(func.max(order_changes.c.id), 0))).scalar_one()

    def first_sight(self, signature: str, at: float) -> bool:
        """True the first time a request signature is seen by any process sharing this database."""
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(seen_requests).values(signature=signature, at=at))
            return True
        except IntegrityError:
            return False

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(select(1))
