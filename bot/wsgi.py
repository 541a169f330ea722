"""The WSGI entry point for gunicorn (see Procfile): `gunicorn bot.wsgi:application`."""

from bot.__main__ import load_or_exit, make_bot_or_exit
from bot.config import serve_requirements
from bot.logs import configure_logging

settings = load_or_exit(*serve_requirements())
configure_logging(settings.log_level, settings.log_format)
application = make_bot_or_exit(settings).wsgi
