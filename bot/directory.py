"""Who belongs to which Slack user group, for approver and cost-viewer checks.

Group ids (S...) are expanded with usergroups.users.list and cached briefly, so that adding
someone to the on-call group takes effect within minutes without a restart.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from cachetools import TTLCache
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.access import Home

log = logging.getLogger(__name__)


class Directory:
    def __init__(self, client: WebClient, ttl: float = 300, people_ttl: float = 60):
        self._client = client
        self._groups: TTLCache = TTLCache(256, ttl)
        self._guests: TTLCache = TTLCache(4096, people_ttl)
        self._home: Home | None = None
        self._lock = threading.Lock()

    def is_guest(self, user_id: str) -> bool:
        """A single- or multi-channel guest (users.info, scope users:read), cached for a minute.
        If Slack cannot say, the person is treated as a guest: access fails closed."""
        with self._lock:
            if user_id in self._guests:
                return self._guests[user_id]
        try:
            user = self._client.users_info(user=user_id).get("user") or {}
        except SlackApiError as exc:
            log.warning("cannot tell whether %s is a guest: %s", user_id, exc.response.get("error"))
            return True
        guest = bool(user.get("is_restricted") or user.get("is_ultra_restricted") or user.get("deleted"))
        with self._lock:
            self._guests[user_id] = guest
        return guest

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
