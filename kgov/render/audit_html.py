"""An audit (its JSON) as ONE self-contained HTML file: no CDN, no network, opens from disk.

Inline CSS, the graph as inline SVG, and a few lines of inline JavaScript that filter, sort and
page the tables (100 rows a page), so 10,000 topics stay light. Every value is HTML-escaped here;
the script only moves rows, it never builds markup from data."""

from __future__ import annotations

from functools import lru_cache
from html import escape
from typing import Any

from kgov.render.audit_svg import render_svg
from kgov.render.escape import visible
from kgov.render.sizes import size

MAX_CELLS = 20_000  # matrix rows; the rest is in `--format json`
MAX_ROWS = 5_000  # rows of the other tables
MAX_LABELS = 3  # bindings shown per matrix cell

CSS = """
body{font:14px system-ui,sans-serif;margin:20px;color:#1a202c}h1{font-size:20px}
h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #cbd5e0;padding:3px 7px;text-align:left;
vertical-align:top}th{background:#edf2f7;cursor:pointer;user-select:none}
.sum td{font-size:18px;text-align:center}
.no{color:#c53030}code,.t td{font:12px monospace}
#matrix td:nth-child(n+3){text-align:center;color:#2f855a;font-weight:bold}
#matrix td:last-child{text-align:left;color:inherit;font-weight:normal}
.bar input{width:280px;padding:3px}.bar button{margin-left:6px}.note{color:#718096}
#flow .h{font-weight:bold;font-size:13px}#flow text{font-size:11px;font-family:monospace}
#flow path{fill:none;stroke-width:1.2;opacity:.7}#flow rect{stroke:#4a5568;stroke-width:.6}
.graph{overflow:auto;max-height:900px;border:1px solid #e2e8f0}
"""

JS = """
document.querySelectorAll('table.t').forEach(function(t){
  var body=t.tBodies[0], rows=Array.from(body.rows), shown=rows, page=0, per=100, dir={};
  var bar=document.createElement('div'); bar.className='bar';
  var q=document.createElement('input'); q.placeholder='filter…'; q.type='search';
  var prev=document.createElement('button'); prev.textContent='\u2039 prev';
  var next=document.createElement('button'); next.textContent='next \u203a';
  var info=document.createElement('span'); info.className='note';
  bar.append(q,prev,next,' ',info); t.before(bar);
  function draw(){var n=Math.max(1,Math.ceil(shown.length/per)); page=Math.min(page,n-1);
    body.replaceChildren.apply(body,shown.slice(page*per,(page+1)*per));
    info.textContent=' '+shown.length+' of '+rows.length+' rows, page '+(page+1)+' of '+n;}
  q.oninput=function(){var s=q.value.toLowerCase();
    shown=rows.filter(function(r){return r.textContent.toLowerCase().indexOf(s)>=0;}); page=0; draw();};
  prev.onclick=function(){page=Math.max(0,page-1); draw();};
  next.onclick=function(){page=page+1; draw();};
  Array.from(t.tHead.rows[0].cells).forEach(function(th,i){th.onclick=function(){
    var d=dir[i]=-(dir[i]||-1);
    shown.sort(function(a,b){return d*a.cells[i].textContent.localeCompare(b.cells[i].textContent,
      undefined,{numeric:true});}); page=0; draw();};});
  draw();
});
"""


def _e(value: object) -> str:
    if type(value) is str:
        return _e_text(value)
    return escape(visible(value), quote=True)


@lru_cache(maxsize=65536)  # the names of a large cluster's report repeat in every row and column
def _e_text(text: str) -> str:
    return escape(visible(text), quote=True)


def _table(tid: str, header: list[str], rows: list[list[str]], total: int) -> list[str]:
    """`rows` cells are already escaped HTML."""
    out = [f'<table class="t" id="{tid}"><thead><tr>' + "".join(f"<th>{h}</th>" for h in header)]
    out.append("</tr></thead><tbody>")
    out += ["<tr><td>" + "<td>".join(r) for r in rows]  # end tags are implied: 10,000s of rows stay small
    out.append("</tbody></table>")
    if total > len(rows):
        out.append(f'<p class="note">{total - len(rows)} more rows left out: see --format json.</p>')
    return out


def _tick(cell: dict[str, Any], right: str) -> str:
    if cell["rights"][right]:
        return "✓"
    return '<b class="no">denied</b>' if right in cell["denied"] else ""


def _grants(cell: dict[str, Any]) -> str:
    labels = sorted({label for labels in cell["grants"].values() for label in labels})
    denied = sorted({label for labels in cell["denied"].values() for label in labels})
    shown = [_e(x) for x in labels[:MAX_LABELS]]
    shown += [f"denied by {_e(x)}" for x in denied[:MAX_LABELS]]
    more = len(labels) + len(denied) - len(shown)
    return "<br>".join(shown) + (f" (+{more})" if more > 0 else "")


