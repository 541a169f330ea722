"""`python -m bot doctor --record DIR`: the account's real answers, scrubbed, and what they say
about the open questions (bot.logicboxes.recorder). Only LogicBoxes' settings are needed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from bot.config import LOGICBOXES, ConfigError, load_settings
from bot.logicboxes.recorder import Recorder, learn_all, report
from bot.logicboxes.scrub import Scrubber
from bot.telemetry.logs import fatal


def run_record(directory: str, print_line: Callable[[str], None] = print) -> int:
    """0 when it ran, whatever it found; 2 when it could not run (settings, a non-empty DIR)."""
    try:
        settings = load_settings(*LOGICBOXES)
    except ConfigError as exc:
        fatal(str(exc))
        return 2
    target = Path(directory)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        fatal(f"doctor --record: {directory} is not an empty folder; name a new or empty one.")
        return 2
    target.mkdir(parents=True, exist_ok=True)
    from bot.running.wiring import make_client

    client = make_client(settings)
    recording = Recorder(client.transport, list(settings.reseller_regions)).run()
    scrubber = Scrubber([settings.secret("reseller_api_key")], [str(settings.reseller_auth_userid or "")])
    learn_all(scrubber, recording)
    for number, answer in enumerate(recording.answers, 1):
        path = target / f"{number:02d}-{answer.name}.json"
        path.write_text(json.dumps(answer.envelope(scrubber), indent=2, ensure_ascii=False) + "\n")
    lines = [f"- {qid}: {verdict}: {scrubber.text(seen)}" for qid, verdict, seen in report(recording)]
    head = [
        "# mailops doctor --record",
        "",
        f"{len(recording.answers)} answers of LogicBoxes at {scrubber.text(settings.reseller_api_url)}, scrubbed, "
        "one file each. Open questions of the project's notes on the API (Q1-Q10):",
        "",
    ]
    (target / "report.md").write_text("\n".join([*head, *lines]) + "\n")
    for line in lines:
        print_line(line)
    print_line(f"\nwrote {len(recording.answers)} answers and report.md to {target}: attach the folder to a bug report")
    return 0
