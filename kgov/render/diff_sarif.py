"""A review (`kgov diff`) as SARIF 2.1.0: one result per reason, at the catalog line it concerns.

breaking → error, attention → warning, safe → note; one rule per reason code.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from kgov import __version__
from kgov.policy.report import relative
from kgov.render.sarif import SARIF_SCHEMA

_LEVEL = {"breaking": "error", "attention": "warning", "safe": "note"}


def _artifact(file: str) -> dict[str, str]:
    path = relative(file)
    if path.startswith("/"):
        return {"uri": "file://" + quote(path)}
    return {"uri": quote(path), "uriBaseId": "%SRCROOT%"}


def render(doc: dict[str, Any]) -> str:
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for change in doc["changes"]:
        where = change["location"]
        for reason in change["reasons"]:
            code = f"diff/{reason['code']}"
            rules.setdefault(
                code,
                {
                    "id": code,
                    "shortDescription": {"text": reason["code"].replace("-", " ")},
                    "defaultConfiguration": {"level": _LEVEL[reason["class"]]},
                    "properties": {"tags": ["kafka", "diff", reason["class"]]},
                },
            )
            results.append(
                {
                    "ruleId": code,
                    "level": _LEVEL[reason["class"]],
                    "message": {"text": f"{change['address']}: {reason['message']}"},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": _artifact(where["file"]),
                                "region": {"startLine": where["line"], "startColumn": where["column"]},
                            }
                        }
                    ],
                    "partialFingerprints": {"kgovAddress": change["address"]},
                }
            )
    ordered = sorted(rules)
    for result in results:
        result["ruleIndex"] = ordered.index(result["ruleId"])
    run = {
        "tool": {
            "driver": {"name": "kgov-diff", "version": __version__, "rules": [rules[r] for r in ordered]}
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return (
        json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2, ensure_ascii=False)
        + "\n"
    )
