"""Who someone is (users.info) and who belongs to which Slack user group, for the gate.

Group ids (S...) are expanded with usergroups.users.list and cached briefly, so that adding
someone to the on-call group takes effect within minutes without a restart.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace

from cachetools import TTLCache
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.access import Home, Who

log = logging.getLogger(__name__)

PERSON_TTL = 300.0  # seconds what users.info said about someone is trusted for lookups


def _person(user_id: str, user: dict) -> Who:
    """users.info's user as a Who: a deactivated account counts as a guest (never let in)."""
    enterprise = user.get("enterprise_user") if isinstance(user.get("enterprise_user"), dict) else {}
    return Who(
        user_id,
        team_id=user.get("team_id") or None,
        enterprise_id=enterprise.get("enterprise_id") or None,
        guest=bool(user.get("is_restricted") or user.get("is_ultra_restricted") or user.get("deleted")),
        stranger=bool(user.get("is_stranger")),
        teams=tuple(team for team in enterprise.get("teams") or () if isinstance(team, str)),
    )


class Directory:
    def __init__(
        self,
        client: WebClient,
        ttl: float = 300,
        people_ttl: float = PERSON_TTL,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._client, self._clock = client, clock
        self._groups: TTLCache = TTLCache(256, ttl)
        self._people: TTLCache = TTLCache(4096, people_ttl)  # user id -> (when asked, Who)
        self._home: Home | None = None
        self._lock = threading.Lock()

    def person(self, user_id: str, channel_id: str | None = None, max_age: float = PERSON_TTL) -> Who:
        """Who `user_id` is according to Slack (users.info, scope users:read): their own workspace
        and enterprise, guest and Slack Connect status. Kept at most `max_age` seconds (5 when an
        approval is decided or a cost shown). If Slack cannot say, the Who is unconfirmed and the
        gate refuses it: access fails closed."""
        now = self._clock()
        with self._lock:
            cached = self._people.get(user_id)
        if cached is None or now - cached[0] > max_age:
            try:
                user = self._client.users_info(user=user_id).get("user")
            except (SlackApiError, OSError) as exc:
                why = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
                log.warning("cannot confirm who %s is with Slack: %s", user_id, why)
                return Who(user_id, channel_id=channel_id, unconfirmed=str(why))
            if not isinstance(user, dict):
                return Who(user_id, channel_id=channel_id, unconfirmed="users.info named no user")
            cached = (now, _person(user_id, user))
            with self._lock:
                self._people[user_id] = cached
        return replace(cached[1], channel_id=channel_id)

    def home(self) -> Home:
        """The installation's workspace and enterprise (auth.test), asked once."""
        if self._home is None:
            answer = self._client.auth_test()
            self._home = Home(
                team_id=answer.get("team_id"),
                enterprise_id=answer.get("enterprise_id") or None,
                org_wide=bool(answer.get("is_enterprise_install")),
            )
        return self._home

    def members(self, group_id: str) -> frozenset[str]:
        with self._lock:
            if group_id in self._groups:
                return self._groups[group_id]
        try:
            users = frozenset(self._client.usergroups_users_list(usergroup=group_id).get("users") or [])
        except SlackApiError as exc:
            log.warning("cannot expand user group %s: %s", group_id, exc.response.get("error"))
            return frozenset()
        with self._lock:
            self._groups[group_id] = users
        return users

    def contains(self, ids: Iterable[str], user_id: str) -> bool:
        """Is `user_id` one of `ids`, directly or through a user group?"""
        ids = list(ids)
        if user_id in ids:
            return True
        return any(user_id in self.members(group) for group in ids if group.startswith("S"))
