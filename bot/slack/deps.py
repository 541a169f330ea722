"""The bot's parts every Slack listener reaches through the Runtime, built once by bot.running.wiring."""

from __future__ import annotations

from dataclasses import dataclass

from bot.approvals.accesslog import AccessLog
from bot.approvals.notices import Notifiers
from bot.approvals.workflow import Approvals
from bot.config import Settings
from bot.slack.directory import Directory
from bot.slack.watch import WatchDesk
from bot.slack.workers import Workers
from bot.usecases.service import MailService


@dataclass
class Deps:
    settings: Settings
    service: MailService
    approvals: Approvals
    workers: Workers
    directory: Directory
    access_log: AccessLog
    notices: Notifiers  # the approval workflow's notifier: the Slack layer joins it
    watch: WatchDesk | None = None  # the watch, when ALERTS_CHANNEL is set
