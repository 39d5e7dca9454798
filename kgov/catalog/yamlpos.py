"""YAML → plain Python values plus the file:line:col of every node; duplicate keys rejected.

PyYAML silently keeps the last of two equal keys; a catalog must not. We read libyaml's event stream
(its parser keeps an explicit stack, so no input can overflow the C stack, unlike its composer) and
build the values ourselves in one pass, recording positions as we go. Pathological input is refused
with a clear problem instead of exhausting time or memory: files over MAX_FILE_BYTES, nesting deeper
than MAX_DEPTH, and aliases that expand to more than MAX_ALIAS_NODES nodes ("billion laughs").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from kgov.sanitize import excerpt
from kgov.secrets import SECRET_FIELDS

Path_ = tuple[str | int, ...]

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Guards against pathological input: a catalog file is small; anything bigger is a mistake.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
MAX_ALIAS_NODES = 100_000  # nodes that aliases may add by repeating anchored values

_STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_TAG_HINT = "catalog files hold plain mappings, lists and values; remove the tag"
_COLLECTION_TAGS = (None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
_PLAIN = (str, int, float, bool, type(None))
# First characters for which PyYAML has an implicit resolver (bool, int, float, null, timestamp, …;
# '' is the empty scalar): a plain scalar starting otherwise is a string.
_RESOLVABLE = frozenset(_Loader.yaml_implicit_resolvers)


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
    check_size(len(raw))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise YamlProblem(
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})", line, col, "save the file as UTF-8"
        ) from None


def check_size(size: int) -> None:
    """Refuse a file over MAX_FILE_BYTES (call with its size before reading it)."""
    if size > MAX_FILE_BYTES:
        raise YamlProblem(
            f"file is {size / 1024 / 1024:.1f} MiB; catalog files are limited to "
            f"{MAX_FILE_BYTES // 1024 // 1024} MiB",
            1,
            1,
            "split it into one file per service",
        )


def parse(text: str) -> YamlDoc:
    """Parse one YAML document; raise YamlProblem with a position on any error."""
    loader = _Loader(text)
    try:
        return _Builder(loader).document()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        lines = text.splitlines()
        bad_line = lines[line - 1] if 0 < line <= len(lines) else ""
        hint = (
            "YAML indents with spaces, never tabs"
            if "\t" in bad_line
            else "check the quotes, brackets and indentation at and just before this position"
        )
        # PyYAML quotes the offending characters: keep a short printable excerpt, never more.
        raise YamlProblem(f"invalid YAML: {excerpt(message, 200)}", line, col, hint) from None
    except yaml.reader.ReaderError:  # a character YAML does not allow; libyaml gives only its offset
        raise _unprintable(text) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(
            f"invalid YAML: {excerpt(str(exc), 200)}", 1, 1, "check the file's YAML syntax"
        ) from None
    finally:
        loader.dispose()


# What YAML 1.1 lets a file hold (PyYAML's reader refuses the rest): tab, line breaks, printable text.
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _unprintable(text: str) -> YamlProblem:
    """The problem of a character YAML refuses, at its line and column (never the character itself)."""
    found = _NOT_PRINTABLE.search(text)
    if found is None:  # pragma: no cover - libyaml refuses only what the class above excludes
        return YamlProblem("invalid YAML: a character YAML does not allow", 1, 1, "save it as plain text")
    at = found.start()
    line_start = text.rfind("\n", 0, at) + 1
    return YamlProblem(
        f"invalid YAML: non-printable character U+{ord(found.group()):04X} is not allowed",
        text.count("\n", 0, at) + 1,
        at - line_start + 1,
        "remove it: YAML allows only printable characters, tabs and line breaks",
    )


def _short(tag: str) -> str:
    """'!!int' for 'tag:yaml.org,2002:int'."""
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def _tag_shown(tag: str, path: Path_) -> str:
    """How an unsupported tag is named: up to its first ':' ('!!python/name', not what follows, which
    is value text), and not at all on a secret field (`password: !!python/name:<secret>`)."""
    if path and path[-1] in SECRET_FIELDS:
        return "(not shown: the field holds a secret)"
    return f"'{excerpt(_short(tag).split(':', 1)[0], 40)}'"


def _here(event: Any) -> tuple[int, int]:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1)


class _Open:
    """A mapping or sequence being built."""

    __slots__ = ("anchor", "key", "merges", "path", "seen", "start_count", "value")

    def __init__(self, value: dict[str, Any] | list[Any], path: Path_, anchor: str | None, count: int):
        self.value = value
        self.path = path
        self.anchor = anchor
        self.start_count = count
        self.key: str | None = None  # mappings: the key whose value comes next
        self.seen: dict[str, tuple[int, int]] = {}
        self.merges: list[Any] = []


_MERGE_TAG = "tag:yaml.org,2002:merge"
# The merge key, told apart from a literal key "<<" (quoted '<<' or !!str <<: an ordinary key, as in
# PyYAML and every other reader). An object, so no key text can ever equal it.
_MERGE: Any = object()
_KEY_HINT = "write each key as a plain name (quote it if it holds special characters)"


class _Builder:
    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.positions: dict[Path_, tuple[int, int]] = {(): (1, 1)}
        self.anchors: dict[str, tuple[Any, int]] = {}  # anchor -> (value, expanded node count)
        self.stack: list[_Open] = []
        self.nodes = 0  # nodes built, counting each alias as the nodes it repeats
        self.alias_nodes = 0

    def document(self) -> YamlDoc:
        get = self.loader.get_event
        event = get()  # StreamStart
        event = get()
        if isinstance(event, yaml.StreamEndEvent):
            return YamlDoc(None, self.positions)
        data = self._node()
        get()  # DocumentEnd
        event = get()
        if not isinstance(event, yaml.StreamEndEvent):
            line, col = _here(event)
            raise YamlProblem(
                "invalid YAML: a catalog file holds one document, found another (---)",
                line,
                col,
                "remove the '---' and what follows, or move it to a file of its own",
            )
        return YamlDoc(data, self.positions)

    def _node(self) -> Any:
        """Build the document's root node from the event stream, iteratively."""
        get = self.loader.get_event
        stack = self.stack
        while True:
            event = get()
            cls = type(event)
            if cls is yaml.MappingEndEvent or cls is yaml.SequenceEndEvent:
                done = stack.pop()
                if isinstance(done.value, dict) and done.merges:
                    self._merge(done, done.value)
                value: Any = done.value
                size = self.nodes - done.start_count
                if done.anchor is not None:
                    self.anchors[done.anchor] = (value, size)
            else:
                path = self._slot(event)
                if path is None:  # a mapping key was read
                    continue
                if cls is yaml.ScalarEvent:
                    self.nodes += 1
                    value = self._scalar(event, path)
                    if event.anchor is not None:
                        self.anchors[event.anchor] = (value, 1)
                elif cls is yaml.AliasEvent:
                    value = self._alias(event)
                else:  # MappingStart or SequenceStart
                    if len(stack) >= MAX_DEPTH:
                        raise YamlProblem(
                            f"YAML nests more than {MAX_DEPTH} levels deep",
                            *_here(event),
                            "catalog files need a few levels only; check for unclosed brackets",
                        )
                    if event.tag not in _COLLECTION_TAGS:
                        raise YamlProblem(
                            f"invalid YAML: unsupported tag {_tag_shown(str(event.tag), path)}",
                            *_here(event),
                            _TAG_HINT,
                        )
                    self.nodes += 1
                    container: dict[str, Any] | list[Any] = {} if cls is yaml.MappingStartEvent else []
                    stack.append(_Open(container, path, event.anchor, self.nodes - 1))
                    continue
            if not stack:
                return value
            parent = stack[-1]
            if isinstance(parent.value, list):
                parent.value.append(value)
            elif parent.key is _MERGE:
                parent.merges.append(value)
                parent.key = None
            else:
                parent.value[parent.key] = value  # type: ignore[index]
                parent.key = None

    def _slot(self, event: Any) -> Path_ | None:
        """The path of the node that `event` starts; None if it was a mapping key (now recorded)."""
        if not self.stack:
            return ()
        parent = self.stack[-1]
        if isinstance(parent.value, list):
            path = (*parent.path, len(parent.value))
            self.positions[path] = _here(event)
            return path
        if parent.key is not None:
            return (*parent.path, parent.key)
        where = _here(event)
        if isinstance(event, yaml.AliasEvent) and event.anchor in self.anchors:
            raw = self.anchors[event.anchor][0]
            if not isinstance(raw, _PLAIN):
                raise YamlProblem(
                    "a mapping key must be a plain value, not a list or mapping", *where, _KEY_HINT
                )
            key = str(raw)
        elif not isinstance(event, yaml.ScalarEvent):
            raise YamlProblem("a mapping key must be a plain value, not a list or mapping", *where, _KEY_HINT)
        else:
            key = str(event.value)
            # YAML 1.1 as PyYAML reads it: a merge is the plain `<<` (untagged or `!`) or a key tagged
            # !!merge; a quoted '<<' is an ordinary key (an unknown field in any catalog file).
            plain = event.tag in (None, "!") and event.implicit[0]
            if event.tag == _MERGE_TAG or (plain and key == "<<"):
                parent.key = _MERGE
                return None
        if key in parent.seen:
            raise YamlProblem(
                f"duplicate key '{excerpt(key)}' (first defined at line {parent.seen[key][0]})",
                *where,
                hint="YAML keeps only one of them; remove or rename one",
            )
        parent.seen[key] = where
        self.positions[(*parent.path, key)] = where
        parent.key = key
        return None

    def _scalar(self, event: Any, path: Path_) -> Any:
        tag = event.tag
        implicit = tag is None or tag == "!"
        if implicit:
            text = event.value
            if not event.implicit[0]:
                return text  # quoted: always a string
            if text[:1] not in _RESOLVABLE:  # most names and words: no implicit type starts so
                return text
            tag = self.loader.resolve(yaml.ScalarNode, text, (True, False))
            plain_decimal = len(text) < 19 and text.isascii() and text.isdigit() and text[0] != "0"
            if tag == _INT_TAG and (plain_decimal or text == "0"):
                return int(text)  # plain decimal: what PyYAML's constructor gives, without its detour
        if tag == _STR_TAG or (implicit and tag == _TIMESTAMP_TAG):
            return event.value  # a date is not a catalog value: its text (2024-02-30 included)
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        if tag not in self.loader.yaml_constructors:  # !!python/… and other unknown tags
            raise YamlProblem(
                f"invalid YAML: unsupported tag {_tag_shown(tag, path)}", *_here(event), _TAG_HINT
            )
        try:
            value = self.loader.construct_object(node)
        except Exception:  # PyYAML's constructors raise anything on bad text (ValueError, AttributeError…)
            # Never quote the value: it may be a secret (`password: !!int <secret>`).
            if implicit and tag == _INT_TAG:
                raise YamlProblem(
                    f"invalid YAML: a number of {len(event.value)} characters (at most 4300 digits)",
                    *_here(event),
                    "quote it if it is meant as text",
                ) from None
            raise YamlProblem(
                f"invalid YAML: the value (not shown) is not a valid {excerpt(_short(tag))}",
                *_here(event),
                _TAG_HINT,
            ) from None
        # Other exotic scalars (!!binary, …) are not catalog values either; keep their text.
        return value if isinstance(value, _PLAIN) else str(event.value)

    def _alias(self, event: Any) -> Any:
        found = self.anchors.get(event.anchor)
        if found is None:
            raise YamlProblem(
                f"invalid YAML: unknown alias '*{excerpt(str(event.anchor))}'",
                *_here(event),
                "define the anchor (&name) before using it (*name); an anchor cannot contain itself",
            )
        value, size = found
        self.nodes += size
        self.alias_nodes += size
        if self.alias_nodes > MAX_ALIAS_NODES:
            raise YamlProblem(
                f"YAML aliases repeat more than {MAX_ALIAS_NODES} nodes (an alias bomb?)",
                *_here(event),
                "write the values out instead of repeating anchors (&name / *name)",
            )
        return value

    def _merge(self, done: _Open, mapping: dict[str, Any]) -> None:
        """`<<: *base` (or a list of them): keys not set explicitly come from the merged mappings."""
        merged: dict[str, Any] = {}
        for item in done.merges:
            for source in item if isinstance(item, list) else [item]:
                if not isinstance(source, dict):
                    line, col = self.positions.get(done.path, (1, 1))
                    raise YamlProblem(
                        "invalid YAML: '<<' merges only mappings", line, col, "merge a mapping: <<: *name"
                    )
                for key, value in source.items():
                    merged.setdefault(key, value)
        for key, value in merged.items():
            mapping.setdefault(key, value)
