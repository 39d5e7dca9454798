"""The result of a lint run, as every renderer sees it: diagnostics plus what was checked."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kgov.diagnostics import Diagnostic, Severity
from kgov.sanitize import excerpt, printable

if TYPE_CHECKING:
    from kgov.policy.registry import Rule

REPORT_VERSION = 1
MAX_MESSAGE_CHARS = 2000  # no message quotes a whole file, whatever a rule or library put in it


@dataclass(frozen=True)
class Report:
    diagnostics: tuple[Diagnostic, ...]
    topics: int = 0
    services: int = 0
    schemas: int = 0
    custom_rules: tuple[Rule, ...] = ()  # policy.custom_rules, for SARIF's rule list

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity is Severity.WARNING)

    @property
    def files(self) -> int:
        return len({d.location.file for d in self.diagnostics})

    def failed(self, strict: bool) -> bool:
        return self.errors > 0 or (strict and self.warnings > 0)

    def summary(self) -> dict[str, int]:
        return {
            "errors": self.errors,
            "warnings": self.warnings,
            "files": self.files,
            "topics": self.topics,
            "services": self.services,
            "schemas": self.schemas,
        }

    def summary_line(self) -> str:
        if not self.diagnostics:
            return (
                f"✓ catalog is clean ({_n(self.topics, 'topic')}, {_n(self.services, 'service')}, "
                f"{_n(self.schemas, 'schema')})"
            )
        return f"{_n(self.errors, 'error')}, {_n(self.warnings, 'warning')} in {_n(self.files, 'file')}"


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def relative(path: str, *, raw: bool = False) -> str:
    """A diagnostic's file relative to the working directory when it lies below it, with / separators.

    Printable unless `raw`: a file name with control characters or undecodable bytes shows them as
    escapes (so JSON and SARIF stay valid UTF-8 and a name cannot forge a terminal or workflow
    command). `raw` keeps them, for encoding as a URI."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        rel = path
    if rel.startswith(".."):
        rel = os.path.abspath(path)
    rel = rel.replace(os.sep, "/")
    return rel if raw else printable(rel)


def message(d: Diagnostic) -> str:
    """A diagnostic's message as every renderer shows it: printable and bounded."""
    return excerpt(d.message, MAX_MESSAGE_CHARS)


def hint(d: Diagnostic) -> str | None:
    return excerpt(d.hint, MAX_MESSAGE_CHARS) if d.hint is not None else None
