"""Telemetry: metrics (Prometheus), the trace of one command (its deadline, calls and correlation
id) and logging (one line per event, secrets redacted). The bottom layer: every part of the bot may
use it, and it imports nothing else of the bot."""
