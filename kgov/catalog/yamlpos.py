"""YAML → plain Python values plus the file:line:col of every node; duplicate keys rejected.

PyYAML silently keeps the last of two equal keys; a catalog must not, so we compose the node tree
(libyaml when available, for speed) and build the values ourselves, recording positions as we go.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

Path_ = tuple[str | int, ...]

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Guards against pathological input: a catalog file is small; anything bigger is a mistake.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64


@dataclass(frozen=True)
class YamlProblem(Exception):
    message: str
    line: int
    col: int
    hint: str | None = None


@dataclass(frozen=True)
class YamlDoc:
    """The values of one YAML file and where each came from (1-based line/column)."""

    data: Any
    positions: Mapping[Path_, tuple[int, int]]

    def pos(self, path: Path_) -> tuple[int, int]:
        """Position of the node at `path`, or of its nearest ancestor that has one."""
        while path:
            found = self.positions.get(path)
            if found is not None:
                return found
            path = path[:-1]
        return self.positions.get((), (1, 1))


def decode(raw: bytes) -> str:
    """UTF-8 text of a file, or a YamlProblem pointing at the first bad byte."""
    if len(raw) > MAX_FILE_BYTES:
        raise YamlProblem(
            f"file is {len(raw) / 1024 / 1024:.1f} MiB; catalog files are limited to "
            f"{MAX_FILE_BYTES // 1024 // 1024} MiB",
            1,
            1,
            "split it into one file per service",
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise YamlProblem(
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})", line, col, "save the file as UTF-8"
        ) from None


def parse(text: str) -> YamlDoc:
    """Parse one YAML document; raise YamlProblem with a position on any error."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        positions: dict[Path_, tuple[int, int]] = {(): (1, 1)}
        data = None if node is None else _build(loader, node, (), positions, 0)
        return YamlDoc(data, positions)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        lines = text.splitlines()
        bad_line = lines[line - 1] if 0 < line <= len(lines) else ""
        hint = "YAML indents with spaces, never tabs" if "\t" in bad_line else None
        raise YamlProblem(f"invalid YAML: {message}", line, col, hint) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"invalid YAML: {exc}", 1, 1) from None
    except RecursionError:
        raise YamlProblem("YAML nests too deeply", 1, 1) from None
    finally:
        loader.dispose()


def _here(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _build(
    loader: Any, node: yaml.Node, path: Path_, positions: dict[Path_, tuple[int, int]], depth: int
) -> Any:
    if depth > MAX_DEPTH:
        line, col = _here(node)
        raise YamlProblem(f"YAML nests more than {MAX_DEPTH} levels deep", line, col)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolves `<<` merge keys
        out: dict[str, Any] = {}
        seen: dict[str, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                line, col = _here(key_node)
                raise YamlProblem("a mapping key must be a plain value, not a list or mapping", line, col)
            key = str(key_node.value)
            where = _here(key_node)
            if key in seen:
                raise YamlProblem(
                    f"duplicate key '{key}' (first defined at line {seen[key][0]})",
                    *where,
                    hint="YAML keeps only one of them; remove or rename one",
                )
            seen[key] = where
            positions[(*path, key)] = where
            out[key] = _build(loader, value_node, (*path, key), positions, depth + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            positions[(*path, index)] = _here(item)
            items.append(_build(loader, item, (*path, index), positions, depth + 1))
        return items
    value = loader.construct_object(node)
    # Dates and other exotic scalars are not catalog values; keep their text.
    if not isinstance(value, str | int | float | bool | type(None)):
        return str(node.value)
    return value
