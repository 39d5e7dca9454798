"""Untrusted text for the action's scripts (action/*.sh): kgov's stderr quoted into the pull-request
comment and shown in the job log, messages for the job log, the environment input checked, and our
comment found by its marker.

Every escape goes through kgov.sanitize.printable, the one list of unsafe characters: control
characters (ESC, CR…), bidi overrides and line separators are shown as escapes, never passed on.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from kgov.sanitize import printable

USAGE = "usage: untrusted.py fence FILE | show FILE | log TEXT | env-name NAME | comment-id MARKER"
FENCE_BYTES = 4000  # the start of stderr is enough; the whole is in the run's log
# An environment name is part of a comment marker (<!-- kgov-review:NAME -->) and an artifact name.
ENV_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# Whose comment may carry our marker: a bot (the workflow's token) or someone with write access,
# never a pull request's author from outside, who could post the marker and then edit what we wrote.
TRUSTED_AUTHORS = {"OWNER", "MEMBER", "COLLABORATOR"}


def _lines(text: str) -> list[str]:
    return [printable(line) for line in text.rstrip("\n").split("\n")] if text.strip() else []


def show(path: str) -> str:
    """A file of kgov's messages for the job log, every line escaped."""
    return "\n".join(_lines(Path(path).read_bytes().decode("utf-8", "replace")))


def fence(path: str) -> str:
    """The start of the file as a Markdown code block that nothing in it can close: the fence is
    longer than any run of backticks in the text (rich wraps at 80 columns, so a run can start a
    line even when the message did not put it there)."""
    data = Path(path).read_bytes()
    text = data[:FENCE_BYTES].decode("utf-8", "replace")
    lines = _lines(text) or ["(no message)"]
    if len(data) > FENCE_BYTES:
        lines.append(f"… (cut after {FENCE_BYTES} bytes: the whole message is in the run's log)")
    body = "\n".join(lines)
    ticks = "`" * max([3] + [len(run) + 1 for run in re.findall(r"`+", body)])
    return f"{ticks}text\n{body}\n{ticks}"


def log(text: str) -> str:
    """One line of workflow-command data: escaped, and `%` encoded as the runner decodes it."""
    return printable(text).replace("%", "%25")


def _pages(text: str) -> list[Any]:
    """`gh api --paginate` prints one JSON array per page, back to back."""
    decoder, pos = json.JSONDecoder(), 0
    pages: list[Any] = []
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos == len(text):
            return pages
        page, pos = decoder.raw_decode(text, pos)
        pages.append(page)


def comment_id(marker: str, listing: str) -> str:
    """The id of the first comment of ours that starts with `marker` (the marker is data, never
    spliced into a query), or "" when there is none."""
    for page in _pages(listing):
        for c in page if isinstance(page, list) else []:
            if not isinstance(c, dict) or type(c.get("id")) is not int:
                continue
            body, user = c.get("body"), c.get("user") or {}
            ours = user.get("type") == "Bot" or c.get("author_association") in TRUSTED_AUTHORS
            if ours and isinstance(body, str) and body.startswith(marker):
                return str(c["id"])
    return ""


def main(argv: list[str]) -> int:
    match argv:
        case ["fence", path]:
            print(fence(path))
        case ["show", path]:
            shown = show(path)
            if shown:
                print(shown)
        case ["log", text]:
            print(log(text))
        case ["env-name", name]:
            return 0 if ENV_NAME.fullmatch(name) else 1
        case ["comment-id", marker]:
            print(comment_id(marker, sys.stdin.read()))
        case _:
            print(USAGE, file=sys.stderr)
            return 64
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
