"""Lint diagnostics for machines: one versioned JSON object."""

from __future__ import annotations

import json

from kgov.policy.report import REPORT_VERSION, Report, hint, message, relative


def render(report: Report) -> str:
    diagnostics = []
    for d in report.diagnostics:
        item = d.to_json()
        item["file"] = relative(d.location.file)
        item["message"] = message(d)
        item["hint"] = hint(d)
        diagnostics.append(item)
    doc = {"version": REPORT_VERSION, "diagnostics": diagnostics, "summary": report.summary()}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
