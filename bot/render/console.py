"""Any Message as terminal text: what the console prints."""

from __future__ import annotations

import re

from bot.render.blocks import Message

_LINK = re.compile(r"<(?:!date\^[^|>]*\|([^>]*)|[^|>]*\|([^>]*)|(@[A-Z0-9]+|#[A-Z0-9]+|https?://[^>]*))>")


def _plain(text: str) -> str:
    text = _LINK.sub(lambda m: m.group(1) or m.group(2) or m.group(3), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def plain_text(message: Message) -> str:
    """The blocks as terminal text: what the console prints."""
    out: list[str] = []
    for block in message.as_kwargs()["blocks"]:
        kind = block["type"]
        if kind == "header":
            out.append(f"== {_plain(block['text']['text'])} ==")
        elif kind == "section":
            if "text" in block:
                out.append(_plain(block["text"]["text"]))
            for f in block.get("fields", []):
                name, _, value = f["text"].partition("\n")
                out.append(f"  {name.strip('*')}: {_plain(value)}")
        elif kind == "context":
            out.append("  " + " ".join(_plain(e.get("text", "")) for e in block["elements"]))
        elif kind == "divider":
            out.append("-" * 40)
        elif kind == "actions":
            out.append("  " + " ".join(f"[{e['text']['text']}]" for e in block["elements"]))
    return "\n".join(out) if out else message.text
