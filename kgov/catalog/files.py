"""Reading catalog files: the files of a resource folder, each read whole, bounded, and only if it is
a regular file inside the catalog folder.

A whole load is bounded too (`ReadBudget`): at most MAX_FILES files and MAX_TOTAL_BYTES bytes over
all of them (a 10,000-topic catalog with its schemas is 4.4 MiB in 10,600 files); past that, files
are refused unread, the first with a diagnostic and the rest counted in one.

A pull request can add anything to a catalog: a symlink to a private key, a FIFO, a device. Such a
name is refused unread (a diagnostic at line 1), so no message can ever quote what lies outside.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from operator import attrgetter
from pathlib import Path

from kgov.catalog.yamlpos import MAX_FILE_BYTES, YamlProblem, check_size, decode
from kgov.diagnostics import Diagnostic, Location, Severity
from kgov.readfile import Unreadable, read_regular
from kgov.sanitize import printable

RULE_YAML = "yaml"
RULE_FILES = "files"

SETTINGS_FILE = "kgov.yaml"
YAML_SUFFIXES = (".yaml", ".yml")
SCHEMA_SUFFIXES = {".avsc": "avro", ".json": "json"}

MAX_FILES = 50_000  # as kgov reads a catalog at a git ref (kgov/gitref.py)
MAX_TOTAL_BYTES = 32 * 1024 * 1024
_OVER_LIMIT_HINT = "a catalog this big is a mistake; split it into catalogs of one team or cluster each"


@dataclass(frozen=True)
class Refused(Exception):
    """A catalog file that is not read: the diagnostic says why (None: counted in ReadBudget.left_out)."""

    diagnostic: Diagnostic | None


class ReadBudget:
    """What one load of a catalog may still read: files and bytes over all its files."""

    __slots__ = ("_roots", "_texts", "bytes", "files", "left_out")

    def __init__(self) -> None:
        self.files, self.bytes = MAX_FILES, MAX_TOTAL_BYTES
        self.left_out = 0  # files refused after the first, which has the diagnostic
        self._roots: dict[Path, Path] = {}
        self._texts: dict[str, str] = {}

    def resolved(self, root: Path) -> Path:
        """A folder's real path (the catalog's, a resource folder's), resolved once per load."""
        found = self._roots.get(root)
        if found is None:
            found = self._roots[root] = root.resolve()
        return found

    def resolved_text(self, folder: str) -> str:
        """The text of `Path(folder).resolve()` (`""`: the current folder's), resolved once per load."""
        found = self._texts.get(folder)
        if found is None:
            found = self._texts[folder] = str(self.resolved(Path(folder)))
        return found

    def charge(self, path: Path, size: int) -> None:
        """Count a file about to be read; Refused if the load has read its fill."""
        if self.files > 0 and size <= self.bytes:
            self.files -= 1
            self.bytes -= size
            return
        self.files = self.bytes = 0  # nothing after the first refusal: the listing order decides
        self.left_out += 1
        if self.left_out > 1:
            raise Refused(None)
        raise Refused(
            files_error(
                path,
                f"not read: a catalog holds at most {MAX_FILES:,} files of {MAX_TOTAL_BYTES // 2**20} MiB "
                "in total",
                _OVER_LIMIT_HINT,
            )
        )

    def summary(self, root: Path) -> Diagnostic | None:
        """The diagnostic counting the files refused after the first, if any."""
        if self.left_out < 2:
            return None
        return files_error(root, f"and {self.left_out - 1} more catalog files not read", _OVER_LIMIT_HINT)


def files_error(path: Path | str, message: str, hint: str, severity: Severity = Severity.ERROR) -> Diagnostic:
    return Diagnostic(RULE_FILES, severity, message, Location(str(path)), hint)


# The sort key of one folder's entries: their Path order is their names' (parts compared in turn,
# the folder's equal), in C; Path.__lt__ was 120,000 Python calls for 10,000 schema files.
_NAME = attrgetter("name")