def render(doc: dict[str, Any]) -> str:
    s = doc["summary"]
    env = _e(doc["environment"])
    where = (
        "the catalog alone (derived bindings, no cluster)" if doc["source"] == "catalog" else "the cluster"
    )
    svg, hidden = render_svg(doc["data_flow"])
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">",
        f"<title>kgov audit: {env}</title><style>{CSS}</style></head><body>",
        f"<h1>kgov audit of <code>{env}</code></h1>",
        f'<p class="note">Read from {where} at {_e(doc["created_at"])}'
        f" by kgov {_e(doc['kgov_version'])}.</p>",
        '<table class="sum"><tr><th>drift</th><th>unmanaged</th><th>policy violations</th><th>principals</th>'
        "<th>topics</th><th>access cells</th></tr><tr>"
        + "".join(
            f"<td>{int(s[k])}</td>"
            for k in ("drift", "unmanaged", "violations", "principals", "topics", "cells")
        )
        + "</tr></table>",
        "<h2>Data flow</h2>",
        '<p class="note">Blue: produces; green: consumes; grey: consumer group the consumer may use.'
        + (f" {hidden} nodes beyond {250} per column are left out; the tables hold all." if hidden else "")
        + "</p>",
        f'<div class="graph">{svg}</div>',
    ]
    cells = doc["access_matrix"]["cells"]
    parts += ["<h2>Access matrix</h2>"]
    parts += _table(
        "matrix",
        ["principal", "topic", "produce", "consume", "admin", "granted by"],
        [
            [_e(c["principal"]), _e(c["topic"])]
            + [_tick(c, r) for r in ("produce", "consume", "admin")]
            + [_grants(c)]
            for c in cells[:MAX_CELLS]
        ],
        len(cells),
    )
    for title, tid, header, rows in _sections(doc):
        parts += [f"<h2>{title} ({len(rows)})</h2>"]
        parts += _table(tid, header, rows[:MAX_ROWS], len(rows)) if rows else ['<p class="note">none</p>']
    for i, t in enumerate(doc.get("tables") or []):  # lent by kinds (kgov/kinds/tables.py), escaped
        rows = [[_e(str(cell)) for cell in row] for row in t["rows"]]
        parts += [f"<h2>{_e(t['title'])} ({len(rows)})</h2>"]
        parts += [f'<p class="note">{_e(t["note"])}</p>'] if t.get("note") else []
        parts += _table(f"table-{i}", [_e(c) for c in t["columns"]], rows[:MAX_ROWS], len(rows))
    if doc["warnings"]:
        parts += ["<h2>Warnings</h2><ul>"] + [f"<li>{_e(w)}</li>" for w in doc["warnings"]] + ["</ul>"]
    parts += [f"<script>{JS}</script></body></html>", ""]
    return "\n".join(parts)


def _usage(usage: dict[str, Any] | None) -> list[tuple[str, str, list[str], list[list[str]]]]:
    if usage is None:
        return []
    return [
        (
            "Consumer lag",
            "lag",
            ["group", "topic", "lag", "partitions committed"],
            [
                [
                    _e(x["group"]),
                    _e(x["topic"]),
                    str(int(x["lag"])),
                    f"{int(x['partitions'])} of {int(x['of'])}",
                ]
                for x in usage["lag"]
            ],
        ),
        ("Topics nobody consumes", "unconsumed", ["topic"], [[_e(t)] for t in usage["unconsumed_topics"]]),
        ("Empty topics", "empty", ["topic"], [[_e(t)] for t in usage["empty_topics"]]),
        (
            "Candidates to retire (no consumer group, no write within ownership.retire_after)",
            "retire",
            ["topic", "last write", "on disk"],
            [
                [_e(r["topic"]), _e(r["last_write"] or "none retained"), _e(size(r["bytes"]))]
                for r in usage.get("retire_candidates", [])
            ],
        ),
    ]


def _sections(doc: dict[str, Any]) -> list[tuple[str, str, list[str], list[list[str]]]]:
    names = {n["id"]: n["name"] for n in doc["data_flow"]["nodes"]}
    sections = [
        (
            "Drift: what kgov plan would change",
            "drift",
            ["action", "kind", "resource", "fields"],
            [
                [
                    _e(e["action"]),
                    _e(e["kind"]),
                    _e(e.get("label") or e["name"]),
                    ", ".join(_e(c["field"]) for c in e["changes"][:10]),
                ]
                for e in doc["drift"]
            ],
        ),
        (
            "Unmanaged resources",
            "unmanaged",
            ["kind", "resource"],
            [[_e(u["kind"]), _e(u["label"])] for u in doc["unmanaged"]],
        ),
        (
            "Policy violations",
            "violations",
            ["rule", "resource", "finding", "severity", "what to do"],
            [
                [
                    _e(v["rule"]),
                    _e(v["name"]),
                    _e(v["message"]),
                    _e(v.get("severity", "error")),
                    _e(v.get("hint") or ""),
                ]
                for v in doc["violations"]
            ],
        ),
        (
            "Data-flow edges",
            "edges",
            ["from", "relation", "to"],
            [
                [
                    _e(names[e["source"]]),
                    _e(e["relation"]),
                    _e(names[e["target"]]),
                ]
                for e in doc["data_flow"]["edges"]
            ],
        ),
    ]
    sections.extend(_usage(doc.get("usage")))
    return sections
