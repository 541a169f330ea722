"""gunicorn's settings for the Procfile's web line: `gunicorn -c python:bot.gunicorn_conf ...`.

- gthread workers: Bolt acks on a thread while slow LogicBoxes work runs on the bot's own pool.
  A slow client can hold one of a worker's threads, so run it behind the platform's buffering
  router (Heroku, Render, a Kubernetes ingress); on a bare VM use `python -m bot` (waitress).
- A clean stop: on SIGTERM a worker finishes the requests it holds, then (worker_exit) the bot
  drains the work they started within SHUTDOWN_GRACE; the master waits that long plus a little.
- Metrics: each worker is a process, so prometheus_client's multi-process mode keeps the values
  in PROMETHEUS_MULTIPROC_DIR (a fresh temporary directory unless set) and /metrics adds them up.
- LOG_FORMAT=json makes gunicorn's own lines (start, workers, access) JSON objects too.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time

from bot.config import Settings


def _grace() -> float:
    """SHUTDOWN_GRACE as the bot reads it; its default if unset or invalid (the bot names the error)."""
    default = Settings.model_fields["shutdown_grace"].default
    try:
        value = float(os.environ.get("SHUTDOWN_GRACE", default))
    except ValueError:
        return default
    return value if 0 <= value <= 3600 else default


worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = 8  # acks take milliseconds; slow work runs on the bot's own pool (WORKER_THREADS)
timeout = 60
graceful_timeout = int(_grace()) + 3  # the bot drains for SHUTDOWN_GRACE; a worker past this is killed
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'

if os.environ.get("LOG_FORMAT", "").strip().lower() == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "bot.telemetry.logs.JsonFormatter"}},
        "filters": {"redact": {"()": "bot.telemetry.logs.RedactingFilter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["redact"],
                "stream": "ext://sys.stdout",
            }
        },
        "root": {"level": "INFO", "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }

_own_metrics_dir = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _own_metrics_dir:  # set before any worker imports prometheus_client
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="mailops-metrics-")


def on_starting(server) -> None:
    """A metrics directory left by an earlier run would add its counts to this one's."""
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(directory, exist_ok=True)
    for name in os.listdir(directory):
        if name.endswith(".db"):
            os.remove(os.path.join(directory, name))


def on_exit(server) -> None:
    if _own_metrics_dir:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)


def child_exit(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def worker_exit(server, worker) -> None:
    """The worker has finished its requests: let the bot finish the work they started."""
    wsgi = sys.modules.get("bot.wsgi")
    if wsgi is None:  # another app (the benchmark's baseline), or the bot never started
        return
    started = time.monotonic()
    drained = wsgi.mailops.drain(_grace())
    server.log.info(
        "worker %s: %s in %.1fs",
        worker.pid,
        "work in flight finished" if drained else "stopped with work unfinished",
        time.monotonic() - started,
    )