def _inside(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def list_files(folder: Path, root: Path, suffixes: Iterable[str], diags: list[Diagnostic]) -> list[Path]:
    """The files of one resource folder with the given suffixes, in name order.

    A name with the right suffix that is not a regular file (a folder, a broken symlink, a symlink
    loop) is an error: it was surely meant as a catalog file; `read_file` refuses the rest (FIFOs,
    devices, symlinks out of the catalog). Anything else is ignored with a warning.
    """
    if not os.path.lexists(folder):
        return []
    name = printable(folder.name)
    try:
        real = folder.resolve(strict=True)
    except (OSError, RuntimeError):
        diags.append(
            files_error(folder, f"{name} is a broken symlink or a symlink loop", f"{name}/ is a folder")
        )
        return []
    if not _inside(real, root.resolve()):
        diags.append(
            files_error(
                folder,
                f"{name} is a symlink to a folder outside the catalog folder; refused unread",
                f"keep {name}/ inside the catalog folder",
            )
        )
        return []
    if not real.is_dir():
        diags.append(files_error(folder, f"{name} is not a folder", f"{name}/ holds one file per service"))
        return []
    try:
        entries = list(islice(folder.iterdir(), MAX_FILES + 1))  # a million names are not sorted
        if len(entries) > MAX_FILES:
            diags.append(
                files_error(
                    folder, f"{name}/ holds more than {MAX_FILES:,} entries; none was read", _OVER_LIMIT_HINT
                )
            )
            return []
        entries.sort(key=_NAME)  # one folder's entries: in Path order (tested), without its slow __lt__
    except OSError as exc:
        diags.append(
            files_error(folder, f"cannot list {name}/: {exc.strerror}", "check the folder's permissions")
        )
        return []
    suffixes = tuple(suffixes)
    found = []
    for path in entries:
        if path.name.startswith("."):
            continue
        if path.suffix not in suffixes:
            diags.append(
                files_error(
                    path,
                    f"ignored: {name}/ holds only {' or '.join(suffixes)} files",
                    "move or rename it",
                    Severity.WARNING,
                )
            )
        elif path.is_dir():
            diags.append(
                files_error(
                    path,
                    f"{printable(path.name)} is a folder, not a file",
                    f"{name}/ holds one {suffixes[0]} file per service; rename or remove it",
                )
            )
        else:
            found.append(path)
    return found


def read_file(path: Path, root: Path, rule: str = RULE_YAML, budget: ReadBudget | None = None) -> str:
    """The UTF-8 text of a catalog file; Refused (with a diagnostic) when it cannot or must not be read.

    Only regular files whose real path lies inside the catalog folder are read (kgov/readfile.py:
    never through a symlink swapped in after the check, never blocking on a FIFO, at most
    MAX_FILE_BYTES).
    `rule`: the rule of a decoding problem (not UTF-8, too big).
    """
    file = str(path)
    try:
        real, size = _located(path, budget)
    except (OSError, RuntimeError):
        raise Refused(
            files_error(
                path,
                f"{printable(path.name)} is a broken symlink or a symlink loop, not a file",
                "point it at a file inside the catalog folder, or remove it",
            )
        ) from None
    if not _within(real, root, budget):
        raise Refused(
            files_error(
                path,
                "a symlink to a file outside the catalog folder; refused unread",
                "catalog files must lie inside the catalog folder: copy the file in instead of linking it",
            )
        )
    try:
        try:
            size = _stat_size(real) if size is None else size
            if budget is not None and size <= MAX_FILE_BYTES:  # a file over the limit is refused below
                budget.charge(path, size)  # before reading: a load past its fill reads nothing more
            return decode(read_regular(real, MAX_FILE_BYTES, follow_symlinks=False))
        except Unreadable as refused:
            if not refused.too_big:
                raise Refused(
                    files_error(path, refused.reason, "catalog files are plain, readable files")
                ) from None
            check_size(_size(real))  # worded as catalog files always were: the limit and the file's size
            raise
    except YamlProblem as problem:
        raise Refused(
            Diagnostic(
                rule, Severity.ERROR, problem.message, Location(file, problem.line, problem.col), problem.hint
            )
        ) from None


def _real_path(path: Path, budget: ReadBudget | None) -> Path | str:
    """`path.resolve(strict=True)`. In a load (`budget`), a file that is not a symlink is its
    folder's real path and its name, the folder resolved once per load: resolving each of 12,000
    files walked every folder of its path again. That one is given as the text of the Path (an
    absolute, resolved folder, a slash and a name): making 12,000 Paths, each parsed again, was a
    tenth of a plan's reading of its catalog."""
    return _located(path, budget)[0]


def _located(path: Path, budget: ReadBudget | None) -> tuple[Path | str, int | None]:
    """`_real_path`, and the file's size when its lstat was read for that (a file that is not a
    symlink: the lstat of its real path would be the same entry's, a second system call a file)."""
    if budget is not None:
        try:
            info: os.stat_result | None = os.lstat(path)
        except OSError:
            info = None
        name = path.name
        if info is not None and not stat.S_ISLNK(info.st_mode) and name not in ("", ".", ".."):
            folder = budget.resolved_text(os.path.dirname(str(path)))  # path.parent's, as text
            return (f"{folder}{name}" if folder.endswith("/") else f"{folder}/{name}"), info.st_size
    return path.resolve(strict=True), None


def _within(real: Path | str, root: Path, budget: ReadBudget | None) -> bool:
    """`_inside(real, <root's real path>)`. A text from _real_path is an absolute path without `.`,
    `..` or doubled slashes, as its root's real path: it is inside exactly when it is the root or
    starts with the root and a slash (Path compares the same parts)."""
    if isinstance(real, str) and budget is not None:
        top = budget.resolved_text(str(root))
        return real == top or real.startswith(top if top.endswith("/") else f"{top}/")
    return _inside(Path(real), root.resolve() if budget is None else budget.resolved(root))


def _stat_size(path: Path | str) -> int:
    try:
        return os.lstat(path).st_size
    except OSError:
        return 0  # read_regular says why it cannot be read


def _size(path: Path | str) -> int:
    try:
        return max(os.stat(path).st_size, MAX_FILE_BYTES + 1)
    except OSError:
        return MAX_FILE_BYTES + 1
