"""A fast reading of plain catalog YAML, used only where it gives exactly what yamlpos gives.

yamlpos builds values and positions from libyaml's event stream in Python: about 100 µs a topic,
a second for a 10,000-topic catalog, most of a pull request's plan. yaml-rs (a Rust YAML 1.2
parser) reads the same text in a twentieth of that. Positions are only needed to point at a
problem, so a file read here gets them later, from yamlpos, if ever asked (`LazyPositions`).

YAML 1.2 (yaml-rs) and YAML 1.1 (PyYAML, whose reading is the catalog's meaning) differ at the
edges: `yes`, `0755`, `1_000`, `1:30`, `1e3`, dates, merge keys, document markers. The fast
reading is taken only for text outside those edges, checked three times: the text holds none of
the characters that start them (`_unsure`), every value read is of a kind both agree on
(`_agreed`), and libyaml accepts the text (`_libyaml_accepts`). Anything else, errors included,
goes to yamlpos, which reports with a position.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import re2
import yaml

from kgov.catalog.yamlpos import MAX_DEPTH, Path_, YamlDoc, YamlProblem, parse

_loads: Callable[[str], Any] | None
_CParser: Any
try:  # an optional speed-up: without yaml-rs (or libyaml) every file takes the yamlpos path
    from yaml._yaml import CParser as _CParser  # libyaml's parser alone (yaml.CParser is not exported)
    from yaml_rs import loads as _loads
except ImportError:  # pragma: no cover - both ship wheels for the platforms kgov supports
    _loads = _CParser = None

# Where 1.1 and 1.2 (or yaml-rs's leniency) can part, found in the text:
# - a node starting with an anchor, alias or tag (&x *x !t), a directive (%), a merge key (<<),
#   a complex key (?), a plain scalar starting with : ? @ ` | > (yaml-rs reads some; libyaml refuses),
#   a document marker (--- ...), escapes in double quotes ("\\/");
# - any character PyYAML does not print (it refuses control characters; yaml-rs reads them), tabs,
#   \r, line breaks 1.1 knows and 1.2 does not (\x85 \u2028 \u2029), a byte-order mark;
# - a scalar starting with 0 and a digit, x, o, b or _ (octal, hex, binary), or with _: yaml-rs
#   reads `_1` as 1 (underscores inside numbers, `1_000`, both read alike);
# - nesting yaml-rs cannot take: it recurses once per level and overflows the C stack (the process
#   dies) at about 20,000 levels, a 40 KB file of "- - - …". Lines indented 200 or more and 16 or
#   more compact "- " on a line are left to yamlpos, which refuses more than MAX_DEPTH levels with a
#   message; flow brackets yaml-rs bounds itself (an error at 256).
# (`1:30`, `yes`, dates and floats are caught on the values read, in _agreed.)
#
# All but one are found in one pass of RE2 over the UTF-8 text (a DFA: 3 ms for a 10,000-topic
# catalog, where Python's re took 65 ms, trying its alternatives after every space). The classes are
# spelled as Python's re reads them: `_PY_SPACE` is what `\s` means in a Python str pattern, wider
# than RE2's ASCII `\s`. Block scalar headers (`|`, `>`) need a lookahead RE2 lacks: they are checked
# by Python's re, and only in a text holding one of those characters.
_PRINTED = "\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff"
_PY_SPACE = "\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_BEFORE_NODE = "\\[{,:"  # a node starts after a space or one of these (RE2 syntax: "\\[" is "[")


def _re2_class(ranges: str) -> str:
    """A Python character range list ("a-z…") in RE2's syntax, each code point as \\x{…}."""
    return "".join(
        "-".join(f"\\x{{{ord(c):x}}}" for c in part[::2]) if len(part) == 3 else f"\\x{{{ord(part):x}}}"
        for part in re.findall(r".-.|.", ranges, re.DOTALL)
    )


def _compile_unsure() -> Any:
    options = re2.Options()
    options.log_errors = False
    pattern = "|".join(
        (
            f"[^{_re2_class(_PRINTED)}]",
            f"[{_re2_class(_PY_SPACE)}{_BEFORE_NODE}](?:[&*!:?@`]|[+-]?0[0-9_oOxXbB]|[+-]?_)",
            "(?:- +){16}",
            "<<|\n---|\n\\.\\.\\.|\n%|\\? |\\?\n|\n {200}",
        )
    )
    return re2.compile(pattern.encode("utf-8"), options)


_UNSURE = _compile_unsure()
_UNSURE_BLOCK = re.compile(r"[|>](?<=[\s\[{,:][|>])(?![-+]?[0-9]?[-+]? *(?:#|\n|$))")


def _unsure(text: str) -> bool:
    """True if the text holds anything listed above."""
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: not a character PyYAML prints
        return True
    if _UNSURE.search(raw) is not None:
        return True
    return ("|" in text or ">" in text) and _UNSURE_BLOCK.search(text) is not None


