"""Lint diagnostics as SARIF 2.1.0 (code scanning): the rules from the registry, one result each."""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import quote

from kgov import __version__
from kgov.diagnostics import Severity
from kgov.policy.registry import Rule, rules
from kgov.policy.report import Report, hint, message, relative

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning"}


def _rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.split("-")),
        "shortDescription": {"text": rule.name},
        "fullDescription": {"text": rule.message},
        "help": {
            "text": f"{rule.doc}\n\nFix: {rule.hint}",
            "markdown": f"{rule.doc}\n\n**Fix:** {rule.hint}",
        },
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"tags": ["kafka", rule.family]},
    }


def _artifact(file: str) -> dict[str, str]:
    path = relative(file, raw=True)
    # Percent-encode the name's bytes: a non-UTF-8 file name becomes a valid URI (%FF), not a crash.
    uri = quote(os.fsencode(path))
    if path.startswith("/"):  # outside the working directory: an absolute file URI
        return {"uri": "file://" + uri}
    return {"uri": uri, "uriBaseId": "%SRCROOT%"}


def render(report: Report) -> str:
    registry = (*rules(), *report.custom_rules)
    index = {r.id: i for i, r in enumerate(registry)}
    results = []
    for d in report.diagnostics:
        text = message(d) + (f" (hint: {hint(d)})" if d.hint else "")
        result: dict[str, Any] = {
            "ruleId": d.rule,
            "level": _LEVEL[d.severity],
            "message": {"text": text},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": _artifact(d.location.file),
                        "region": {"startLine": d.location.line, "startColumn": d.location.col},
                    }
                }
            ],
        }
        if d.rule in index:
            result["ruleIndex"] = index[d.rule]
        results.append(result)
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "kgov",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_rule(r) for r in registry],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
