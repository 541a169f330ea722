"""The baseline for the benchmark: a bare Bolt app whose /email listener only acks.

Served by the same gunicorn settings as the bot, it shows what Bolt, gunicorn and this
machine cost by themselves, so the bot's ack latency can be read as a ratio to it.
"""

import os

from slack_bolt import App
from slack_sdk import WebClient

from bot.running.wiring import probe_app, wsgi_app

app = App(
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    client=WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
)


@app.command("/email")
def ack_only(ack):
    ack(text="ok")


application = wsgi_app(app, probe_app(), os.environ["SLACK_SIGNING_SECRET"])  # signature first, as the bot