_UNSURE_START = ("---", "...", "%", "?", "&", "*", "!", "0", "+", "-0", "_")
_MAX_INT = 10**18  # PyYAML refuses huge numbers with its own message: leave them to yamlpos
_STR_TAG = "tag:yaml.org,2002:str"
_RESOLVER = yaml.resolver.Resolver()  # the implicit types of PyYAML's safe loaders (YAML 1.1)
_RESOLVABLE = frozenset(_RESOLVER.yaml_implicit_resolvers)  # first characters of those types


def fast_values(text: str) -> tuple[bool, Any]:
    """(True, values) if yaml-rs read `text` to what yamlpos would; (False, None) otherwise."""
    if _loads is None or text.startswith(_UNSURE_START) or ('"' in text and "\\" in text) or _unsure(text):
        return False, None
    try:
        data = _loads(text)
    except Exception:  # any problem is reported by yamlpos, with its position
        return False, None
    return (True, data) if _agreed(data) and _libyaml_accepts(text) else (False, None)


def _libyaml_accepts(text: str) -> bool:
    """True if libyaml parses `text`, which is what yamlpos reads. yaml-rs is more lenient than
    libyaml in places (a quoted key continued on an unindented line, `[|x]`): a file either parser
    refuses must get yamlpos's located error. PyYAML's raw_parse runs libyaml's parser in C without
    making an event object: a twentieth of the time of building values from the events."""
    parser = _CParser(text)
    try:
        parser.raw_parse()
    except yaml.YAMLError:
        return False
    finally:
        parser.dispose()
    return True


def _agreed(root: Any) -> bool:
    """True if every value is one YAML 1.1 reads the same, no deeper than yamlpos allows
    (iteratively: no recursion limit). Scalars are checked where their container is walked, and
    only containers wait in the list (a topic file is mostly scalars: half the time of queueing each)."""
    resolve: Callable[..., str] = _RESOLVER.resolve
    todo: list[tuple[Any, int]] = [([root], -1)]  # the root as the only item of a container above it
    while todo:
        node, depth = todo.pop()
        if type(node) is dict:
            if depth >= MAX_DEPTH:
                return False
            try:
                "".join(node)  # in C: a TypeError if a key is not a string (1:, true:, null:, [a]:)
            except TypeError:
                return False
            items: Any = node.values()
        elif depth >= MAX_DEPTH:
            return False
        else:
            items = node
        for value in items:
            kind = type(value)
            if kind is str:
                # A string that would resolve to another type when plain may have been quoted or
                # not: only yamlpos can tell.
                if value[:1] in _RESOLVABLE and resolve(yaml.ScalarNode, value, (True, False)) != _STR_TAG:
                    return False
            elif kind is dict:
                # A mapping (a topic, its config) is checked here, as it would be when taken from the
                # list one level down, and only its containers are queued: 100,000 topics are not.
                if depth + 1 >= MAX_DEPTH:
                    return False
                try:
                    "".join(value)
                except TypeError:
                    return False
                for inner in value.values():
                    inner_kind = type(inner)
                    if inner_kind is str:
                        if (
                            inner[:1] in _RESOLVABLE
                            and resolve(yaml.ScalarNode, inner, (True, False)) != _STR_TAG
                        ):
                            return False
                    elif inner_kind is dict or inner_kind is list:
                        todo.append((inner, depth + 2))
                    elif inner_kind is int:
                        if not -_MAX_INT < inner < _MAX_INT:
                            return False
                    elif inner_kind is not bool and inner is not None:
                        return False
            elif kind is list:
                todo.append((value, depth + 1))
            elif kind is int:
                if not -_MAX_INT < value < _MAX_INT:
                    return False
            elif kind is not bool and value is not None:
                return False  # floats, dates and anything else: yamlpos decides
    return True


def read(text: str) -> YamlDoc:
    """The YamlDoc of `text`: through yaml-rs when that is exact, positions computed on demand."""
    ok, data = fast_values(text)
    if not ok:
        return parse(text)
    return YamlDoc(data, LazyPositions(text))


class LazyPositions(Mapping[Path_, tuple[int, int]]):
    """The positions yamlpos finds in a text, found the first time one is asked for."""

    __slots__ = ("_found", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._found: Mapping[Path_, tuple[int, int]] | None = None

    def _all(self) -> Mapping[Path_, tuple[int, int]]:
        if self._found is None:
            try:
                self._found = parse(self._text).positions
            except YamlProblem:  # cannot happen when the readings agree; a position is not worth a crash
                self._found = {(): (1, 1)}
        return self._found

    def __getitem__(self, path: Path_) -> tuple[int, int]:
        return self._all()[path]

    def get(self, path: Path_, default: Any = None) -> Any:
        return self._all().get(path, default)

    def __iter__(self) -> Iterator[Path_]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())
