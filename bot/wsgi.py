"""The WSGI entry point for gunicorn (see Procfile): `gunicorn bot.wsgi:application`.

`mailops` is the running bot, so that bot.gunicorn_conf can drain it when the worker stops."""

from bot.config import serve_requirements
from bot.running.startup import load_or_exit, make_bot_or_exit
from bot.telemetry.logs import configure_logging

settings = load_or_exit(*serve_requirements())
configure_logging(settings.log_level, settings.log_format)
mailops = make_bot_or_exit(settings)
application = mailops.wsgi
