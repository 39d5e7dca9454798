"""An audit (its JSON) as Markdown: the summary first, every section folded; every value escaped."""

from __future__ import annotations

from typing import Any

from kgov.render.escape import md_code, md_text
from kgov.render.sizes import size

MAX_ROWS = 2000  # per section: a longer list is cut, with a pointer to the JSON


def _rows(rows: list[str], total: int) -> list[str]:
    more = ["", f"*…and {total - MAX_ROWS} more: see `--format json`.*"] if total > MAX_ROWS else []
    return rows[:MAX_ROWS] + more


def _section(title: str, count: int, header: list[str], rows: list[list[str]]) -> list[str]:
    if not count:
        return []
    lines = [f"<details><summary>{title} ({count})</summary>", ""]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += _rows(["| " + " | ".join(r) + " |" for r in rows[: MAX_ROWS + 1]], len(rows))
    return [*lines, "", "</details>", ""]


def _grants(cell: dict[str, Any]) -> str:
    labels = sorted({label for labels in cell["grants"].values() for label in labels})
    denied = sorted({label for labels in cell["denied"].values() for label in labels})
    return "<br>".join([md_code(x) for x in labels] + [f"denied by {md_code(x)}" for x in denied])


def _tick(cell: dict[str, Any], right: str) -> str:
    if cell["rights"][right]:
        return "✅"
    return "⛔" if right in cell["denied"] else ""


def render(doc: dict[str, Any]) -> str:
    s = doc["summary"]
    where = "the catalog alone (derived bindings)" if doc["source"] == "catalog" else "the cluster"
    lines = [
        f"## kgov audit of {md_code(doc['environment'])}",
        "",
        f"Read from {where} at {md_text(doc['created_at'])}.",
        "",
        "| drift | unmanaged | policy violations | principals | topics | access cells |",
        "|---|---|---|---|---|---|",
        "| "
        + " | ".join(str(s[k]) for k in ("drift", "unmanaged", "violations", "principals", "topics", "cells"))
        + " |",
        "",
    ]
    drift = doc["drift"]
    lines += _section(
        "Drift: what `kgov plan` would change",
        len(drift),
        ["action", "kind", "resource", "fields"],
        [
            [
                md_text(e["action"]),
                md_text(e["kind"]),
                md_code(e.get("label") or e["name"]),
                ", ".join(md_code(c["field"]) for c in e["changes"][:10]),
            ]
            for e in drift
        ],
    )
    unmanaged = doc["unmanaged"]
    lines += _section(
        "Unmanaged resources",
        len(unmanaged),
        ["kind", "resource"],
        [[md_text(u["kind"]), md_code(u["label"])] for u in unmanaged],
    )
    violations = doc["violations"]
    lines += _section(
        "Policy violations",
        len(violations),
        ["rule", "resource", "finding", "severity", "what to do"],
        [
            [
                md_text(v["rule"]),
                md_code(v["name"]),
                md_text(v["message"]),
                md_text(v.get("severity", "error")),
                md_text(v.get("hint") or ""),
            ]
            for v in violations
        ],
    )
    cells = doc["access_matrix"]["cells"]
    lines += _section(
        "Access matrix",
        len(cells),
        ["principal", "topic", "produce", "consume", "admin", "granted by"],
        [
            [
                md_code(c["principal"]),
                md_code(c["topic"]),
                _tick(c, "produce"),
                _tick(c, "consume"),
                _tick(c, "admin"),
                _grants(c),
            ]
            for c in cells
        ],
    )
    names = {n["id"]: n["name"] for n in doc["data_flow"]["nodes"]}
    edges = doc["data_flow"]["edges"]
    lines += _section(
        "Data flow",
        len(edges),
        ["from", "relation", "to"],
        [[md_code(names[e["source"]]), md_text(e["relation"]), md_code(names[e["target"]])] for e in edges],
    )
    lines += _usage(doc.get("usage"))
    lines += _tables(doc.get("tables") or [])
    if doc["warnings"]:
        lines += ["**Warnings**", ""] + [f"- {md_text(w)}" for w in doc["warnings"]] + [""]
    return "\n".join(lines)


def _usage(usage: dict[str, Any] | None) -> list[str]:
    if usage is None:
        return []
    lines = _section(
        "Consumer lag (messages behind the committed offsets)",
        len(usage["lag"]),
        ["group", "topic", "lag", "partitions committed"],
        [
            [
                md_code(x["group"]),
                md_code(x["topic"]),
                str(int(x["lag"])),
                f"{int(x['partitions'])} of {int(x['of'])}",
            ]
            for x in usage["lag"]
        ],
    )
    for title, key in (("Topics nobody consumes", "unconsumed_topics"), ("Empty topics", "empty_topics")):
        lines += _section(title, len(usage[key]), ["topic"], [[md_code(t)] for t in usage[key]])
    retire = usage.get("retire_candidates", [])
    lines += _section(
        "Candidates to retire (no consumer group, no write within ownership.retire_after)",
        len(retire),
        ["topic", "last write", "on disk"],
        [
            [md_code(r["topic"]), md_text(r["last_write"] or "none retained"), md_text(size(r["bytes"]))]
            for r in retire
        ],
    )
    return lines


def _tables(tables: list[dict[str, Any]]) -> list[str]:
    """The tables kinds lend the audit, as they are (kgov/kinds/base.py AuditTable)."""
    lines: list[str] = []
    for t in tables:
        rows = [[md_text(str(cell)) for cell in row] for row in t["rows"]]
        section = _section(md_text(t["title"]), len(rows), [md_text(c) for c in t["columns"]], rows)
        if section and t.get("note"):
            section[2:2] = [md_text(t["note"]), ""]
        lines += section
    return lines
