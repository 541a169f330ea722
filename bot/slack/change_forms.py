"""Forms for changes asked without their values (`/email renew example.com`): opened at once
(a trigger lives 3 s), filled in with what LogicBoxes knows, checked field by field, and
submitted into the same request the full command makes."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.access import UseCase, Who
from bot.changes import KINDS
from bot.changes.base import FormUnavailable
from bot.logicboxes import LogicBoxesError
from bot.render import customer_text, escape, relative_expiry, slack_date
from bot.render.forms import REASON_BLOCK, REASON_INPUT, change_form
from bot.slack.runtime import Runtime
from bot.values.results import UserError
from bot.values.words import MissingValues, ParseError

log = logging.getLogger(__name__)


def open_change_form(rt: Runtime, missing: MissingValues, trigger_id: str, who: Who, channel: str) -> None:
    """Open at once (the trigger expires in 3 s), then fill in what LogicBoxes knows; the caller
    has checked that `who` may ask for changes, and the gate checks again before LogicBoxes is asked."""
    kind = KINDS[missing.subcommand or ""]
    target = str(missing.target)
    meta = {"kind": kind.name, "target": target, "channel": channel}
    opened = rt.client.views_open(trigger_id=trigger_id, view=change_form(kind, target, json.dumps(meta)))
    view_id = opened["view"]["id"]

    def prefill() -> None:
        try:
            order = rt.deps.service.find_order(missing.target)
        except (UserError, LogicBoxesError) as exc:
            failed = change_form(kind, target, json.dumps(meta), about=f":warning: {escape(exc)}", failed=True)
            rt.client.views_update(view_id=view_id, view=failed)
            return
        customer = rt.deps.service.customer(order.customer_id)
        found = rt.deps.service.price_band(order)
        band = f" · price band {found.label}" if found else ""
        now = rt.deps.service.now()
        about = (
            f"*{escape(order.domain)}* · order `{order.order_id}` · {escape(order.status)} · {order.region}\n"
            f"{order.accounts} accounts{band} · expires {slack_date(order.expires)} "
            f"({relative_expiry(order.expires, now) or 'unknown'}) · "
            f"customer {customer_text(order.customer_id, customer)}"
        )
        meta.update(target=str(order.order_id), accounts=order.accounts)
        try:
            fields = rt.deps.approvals.form_for(kind.name, order)
        except FormUnavailable as exc:
            about += f"\n:warning: {escape(exc)} The form cannot offer its choices; try again later."
            fields = None
        try:
            view = change_form(kind, target, json.dumps(meta), about=about, failed=fields is None, fields=fields)
            rt.client.views_update(view_id=view_id, view=view)
        except SlackApiError as exc:  # closed meanwhile: nothing to fill in
            log.info("change form %s not updated: %s", view_id, exc.response.get("error"))

    rt.run(f"form:{kind.name}", who, None, prefill, use_case=UseCase.REQUEST)


def read_change_form(view: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str], str | None, dict[str, str]]:
    """The metadata, the fields' values by name, the reason, and errors by field."""
    meta = json.loads(view.get("private_metadata") or "{}")
    kind = KINDS[meta["kind"]]
    values = view.get("state", {}).get("values", {})
    given: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field in kind.form:
        entry = (values.get(field.name) or {}).get("value") or {}
        raw = (entry.get("selected_option") or {}).get("value") if field.kind == "choice" else entry.get("value")
        raw = (raw or "").strip()
        if not raw:
            if not field.optional:
                errors[field.name] = f"{field.label} is needed."
            continue
        try:
            if field.check:
                field.check(raw)
        except ParseError as exc:
            errors[field.name] = str(exc).replace("`", "")
            continue
        keeps_one = field.name == "count" and kind.name == "remove-accounts" and "accounts" in meta
        if keeps_one and int(raw) >= int(meta["accounts"]):
            errors[field.name] = f"The order has {meta['accounts']} accounts and keeps at least one."
            continue
        given[field.name] = raw
    reason = (((values.get(REASON_BLOCK) or {}).get(REASON_INPUT) or {}).get("value") or "").strip() or None
    if reason is None and kind.reason_required:
        errors[REASON_BLOCK] = "A reason is needed."
    return meta, given, reason, errors
