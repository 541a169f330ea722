"""Block Kit builders by surface: messages (answers, quotes, approval cards), home (the App Home
tab), forms (modals). Each returns a Message or a view built with slack_sdk's models."""

from bot.render.messages import *  # noqa: F403  the message builders are this package's API
from bot.render.messages import Message, clip, escape, plain_text

__all__ = ["Message", "clip", "escape", "plain_text"]  # and every render_* of bot.render.messages
