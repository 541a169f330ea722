"""Every way into work, declared once: each Slack surface (what Bolt routes to a listener) and the
use cases its work may run, each of which the one gate checks before any work (Runtime.run takes
the use case as a required argument). The listeners register through `on`, so a listener that is
not declared here cannot be registered, and a test sends each surface's payload and watches the
gate check what is declared. The README's table of surfaces x use cases is this table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App

from bot.access import RULES, UseCase
from bot.commands.table import SUBCOMMANDS
from bot.render.forms import CHANGE_FORM, DENY_FORM, LOOKUP_FORM, QUOTE_FORM

_COMMAND = tuple(
    dict.fromkeys(
        use_case
        for sub in SUBCOMMANDS.values()
        for use_case in ((UseCase.WATCH, UseCase.WATCH_ADMIN) if sub.name == "watch" else (sub.use_case,))
        if use_case is not UseCase.HELP  # help is answered in the ack, listing only what the asker may run
    )
)

SURFACES: dict[tuple[str, str], tuple[UseCase, ...]] = {
    ("command", "/email"): _COMMAND,
    ("action", "share"): tuple(u for u, rule in RULES.items() if rule.shareable),
    ("action", "next_page"): tuple(u for u, rule in RULES.items() if rule.pageable),
    ("action", "check_dns"): (UseCase.CHECK,),
    ("action", "look_up"): (UseCase.LOOKUP,),
    ("action", "customer_card"): (UseCase.CUSTOMER,),
    ("action", "watch_mute"): (UseCase.WATCH_ADMIN,),
    ("action", "request_change"): (UseCase.REQUEST,),
    ("action", "approve"): (UseCase.DECIDE,),
    ("action", "deny"): (UseCase.DECIDE,),
    ("action", "cancel"): (UseCase.CANCEL,),
    ("action", "home_lookup"): (UseCase.LOOKUP,),
    ("action", "home_quote"): (UseCase.QUOTE,),
    ("view", CHANGE_FORM): (UseCase.REQUEST,),
    ("view", DENY_FORM): (UseCase.DECIDE,),
    ("view", LOOKUP_FORM): (UseCase.LOOKUP, UseCase.CUSTOMER),
    ("view", QUOTE_FORM): (UseCase.QUOTE,),
    ("shortcut", "lookup_message"): (UseCase.LOOKUP,),
    ("event", "app_home_opened"): (UseCase.HOME,),
    ("function", "lookup_order"): (UseCase.LOOKUP,),
    ("function", "quote_enterprise_email"): (UseCase.QUOTE,),
}
REGISTERED: set[tuple[str, str]] = set()  # what `on` registered in this process


def on(app: App, kind: str, name: str, listener: Callable[..., Any]) -> None:
    """Register `listener` for one declared surface; an undeclared one is a bug, caught at start."""
    if (kind, name) not in SURFACES:
        raise KeyError(f"{kind} {name!r} is not declared in bot.slack.surfaces.SURFACES")
    register = {
        "command": app.command,
        "action": app.action,
        "view": app.view,
        "shortcut": app.shortcut,
        "event": app.event,
        "function": app.function,
    }[kind]
    register(name)(listener)
    REGISTERED.add((kind, name))


def table() -> list[str]:
    """The README's table: one row per surface, the use cases the gate checks on it."""
    rows = ["| surface | use cases the gate checks |", "|---|---|"]
    for (kind, name), use_cases in SURFACES.items():
        rows.append(f"| {kind} `{name}` | {', '.join(u.value for u in use_cases)} |")
    return rows
