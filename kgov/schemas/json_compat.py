"""JSON Schema reader/writer compatibility, written from Confluent's documented rules.

The question is the registry's: does every document valid under the writer's schema validate under
the reader's? Each keyword is one row of a table (bounds, enums, types) or one small rule (content
models, `required`, `$ref`, combinations). Content models (Confluent's terms):
  open            no `additionalProperties` (or true): a writer may put any property there;
  closed          `additionalProperties: false`;
  partially open  `additionalProperties` is a schema: what any other property must satisfy.
Adding a property to the reader is safe when the writer's model was closed, safe when the writer's
partial model is accepted by the new property, and breaking when the writer's model was open (old
data may hold that name with any value) unless the new property accepts anything. Removing one is
the mirror image on the reader's model. Not checked: `dependencies`/`dependentRequired`,
`if`/`then`/`else`, `not`, `patternProperties` matching (patterns are compared as keys, not run).
Change texts use {R} and {W} for the reader and the writer; check.py names them new/old.
The walk spends from a budget, and its trials ("does some alternative of this anyOf accept that?")
are memoised per pair of nodes (kgov/schemas/bounds.py): a schema of alternatives nested in
alternatives cannot make the work grow exponentially, and one too complex is `Unchecked`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from fractions import Fraction
from typing import Any

from kgov.schemas.bounds import Budget, Search
from kgov.schemas.model import Schema, SchemaError

LOWER = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
UPPER = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
ANNOTATIONS = {"title", "description", "$comment", "default", "examples", "$schema", "$id", "format"}
MAX_REF_HOPS = 64

Problem = tuple[str, str]
Node = dict[str, Any]
_EMPTY: Node = {}  # a writer that is not an object: no keywords (one object, one identity)


class Docs:
    """The reader's or writer's document and the documents its references name, for `$ref`s."""

    def __init__(self, root: object, refs: Mapping[str, object]) -> None:
        self.root, self.refs = root, dict(refs)

    def deref(self, node: object, base: object) -> tuple[object, object]:
        hops = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            hops += 1
            if hops > MAX_REF_HOPS:
                raise SchemaError("$ref chain longer than 64 hops (a cycle of references?)")
            ref: str = node["$ref"]
            doc_name, _, pointer = ref.partition("#")
            if doc_name:
                if doc_name not in self.refs:
                    raise SchemaError(f"$ref '{ref}' names no declared reference")
                base = self.refs[doc_name]
            node = _pointer(base, pointer, ref)
        return node, base


def _pointer(doc: object, pointer: str, ref: str) -> object:
    node = doc
    for raw in [p for p in pointer.split("/") if p]:
        key = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            raise SchemaError(f"$ref '{ref}' points at nothing")
    return node


def json_docs(schema: Schema, load: Any) -> Docs:
    refs: dict[str, object] = {}
    stack = list(schema.references)
    while stack:
        ref = stack.pop()
        if ref.name not in refs:
            refs[ref.name] = load(ref.schema)
            stack.extend(ref.schema.references)
    return Docs(load(schema), refs)


def reader_problems(reader: Docs, writer: Docs, budget: Budget | None = None) -> list[Problem]:
    """Raises bounds.Unchecked when the budget runs out."""
    walk = _Walk(reader, writer, Search(budget or Budget()))
    return list(walk.check(reader.root, reader.root, writer.root, writer.root, "$"))


def _accepts_all(node: object) -> bool:
    return node is True or (isinstance(node, dict) and not (set(node) - ANNOTATIONS))


def _types(node: dict[str, Any]) -> set[str] | None:
    kind = node.get("type")
    if isinstance(kind, str):
        return {kind}
    if isinstance(kind, list):
        return {k for k in kind if isinstance(k, str)}
    return None


def _values(node: dict[str, Any]) -> set[str] | None:
    if "const" in node:
        return {json.dumps(node["const"], sort_keys=True)}
    if isinstance(node.get("enum"), list):
        return {json.dumps(v, sort_keys=True) for v in node["enum"]}
    return None


def _mapping(node: Node, key: str) -> Node:
    value = node.get(key)
    return value if isinstance(value, dict) else {}


def _number(value: object) -> Fraction | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return Fraction(str(value))


def _keywords(r: dict[str, Any], w: dict[str, Any], path: str) -> Iterator[Problem]:
    """The table rows: each keyword where the reader may be stricter than the writer."""
    rt, wt = _types(r), _types(w)
    if rt is not None:
        widened = rt | ({"integer"} if "number" in rt else set())
        lost = sorted(wt - widened) if wt is not None else ["any type"]
        if lost:
            yield path, f"type narrowed: {{W}} allows {', '.join(lost)}, {{R}} only {', '.join(sorted(rt))}"
    rv, wv = _values(r), _values(w)
    if rv is not None and (wv is None or not wv <= rv):
        gone = "any value" if wv is None else ", ".join(sorted(wv - rv))
        yield path, f"enum narrowed: {{R}} no longer accepts {gone}"
    for kw in (*LOWER, *UPPER):
        a, b = _number(r.get(kw)), _number(w.get(kw))
        if a is not None and (b is None or (a > b if kw in LOWER else a < b)):
            yield path, f"{kw} {r[kw]} in {{R}} is stricter than {{W}}'s {w.get(kw, 'none')}"
    a, b = _number(r.get("multipleOf")), _number(w.get("multipleOf"))
    if a and (not b or (b / a).denominator != 1):
        was = w.get("multipleOf", "none")
        yield path, f"multipleOf {r['multipleOf']} in {{R}} does not divide {{W}}'s {was}"
    if isinstance(r.get("pattern"), str) and r["pattern"] != w.get("pattern"):
        yield path, f"pattern {r['pattern']!r} in {{R}} differs from {{W}}'s {w.get('pattern', 'none')!r}"
    if r.get("uniqueItems") is True and w.get("uniqueItems") is not True:
        yield path, "uniqueItems added in {R}"


class _Walk:
    """Reports every reason at its path (`check`), asking trials (`ok`) which alternative fits.

    The reporting walk visits each pair of nodes once; a trial is a second walk that stops at the
    first problem, memoised in `Search` by the nodes' identities. Merged writer nodes (an anyOf
    branch with its siblings' keywords, an allOf) are made once per pair of parts and kept, so a
    pair's identity is stable for the whole walk."""

    def __init__(self, reader: Docs, writer: Docs, search: Search, *, reporting: bool = True) -> None:
        self.reader, self.writer, self._search = reader, writer, search
        self._seen: set[tuple[int, int]] = set()
        self._merged: dict[tuple[int, int, str], tuple[object, object, object]] = {}
        self._reporting = reporting
        self._trial = _Walk(reader, writer, search, reporting=False) if reporting else self
        if reporting:
            self._trial._merged = self._merged  # one set of merged nodes: the same identities

    def ok(self, r: object, rb: object, w: object, wb: object) -> bool:
        r, rb = self.reader.deref(r, rb)
        w, wb = self.writer.deref(w, wb)
        trial = self._trial
        return self._search.decide(
            (id(r), id(w)), lambda: not any(True for _ in trial._body(r, rb, w, wb, ""))
        )

    def check(self, r: object, rb: object, w: object, wb: object, path: str) -> Iterator[Problem]:
        if not self._reporting:  # the trial walk: one memoised answer for the pair
            if not self.ok(r, rb, w, wb):
                yield path, ""
            return
        r, rb = self.reader.deref(r, rb)
        w, wb = self.writer.deref(w, wb)
        yield from self._search.report(self._seen, (id(r), id(w)), lambda: self._body(r, rb, w, wb, path))

    def _merge(self, w: Node, part: object, drop: str) -> object:
        """`w` without keyword `drop`, with `part`'s keywords over it (made once, then kept)."""
        key = (id(w), id(part), drop)
        made = self._merged.get(key)
        if made is None:
            rest = {k: v for k, v in w.items() if k != drop}
            self._search.budget.spend(1 + len(rest) // 64)
            made = (w, part, {**rest, **part} if isinstance(part, dict) else part)
            self._merged[key] = made  # w and part kept alive with it: ids are never reused
        return made[2]

    def _body(self, r: object, rb: object, w: object, wb: object, path: str) -> Iterator[Problem]:
        if _accepts_all(r) or w is False:
            return
        if r is False or not isinstance(r, dict):
            yield path, "{R} accepts nothing here"
            return
        if not isinstance(w, dict):
            w = _EMPTY
        for combo in ("anyOf", "oneOf"):
            if isinstance(w.get(combo), list):
                for branch in w[combo]:
                    branch = self.writer.deref(branch, wb)[0]
                    yield from self.check(r, rb, self._merge(w, branch, combo), wb, path)
                return
        if isinstance(w.get("allOf"), list):
            merged = self._merge(w, _EMPTY, "allOf")
            for part in w["allOf"]:
                part = self.writer.deref(part, wb)[0]
                if isinstance(part, dict) and isinstance(merged, dict):
                    merged = self._merge(merged, part, "allOf")
            w = merged if isinstance(merged, dict) else _EMPTY
        yield from self._reader_combos(r, rb, w, wb, path)

    def _reader_combos(self, r: Node, rb: object, w: Node, wb: object, path: str) -> Iterator[Problem]:
        for combo in ("anyOf", "oneOf"):
            if isinstance(r.get(combo), list):
                if not any(self.ok(b, rb, w, wb) for b in r[combo]):
                    yield path, f"no alternative of {{R}}'s {combo} accepts what {{W}} allows"
                r = {k: v for k, v in r.items() if k != combo}
        if isinstance(r.get("allOf"), list):
            for part in r["allOf"]:
                yield from self.check(part, rb, w, wb, path)
            r = {k: v for k, v in r.items() if k != "allOf"}
        widths = (len(n[k]) for n in (r, w) for k in ("enum", "required") if isinstance(n.get(k), list))
        self._search.budget.spend(sum(widths) // 8)
        yield from _keywords(r, w, path)
        yield from self._object(r, rb, w, wb, path)
        yield from self._array(r, rb, w, wb, path)

    def _object(self, r: Node, rb: object, w: Node, wb: object, path: str) -> Iterator[Problem]:
        rreq = set(r.get("required") or ()) if isinstance(r.get("required"), list) else set()
        wreq = set(w.get("required") or ()) if isinstance(w.get("required"), list) else set()
        for name in sorted(rreq - wreq, key=str):
            yield f"{path}.{name}", "required in {R} but optional in {W}"
        rprops, wprops = _mapping(r, "properties"), _mapping(w, "properties")
        self._search.budget.spend((len(rprops) + len(wprops)) // 8)  # wide objects cost their width
        rap, wap = r.get("additionalProperties", True), w.get("additionalProperties", True)
        for name in sorted(set(rprops) | set(wprops)):
            sub = f"{path}.{name}"
            if name in rprops and name in wprops:
                yield from self.check(rprops[name], rb, wprops[name], wb, sub)
            elif name in rprops:  # added to the reader: what could the writer have put under it?
                if wap is True and not _accepts_all(self.reader.deref(rprops[name], rb)[0]):
                    yield sub, "property in {R} was covered by {W}'s open content model (any value)"
                elif wap is not True:
                    yield from self.check(rprops[name], rb, wap, wb, sub)
            elif rap is False:
                yield sub, "property of {W} is refused by {R}'s closed content model"
            elif rap is not True:
                yield from self.check(rap, rb, wprops[name], wb, sub)
        if rap is not True or wap is not True:
            yield from self.check(rap, rb, wap, wb, f"{path}.additionalProperties")
        rpat, wpat = _mapping(r, "patternProperties"), _mapping(w, "patternProperties")
        for pattern in sorted(set(rpat) | set(wpat)):
            sub = f"{path}.patternProperties[{pattern}]"
            if pattern in rpat and pattern in wpat:
                yield from self.check(rpat[pattern], rb, wpat[pattern], wb, sub)
            elif pattern in rpat and wap is True:
                yield sub, "pattern property in {R} was covered by {W}'s open content model"
            elif pattern in wpat and rap is not True:
                yield sub, "pattern property of {W} is not allowed by {R}'s content model"

    def _array(self, r: Node, rb: object, w: Node, wb: object, path: str) -> Iterator[Problem]:
        ritems, witems = r.get("items", True), w.get("items", True)
        if isinstance(ritems, list) or isinstance(witems, list):
            rl = ritems if isinstance(ritems, list) else []
            wl = witems if isinstance(witems, list) else []
            radd, wadd = r.get("additionalItems", True), w.get("additionalItems", True)
            for i in range(max(len(rl), len(wl))):
                rs = rl[i] if i < len(rl) else (radd if isinstance(ritems, list) else ritems)
                ws = wl[i] if i < len(wl) else (wadd if isinstance(witems, list) else witems)
                yield from self.check(rs, rb, ws, wb, f"{path}[{i}]")
            yield from self.check(radd if rl else ritems, rb, wadd if wl else witems, wb, f"{path}[]")
        elif ritems is not True or witems is not True:
            yield from self.check(ritems, rb, witems, wb, f"{path}[]")
