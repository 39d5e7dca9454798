"""The data-flow graph as inline SVG: a deterministic layered layout, producers on the left, topics
in the middle, consumers and their consumer groups on the right. Names are cleaned (control, bidi
and line-break characters shown as escapes: kgov.render.escape.visible) and XML-escaped; long ones
are shortened on the box and given whole in its tooltip."""

from __future__ import annotations

from html import escape
from typing import Any

from kgov.render.escape import visible

MAX_PER_COLUMN = 250  # beyond this the graph shows the first ones (sorted); the tables hold all
COL_X = (10, 320, 630, 940)
BOX_W, BOX_H, ROW = 240, 20, 26
TOP = 34
HEADINGS = ("producers", "topics", "consumers", "consumer groups")
COLOURS = {"produces": "#2b6cb0", "consumes": "#2f855a", "uses": "#a0aec0"}
FILL = {"principal": "#ebf4ff", "topic": "#fefcbf", "group": "#edf2f7"}
MAX_LABEL = 34


def _short(name: str) -> str:
    return name if len(name) <= MAX_LABEL else name[: MAX_LABEL - 1] + "…"


def _columns(graph: dict[str, Any]) -> list[list[str]]:
    kinds = {n["id"]: n["kind"] for n in graph["nodes"]}
    cols: list[set[str]] = [set(), set(), set(), set()]
    for e in graph["edges"]:
        if e["relation"] == "produces":
            cols[0].add(e["source"])
            cols[1].add(e["target"])
        elif e["relation"] == "consumes":
            cols[1].add(e["source"])
            cols[2].add(e["target"])
        else:
            cols[2].add(e["source"])
            cols[3].add(e["target"])
    cols[1] |= {i for i, k in kinds.items() if k == "topic"}
    return [sorted(c) for c in cols]


def render_svg(graph: dict[str, Any]) -> tuple[str, int]:
    """The SVG, and how many nodes were left out (0 when the whole graph fits)."""
    names = {n["id"]: n["name"] for n in graph["nodes"]}
    kinds = {n["id"]: n["kind"] for n in graph["nodes"]}
    cols = _columns(graph)
    hidden = sum(max(0, len(c) - MAX_PER_COLUMN) for c in cols)
    cols = [c[:MAX_PER_COLUMN] for c in cols]
    tallest = max([len(c) for c in cols] + [1])
    pos: list[dict[str, float]] = []
    for col in cols:
        offset = (tallest - len(col)) * ROW / 2
        pos.append({node: TOP + offset + i * ROW for i, node in enumerate(col)})
    height = int(TOP + tallest * ROW + 10)
    width = COL_X[-1] + BOX_W + 10
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="flow" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="data-flow graph">'
    ]
    out += [f'<text x="{x}" y="18" class="h">{h}</text>' for x, h in zip(COL_X, HEADINGS, strict=True)]
    links = {"produces": (0, 1), "consumes": (1, 2), "uses": (2, 3)}
    for e in graph["edges"]:
        a, b = links[e["relation"]]
        y1, y2 = pos[a].get(e["source"]), pos[b].get(e["target"])
        if y1 is None or y2 is None:
            continue
        x1, x2 = COL_X[a] + BOX_W, COL_X[b]
        mid = (x1 + x2) / 2
        y1, y2 = y1 + BOX_H / 2, y2 + BOX_H / 2
        out.append(
            f'<path d="M{x1} {y1:g} C{mid:g} {y1:g} {mid:g} {y2:g} {x2} {y2:g}" '
            f'stroke="{COLOURS[e["relation"]]}" class="e {escape(e["relation"])}"/>'
        )
    for c, col in enumerate(cols):
        for node in col:
            name, y = visible(names[node]), pos[c][node]  # a newline or U+202E would mislead the reader
            out.append(
                f'<g class="n {kinds[node]}"><title>{escape(kinds[node])} {escape(name)}</title>'
                f'<rect x="{COL_X[c]}" y="{y:g}" width="{BOX_W}" height="{BOX_H}" rx="4" '
                f'fill="{FILL[kinds[node]]}"/>'
                f'<text x="{COL_X[c] + 6}" y="{y + 14:g}">{escape(_short(name))}</text></g>'
            )
    out.append("</svg>")
    return "".join(out), hidden
