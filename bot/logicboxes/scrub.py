"""Scrubbing a real account's answers before they leave the reseller: pure functions.

`doctor --record` keeps LogicBoxes' answers as they came, so the project can learn the real shapes;
what identifies the reseller or its customers is replaced by stable placeholders wherever it occurs,
inside other values too (`parentkey` ends with the reseller id, `actiontypedesc` names the domain).
Keys, types, nesting and LogicBoxes' own words (statuses, messages) stay.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

# field name (the last part of a dotted key, lower case) -> the kind of value it holds
FIELDS: dict[str, str] = {
    "domainname": "domain",
    "domain-name": "domain",
    "description": "domain",  # details.json, search rows (entity.description), action maps
    "name": "name",
    "contactname": "name",
    "company": "company",
    "username": "login",
    "useremail": "login",
    "emailaddr": "login",
    "email": "login",
    "telno": "phone",
    "mobileno": "phone",
    "faxno": "phone",
    "address1": "address",
    "address2": "address",
    "address3": "address",
    "city": "address",
    "state": "address",
    "zip": "address",
    "pin": "address",
}
PLACEHOLDER = {
    "domain": "example-{n}.com",
    "name": "customer-{n}",
    "company": "company-{n}",
    "login": "login-{n}@example-login.invalid",
    "phone": "555010{n}",
    "address": "address-{n}",
}
RESELLER_ID = "100000"  # what a reseller id becomes (a number still, where it was one)
MIN_INSIDE = 4  # shorter values are replaced only where they stand alone (a 2-letter state is no word to hunt)


class Scrubber:
    """Learns what to hide from answers (`learn`), then rewrites them (`scrub`), with the same
    placeholder for the same value in every answer."""

    def __init__(self, secrets: Iterable[str] = (), reseller_ids: Iterable[str] = ()):
        self._map: dict[str, str] = {}
        self._counts: dict[str, int] = {}
        for secret in secrets:
            if secret:
                self._map[str(secret)] = "***"
        self._ids = [str(i) for i in reseller_ids if str(i).strip()]

    def _placeholder(self, kind: str, value: str) -> None:
        if not value.strip() or value in self._map or value.lower() in ("true", "false", "null", "none"):
            return
        self._counts[kind] = self._counts.get(kind, 0) + 1
        self._map[value] = PLACEHOLDER[kind].format(n=self._counts[kind])
        if kind == "login" and "@" in value:  # the login's domain is a domain too
            self.learn_value("domain", value.rsplit("@", 1)[1])

    def add_id(self, value: Any) -> None:
        """A reseller id (ours, or the parent's): replaced wherever it stands as a number."""
        text = str(value).strip()
        if text.isdigit() and text not in self._ids:
            self._ids.append(text)

    def learn_value(self, kind: str, value: Any) -> None:
        if isinstance(value, str):
            self._placeholder(kind, value)

    def learn(self, data: Any) -> None:
        """Every value under a sensitive field, anywhere in `data`."""
        if isinstance(data, dict):
            for key, value in data.items():
                field = str(key).rsplit(".", 1)[-1].lower()
                if field in ("resellerid", "parentid") and isinstance(value, str | int):
                    self.add_id(value)
                kind = FIELDS.get(field)
                if kind and isinstance(value, str):
                    self._placeholder(kind, value)
                else:
                    self.learn(value)
        elif isinstance(data, list):
            for item in data:
                self.learn(item)

    def text(self, value: str) -> str:
        """One string with every learned value replaced, inside it too."""
        if value in self._map:
            return self._map[value]
        if value in self._ids:
            return RESELLER_ID
        for secret, placeholder in sorted(self._map.items(), key=lambda item: len(item[0]), reverse=True):
            if len(secret) >= MIN_INSIDE:
                value = re.sub(re.escape(secret), placeholder, value, flags=re.IGNORECASE)
        for reseller_id in self._ids:
            if len(reseller_id) >= MIN_INSIDE:  # parentkey "..._465229": inside other values too
                value = re.sub(rf"(?<!\d){re.escape(reseller_id)}(?!\d)", RESELLER_ID, value)
        return value

    def scrub(self, data: Any) -> Any:
        """`data` with every learned value replaced; keys, types and nesting as they were."""
        if isinstance(data, dict):
            return {self.text(str(k)) if isinstance(k, str) else k: self.scrub(v) for k, v in data.items()}
        if isinstance(data, list):
            return [self.scrub(item) for item in data]
        if isinstance(data, str):
            return self.text(data)
        if isinstance(data, int) and not isinstance(data, bool) and str(data) in self._ids:
            return int(RESELLER_ID)
        return data
