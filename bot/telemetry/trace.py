"""Per-command context: a correlation id, the command's deadline and what it cost upstream.

One ContextVar carries it from the listener through the service into every LogicBoxes call,
so logs tie an upstream call to the command that caused it and every call knows how much of
the command's time budget is left. Worker threads get it by running in a copied context.
"""

from __future__ import annotations

import contextvars
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


@dataclass
class Trace:
    cid: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    deadline: float | None = None
    upstream_calls: int = 0
    cache_hits: int = 0
    upstream_status: str = "-"
    outcome: str = "ok"  # how the answer ended, for mailops_commands_total: bad_input, not_found, timeout, ...
    touched: list[tuple[int, int | None]] = field(default_factory=list)  # (order id, customer id) looked at

    def remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()


_current: contextvars.ContextVar[Trace | None] = contextvars.ContextVar("mailops_trace", default=None)


def current() -> Trace:
    """The running command's trace; a throwaway one outside a command (console, tests)."""
    trace = _current.get()
    return trace if trace is not None else Trace()


@contextmanager
def command_trace(deadline_seconds: float | None = None, cid: str | None = None) -> Iterator[Trace]:
    trace = Trace(deadline=None if deadline_seconds is None else time.monotonic() + deadline_seconds)
    if cid:
        trace.cid = cid
    token = _current.set(trace)
    try:
        yield trace
    finally:
        _current.reset(token)


def bind(func: Callable[..., T]) -> Callable[..., T]:
    """Wrap `func` so that it runs in a copy of the caller's context (for thread pools)."""
    context = contextvars.copy_context()
    return lambda *args, **kwargs: context.run(func, *args, **kwargs)
