"""What the watch remembers in the database, across rounds, restarts and instances: every problem
(an alert's state and its message), the domains muted on purpose, the lease and the round."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.watch.alerts import CLOSED, NONE, OPEN, POSTED, RESOLVE, RESOLVED, SUSPECT, UPDATE, Alert

metadata = MetaData()

alerts = Table(
    "mailops_watch_alerts",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("order_id", BigInteger),
    Column("domain", String(255)),
    Column("summary", Text, nullable=False),
    Column("detail", JSON),
    Column("state", String(16), nullable=False),
    Column("bad_rounds", Integer, nullable=False, default=0),
    Column("good_rounds", Integer, nullable=False, default=0),
    Column("first_seen", Float, nullable=False),
    Column("opened_at", Float),
    Column("resolved_at", Float),
    Column("post", String(16), nullable=False, default="none"),
    Column("channel", String(32)),
    Column("ts", String(32)),
)
mutes = Table(
    "mailops_watch_mutes",
    metadata,
    Column("domain", String(255), primary_key=True),
    Column("muted_by", String(32), nullable=False),
    Column("muted_at", Float, nullable=False),
)
state = Table(
    "mailops_watch_state",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("holder", String(64)),
    Column("expires_at", Float),
    Column("value", JSON),
)


class WatchRecords:
    def __init__(self, engine: Engine):
        self.engine = engine

    # ---- the lease: which instance runs the rounds

    def take_lease(self, holder: str, now: float, ttl: float) -> bool:
        """True when `holder` holds the lease until now + ttl: it was free, lapsed, or already its own."""
        with self.engine.begin() as conn:
            taken = conn.execute(
                update(state)
                .where(state.c.name == "lease", (state.c.holder == holder) | (state.c.expires_at < now))
                .values(holder=holder, expires_at=now + ttl)
            ).rowcount
        if taken:
            return True
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(state).values(name="lease", holder=holder, expires_at=now + ttl, value={}))
            return True
        except IntegrityError:  # another instance holds it
            return False

    def release_lease(self, holder: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(state).where(state.c.name == "lease", state.c.holder == holder).values(expires_at=0))

    def lease_holder(self, now: float) -> str | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(state).where(state.c.name == "lease")).first()
        return row.holder if row is not None and (row.expires_at or 0) >= now else None

    # ---- the round: where it stands, so that another instance can resume it

    def round(self) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(select(state.c.value).where(state.c.name == "round")).first()
        return dict(row.value or {}) if row is not None else {}

    def save_round(self, value: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            if conn.execute(update(state).where(state.c.name == "round").values(value=value)).rowcount == 0:
                conn.execute(insert(state).values(name="round", value=value))

    # ---- alerts

    def get(self, key: str) -> Alert | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(alerts).where(alerts.c.key == key)).first()
        return Alert.from_row(row) if row is not None else None

    def all(self, *states: str, kind: str | None = None) -> list[Alert]:
        query = select(alerts).order_by(alerts.c.first_seen, alerts.c.key)
        if states:
            query = query.where(alerts.c.state.in_(states))
        if kind is not None:
            query = query.where(alerts.c.kind == kind)
        with self.engine.connect() as conn:
            return [Alert.from_row(row) for row in conn.execute(query)]

    def bad(self, alert: Alert, now: float, confirm: int, post: str) -> Alert:
        """This round found the problem: a new one is suspect until `confirm` bad rounds in a row,
        then open (its post `post`); an open one stays open with what it shows now refreshed."""
        current = self.get(alert.key)
        if current is None or current.state == RESOLVED:
            fresh = {**alert.__dict__, "state": SUSPECT, "bad_rounds": 0, "good_rounds": 0, "first_seen": now}
            fresh.update(opened_at=None, resolved_at=None, post=NONE, channel=None, ts=None)
            with self.engine.begin() as conn:
                conn.execute(delete(alerts).where(alerts.c.key == alert.key))
                conn.execute(insert(alerts).values(**fresh))
            current = Alert(**fresh)
        values: dict[str, Any] = {"bad_rounds": current.bad_rounds + 1, "good_rounds": 0}
        if current.state == OPEN:
            values.update(summary=alert.summary, detail=alert.detail)
        elif current.bad_rounds + 1 >= confirm:
            values.update(state=OPEN, opened_at=now, post=post, summary=alert.summary, detail=alert.detail)
        with self.engine.begin() as conn:
            conn.execute(update(alerts).where(alerts.c.key == alert.key).values(**values))
        return self.get(alert.key) or current

    def changed(self, key: str, kind: str, summary: str, detail: dict[str, Any]) -> Alert | None:
        """The problem is still there but is now another (a stuck action LogicBoxes failed, an order
        that lapsed): what the open alert says is replaced, and a posted message is updated."""
        current = self.get(key)
        if current is None or current.state != OPEN:
            return current
        if (current.kind, current.summary, current.detail) == (kind, summary, detail):
            return current  # no news: nothing to say again
        values: dict[str, Any] = {"kind": kind, "summary": summary, "detail": detail}
        if current.post in (POSTED, UPDATE):
            values["post"] = UPDATE
        with self.engine.begin() as conn:
            conn.execute(update(alerts).where(alerts.c.key == key).values(**values))
        return self.get(key)

    def good(self, key: str, now: float, confirm: int, why: str = "") -> Alert | None:
        """This round found the problem gone: a suspect one is forgotten; an open one resolves after
        `confirm` good rounds in a row (its message then updated, saying `why` where known)."""
        current = self.get(key)
        if current is None or current.state == RESOLVED:
            return None
        if current.state == SUSPECT:
            with self.engine.begin() as conn:
                conn.execute(delete(alerts).where(alerts.c.key == key))
            return None
        good = current.good_rounds + 1
        values: dict[str, Any] = {"good_rounds": good}
        if good >= confirm:
            posted = current.post in (POSTED, UPDATE)
            values.update(state=RESOLVED, resolved_at=now, post=RESOLVE if posted else CLOSED)
            if why:
                values["detail"] = {**current.detail, "resolved_because": why}
        with self.engine.begin() as conn:
            conn.execute(update(alerts).where(alerts.c.key == key).values(**values))
        return self.get(key)

    def posted(self, key: str, post: str, channel: str | None = None, ts: str | None = None) -> None:
        values: dict[str, Any] = {"post": post}
        if channel is not None:
            values.update(channel=channel, ts=ts)
        with self.engine.begin() as conn:
            conn.execute(update(alerts).where(alerts.c.key == key).values(**values))

    def to_post(self, post: str) -> list[Alert]:
        query = select(alerts).where(alerts.c.post == post).order_by(alerts.c.opened_at, alerts.c.key)
        with self.engine.connect() as conn:
            return [Alert.from_row(row) for row in conn.execute(query)]

    def open_counts(self) -> dict[str, int]:
        """Open alerts by kind (mailops_alerts_open)."""
        query = select(alerts.c.kind, func.count()).where(alerts.c.state == OPEN).group_by(alerts.c.kind)
        with self.engine.connect() as conn:
            return {row[0]: int(row[1]) for row in conn.execute(query)}

    # ---- domains pointed elsewhere on purpose

    def mute(self, domain: str, by: str, now: float) -> bool:
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(mutes).values(domain=domain, muted_by=by, muted_at=now))
            return True
        except IntegrityError:
            return False

    def unmute(self, domain: str) -> bool:
        with self.engine.begin() as conn:
            return conn.execute(delete(mutes).where(mutes.c.domain == domain)).rowcount > 0

    def muted(self) -> set[str]:
        with self.engine.connect() as conn:
            return {row.domain for row in conn.execute(select(mutes.c.domain))}
