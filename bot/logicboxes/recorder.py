"""`doctor --record`: the account's real answers to every read the bot relies on, and what they say
about the open questions of `../shared/logicboxes-api.md` ("Open questions at first contact").

Read-only: GET only, each read asked once, never a change. The answers are kept as they came (JSON
as JSON, anything else as text, with HTTP status and content type) and scrubbed (bot.logicboxes.scrub)
before they are written; `report` reads them and says, per question, confirmed, contradicted (what
was seen) or not seen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bot.logicboxes import wire
from bot.logicboxes.errors import LogicBoxesError
from bot.logicboxes.meanings import Meaning, meaning_of
from bot.logicboxes.scrub import Scrubber
from bot.logicboxes.transport import Transport

NO_SUCH_EAQID = "1"  # no action of any account has this id
NO_SUCH_LOGIN = "mailops-no-such-login@example.invalid"


@dataclass
class Answer:
    name: str  # what the bot asked, e.g. "actions-current-order"
    call: str  # the path, without .json
    params: list[tuple[str, Any]]
    status: int | None = None
    content_type: str = ""
    body: Any = None  # JSON as JSON, anything else as text
    error: str | None = None  # no answer at all (connection, timeout): what failed

    @property
    def data(self) -> Any:
        return self.body if self.status is not None else None

    def envelope(self, scrubber: Scrubber) -> dict[str, Any]:
        return {
            "name": self.name,
            "call": f"{self.call}.json",
            "params": [[key, scrubber.text(str(value))] for key, value in self.params],
            "http_status": self.status,
            "content_type": self.content_type,
            "body": scrubber.scrub(self.body),
            "error": self.error,
        }


@dataclass
class Recording:
    answers: list[Answer] = field(default_factory=list)

    def get(self, name: str) -> Answer | None:
        return next((a for a in self.answers if a.name == name), None)


class Recorder:
    def __init__(self, transport: Transport, regions: list[str]):
        self.transport, self.regions = transport, regions
        self.recording = Recording()

    def ask(self, name: str, call: str, params: list[tuple[str, Any]], where: str) -> Answer:
        answer = Answer(name, call, params)
        try:
            answer.status, answer.content_type, raw = self.transport.get_raw(call, params, where)
            text = raw.decode("utf-8", "replace")
            try:
                answer.body = json.loads(text)
            except ValueError:
                answer.body = text
        except LogicBoxesError as exc:
            answer.error = str(exc)
        self.recording.answers.append(answer)
        return answer

    def run(self) -> Recording:
        """Each read the bot relies on, once: an order search page, one order's details and DNS
        records, both action lists for it and for an eaqid that cannot exist (and one page of each
        account-wide), the customer by id and by login, a login that cannot exist, a customer
        search, the balance, each price list."""
        order = None
        for region in self.regions:
            found = self.ask(
                f"search-{region}", f"enterpriseemail/{region}/search", [("no-of-records", 500), ("page-no", 1)], region
            )
            rows = _search_rows(found)
            if rows and order is None:
                order = (region, rows[0])
        customer_id = None
        if order is not None:
            region, order_id = order
            details = self.ask("details", f"enterpriseemail/{region}/details", [("order-id", order_id)], region)
            self.ask("dns-record", f"enterpriseemail/{region}/dns-record", [("order-id", order_id)], region)
            customer_id = _field(details.data, "customerid")
            for kind in ("current", "archived"):
                self.ask(f"actions-{kind}-order", f"actions/search-{kind}", _page(("order-id", order_id)), "actions")
        for kind in ("current", "archived"):
            self.ask(
                f"actions-{kind}-no-such-eaqid", f"actions/search-{kind}", _page(("eaq-id", NO_SUCH_EAQID)), "actions"
            )
            self.ask(f"actions-{kind}-account", f"actions/search-{kind}", _page(), "actions")
        if customer_id is not None:
            by_id = self.ask("customer-by-id", "customers/details-by-id", [("customer-id", customer_id)], "customers")
            login = _field(by_id.data, "username")
            if login:
                self.ask("customer-by-login", "customers/details", [("username", login)], "customers")
            self.ask("customer-balance", "billing/customer-balance", [("customer-id", customer_id)], "customers")
        self.ask("customer-unknown-login", "customers/details", [("username", NO_SUCH_LOGIN)], "customers")
        self.ask("customer-search", "customers/search", [("no-of-records", 10), ("page-no", 1)], "customers")
        for name in ("customer-price", "reseller-cost-price", "reseller-price"):
            self.ask(name, f"products/{name}", [], "prices")
        return self.recording


def _page(*params: tuple[str, Any]) -> list[tuple[str, Any]]:
    return [("no-of-records", 50), ("page-no", 1), *params]


def _field(data: Any, name: str) -> str | None:
    value = data.get(name) if isinstance(data, dict) else None
    return str(value) if value not in (None, "") else None


def _search_rows(answer: Answer) -> list[int]:
    try:
        return [o.order_id for o in wire.parse_search(answer.data, "search").orders]
    except (LogicBoxesError, Exception):
        return []


def _error_text(answer: Answer | None) -> str | None:
    return wire.error_message(answer.data) if answer is not None and answer.status is not None else None


def _actions(answer: Answer | None) -> list[Any] | None:
    if answer is None or answer.status is None or _error_text(answer) is not None:
        return None
    try:
        return wire.parse_actions(answer.data).actions
    except LogicBoxesError:
        return None


# ---------------------------------------------------------------- the report


CONFIRMED, CONTRADICTED, NOT_SEEN = "confirmed", "contradicted", "not seen"


def report(recording: Recording) -> list[tuple[str, str, str]]:
    """(question id, verdict, what was seen) for Q1-Q10, from the recorded answers alone."""
    return [
        ("Q1", *_q1(recording)),
        ("Q2", *_q2(recording)),
        ("Q3", NOT_SEEN, "a change's answer; doctor --record makes no change"),
        ("Q4", NOT_SEEN, "a change with too little balance; doctor --record makes no change"),
        ("Q5", *_q5(recording)),
        ("Q6", *_q6(recording)),
        ("Q7", *_q7(recording)),
        ("Q8", *_q8(recording)),
        ("Q9", *_q9(recording)),
        ("Q10", NOT_SEEN, "add-email-account's answer; doctor --record makes no change"),
    ]


def _q1(recording: Recording) -> tuple[str, str]:
    said = []
    for kind in ("current", "archived"):
        answer = recording.get(f"actions-{kind}-no-such-eaqid")
        if answer is None or answer.status is None:
            continue
        error = _error_text(answer)
        if error is not None:
            meaning = meaning_of(error, f"actions/search-{kind}")
            said.append(f'search-{kind} answered ERROR "{error}" (read as {meaning.value})')
        else:
            said.append(f"search-{kind} answered an empty page")
    if not said:
        return NOT_SEEN, "the action lists could not be read"
    verdict = CONTRADICTED if any("ERROR" in s for s in said) else CONFIRMED
    return verdict, "; ".join(said) + " for an eaqid that cannot exist"


def _rows(recording: Recording, *names: str) -> list[Any]:
    return [action for name in names for action in (_actions(recording.get(name)) or [])]


def _q2(recording: Recording) -> tuple[str, str]:
    rows = _rows(recording, "actions-current-order", "actions-current-account")
    if not rows:
        return NOT_SEEN, "no row in search-current"
    finished = [a for a in rows if a.finished]
    if finished:
        return CONTRADICTED, f"{len(finished)} of {len(rows)} rows in search-current are finished (read as not pending)"
    return CONFIRMED, f"{len(rows)} rows in search-current, none finished"


def _q5(recording: Recording) -> tuple[str, str]:
    rows = _rows(recording, "actions-current-account", "actions-archived-account")
    if not rows:
        return NOT_SEEN, "no row in the account-wide lists"
    ours = {a.entity_type or "not given" for a in _rows(recording, "actions-current-order", "actions-archived-order")}
    types = sorted({a.entity_type or "not given" for a in rows})
    if ours and [t for t in types if t not in ours]:
        mine = ", ".join(sorted(ours))
        return CONFIRMED, f"entity types {', '.join(types)} in the account's queue; the email order's is {mine}"
    return NOT_SEEN, f"entity types seen: {', '.join(types)}"


def _q6(recording: Recording) -> tuple[str, str]:
    for answer in recording.answers:
        if not answer.name.startswith("search-") or answer.name == "customer-search" or answer.status is None:
            continue
        data = answer.data if isinstance(answer.data, dict) else {}
        served, counted = wire.as_int(data.get("recsonpage")), wire.as_int(data.get("recsindb"))
        if served is None or counted is None:
            continue
        if served < min(500, counted):
            return CONTRADICTED, f"{answer.call}.json served {served} rows of {counted} for 500 asked"
        if counted > 10:
            return CONFIRMED, f"{answer.call}.json served {served} rows of {counted} for 500 asked"
    return NOT_SEEN, "too few orders to see a page size"


def _answered(recording: Recording, name: str) -> dict[str, Any] | None:
    """The object `name` answered, unless it was no answer, not an object, or an ERROR."""
    answer = recording.get(name)
    if answer is None or not isinstance(answer.data, dict) or _error_text(answer) is not None:
        return None
    return answer.data


def _q7(recording: Recording) -> tuple[str, str]:
    details = _answered(recording, "details")
    if details is None:
        return NOT_SEEN, "no order's details were read"
    if "recurring" in details:
        return CONTRADICTED, f"Enterprise Email details.json carries recurring ({details['recurring']!r})"
    return CONFIRMED, "Enterprise Email details.json has no recurring"


def _q8(recording: Recording) -> tuple[str, str]:
    balance = _answered(recording, "customer-balance")
    if balance is None:
        return NOT_SEEN, "no balance was read"
    names = ("sellingcurrencybalance", "sellingcurrencylockedbalance", "totalsellingbalance")
    available, locked, total = (wire.as_decimal(balance.get(n)) for n in names)
    given = [n for n in names if n in balance]
    if None in (available, locked, total):
        return NOT_SEEN, f"fields given: {', '.join(given) or 'none of the three'}"
    if not locked:
        return NOT_SEEN, "all three given; nothing locked, so available and total cannot be told apart"
    if available + locked == total:
        return CONFIRMED, "available + locked = total, as KB 872 names them"
    if available == total:
        return CONTRADICTED, "sellingcurrencybalance equals the total with money locked"
    return CONTRADICTED, "the three amounts do not add up as KB 872 names them"


def _q9(recording: Recording) -> tuple[str, str]:
    answer = recording.get("customer-unknown-login")
    if answer is None or answer.status is None:
        return NOT_SEEN, "customers/details.json could not be asked"
    error = _error_text(answer)
    if error is None:
        return CONTRADICTED, "an unknown login answered without an ERROR"
    meaning = meaning_of(error, "customers/details")
    verdict = CONFIRMED if meaning in (Meaning.NOT_FOUND, Meaning.NOTHING_MATCHED) else CONTRADICTED
    return verdict, f'an unknown login answered ERROR "{error}" (HTTP {answer.status}; read as {meaning.value})'


def learn_all(scrubber: Scrubber, recording: Recording) -> None:
    for answer in recording.answers:
        scrubber.learn(answer.body)
        for key, value in answer.params:
            if key in ("domain-name", "username") and value != NO_SUCH_LOGIN:
                scrubber.learn_value("domain" if key == "domain-name" else "login", str(value))
