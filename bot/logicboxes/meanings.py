"""What LogicBoxes' ERROR texts mean: one table, used by every call.

LogicBoxes answers every refusal as `{"status": "ERROR", "message": ...}`, and the same words can
mean different things depending on the call: "No Entity found for Entityid N" is an order that does
not exist when details.json says it, and an empty page when an action list says it (a public
client searches the archive when search-current answers an ERROR, which suggests the current list
answers one when nothing is pending; `../shared/logicboxes-api.md` Q1). Every call's ERROR goes
through `meaning_of` with the call's path, and nothing else in the bot reads LogicBoxes' words.

Recorded texts (sources in the shared notes): "Authentication failure" (HTTP 400), "Access Denied.
You are not authorized to perform this action.", "Website doesn't exist for <domain>", "No Entity
found for Entityid <id>", "There is already an action pending on this Order.", validation errors
as "{field=message}". "No record(s) found" and "No actions found" are not recorded: they are held
as "nothing matched" on list calls because the public record is silent and they say so plainly.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Meaning(StrEnum):
    AUTHENTICATION = "authentication failed"  # the reseller id or API key is wrong
    ACCESS_DENIED = "access denied"  # this server's IP is not whitelisted (or the record is not ours)
    NOT_FOUND = "not found"  # no such order, domain or customer
    NOTHING_MATCHED = "nothing matched"  # a list or search with no rows: an empty page, not an error
    ACTION_PENDING = "action pending"  # another action on the order has not finished
    INVALID_PARAMETER = "invalid parameter"  # a value LogicBoxes would not take
    OTHER = "refused"  # anything else: shown in LogicBoxes' own words


LIST_CALLS = ("actions/search-current", "actions/search-archived")  # where "nothing found" is an empty page

_NOTHING = r"no records? found|no entity found|no actions? found"

# (pattern, meaning, the calls it holds for: None for every call). The first row that matches wins.
TABLE: list[tuple[re.Pattern[str], Meaning, tuple[str, ...] | None]] = [
    (re.compile(r"access denied|not authori[sz]ed to perform", re.I), Meaning.ACCESS_DENIED, None),
    (re.compile(r"authenticat|auth-userid|api[- ]?key", re.I), Meaning.AUTHENTICATION, None),
    (re.compile(_NOTHING, re.I), Meaning.NOTHING_MATCHED, LIST_CALLS),
    (re.compile(r"already an action pending|action (is )?pending", re.I), Meaning.ACTION_PENDING, None),
    (
        re.compile(r"doesn't exist|does not exist|no entity found|not found|invalid order|no such", re.I),
        Meaning.NOT_FOUND,
        None,
    ),
    # an unknown login on customers/details.json: its text is not recorded (Q9); these say "no such login"
    (re.compile(r"invalid (user ?name|login|customer)", re.I), Meaning.NOT_FOUND, ("customers/details",)),
    (re.compile(r"^\s*\{[\w.-]+=|invalid|is required|must be", re.I), Meaning.INVALID_PARAMETER, None),
]


def meaning_of(message: str, call: str = "") -> Meaning:
    """What `message` means as the answer of `call` (its path without `.json`, e.g. `actions/search-current`)."""
    name = call.removesuffix(".json")
    for pattern, meaning, calls in TABLE:
        if (calls is None or any(name.endswith(c) for c in calls)) and pattern.search(message):
            return meaning
    return Meaning.OTHER
