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

log = logging.getLogger(__name__)


class Directory:
    def __init__(self, client: WebClient, ttl: float = 300):
        self._client = client
        self._groups: TTLCache = TTLCache(256, ttl)
        self._lock = threading.Lock()

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
