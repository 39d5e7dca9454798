"""Schema references between catalog subjects, found from the schemas themselves.

Avro: a named type a schema uses but does not define is a reference to the catalog subject whose
schema defines that full name (the reference's name is the full name, as Confluent's serializers
expect). JSON Schema: a `$ref` whose document part is `<subject>.json` (or `<subject>`) is a
reference to that subject, named as the `$ref` spells its document. Cycles, missing and ambiguous
references are problems (lint reports them; plan refuses the subjects involved).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from kgov import jsonread
from kgov.jsonread import JsonProblem

PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
NAMED = ("record", "error", "enum", "fixed")


@dataclass(frozen=True)
class Ref:
    name: str
    subject: str


@dataclass(frozen=True)
class Source:
    format: str  # "avro" | "json"
    text: str


Found = tuple[dict[str, tuple[Ref, ...]], list[tuple[str, str]]]
# The last answer: a plan asks about the same catalog's schemas three times (two lint rules and the
# desired subjects), each parsing every schema (10,000 subjects: 0.3 s a time).
_last: list[tuple[tuple[tuple[str, Source], ...], Found]] = []


def find_references(sources: Mapping[str, Source]) -> Found:
    """Each subject's references (sorted), and (subject, message) problems."""
    key = tuple(sources.items())
    if _last and _last[0][0] == key:
        refs, problems = _last[0][1]
        return dict(refs), list(problems)
    refs, problems = _find_references(sources)
    _last[:] = [(key, (dict(refs), list(problems)))]
    return refs, problems


def _find_references(sources: Mapping[str, Source]) -> Found:
    parsed: dict[str, object] = {}
    for subject, src in sources.items():
        try:
            parsed[subject] = jsonread.loads(src.text)
        except JsonProblem:
            continue  # invalid schemas are reported by their own check
    definers: dict[str, list[str]] = {}
    for subject, doc in parsed.items():
        if sources[subject].format == "avro":
            for name in _avro_names(doc, "")[0]:
                definers.setdefault(name, []).append(subject)
    refs: dict[str, tuple[Ref, ...]] = {}
    problems: list[tuple[str, str]] = []
    for subject, doc in sorted(parsed.items()):
        found: set[Ref] = set()
        if sources[subject].format == "avro":
            defined, used = _avro_names(doc, "")
            for name in sorted(used - defined):
                owners = [s for s in definers.get(name, []) if s != subject]
                if len(owners) == 1:
                    found.add(Ref(name, owners[0]))
                elif owners:
                    problems.append(
                        (subject, f"type {name} is defined by several subjects: {', '.join(owners)}")
                    )
                else:
                    problems.append((subject, f"type {name} is defined by no subject of the catalog"))
        else:
            for document in sorted(set(_json_refs(doc))):
                target = document[: -len(".json")] if document.endswith(".json") else document
                if target in sources and sources[target].format == "json" and target != subject:
                    found.add(Ref(document, target))
                else:
                    problems.append(
                        (subject, f"$ref '{document}' names no JSON Schema subject of the catalog")
                    )
        refs[subject] = tuple(sorted(found, key=lambda r: (r.subject, r.name)))
    problems += [(s, f"reference cycle: {' -> '.join(c)}") for s, c in _cycles(refs)]
    return refs, problems


def dependency_order(subjects: list[str], refs: Mapping[str, tuple[Ref, ...]]) -> list[str]:
    """`subjects` with every referenced subject before the subjects referring to it (cycles cut)."""
    out: list[str] = []
    state: dict[str, int] = {}
    wanted = set(subjects)

    for start in sorted(subjects):
        stack: list[tuple[str, Iterator[Ref]]] = [(start, iter(refs.get(start, ())))]
        if state.get(start):
            continue
        state[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                state[node] = 2
                if node in wanted:
                    out.append(node)
            elif not state.get(nxt.subject):
                state[nxt.subject] = 1
                stack.append((nxt.subject, iter(refs.get(nxt.subject, ()))))
    return out


def _cycles(refs: Mapping[str, tuple[Ref, ...]]) -> list[tuple[str, list[str]]]:
    found = []
    for start in sorted(refs):
        path = [start]
        seen = {start}
        stack = [iter(refs.get(start, ()))]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                stack.pop()
                seen.discard(path.pop())
            elif nxt.subject == start:
                found.append((start, [*path, start]))
                break
            elif nxt.subject not in seen and nxt.subject > start:  # each cycle once, from its least subject
                path.append(nxt.subject)
                seen.add(nxt.subject)
                stack.append(iter(refs.get(nxt.subject, ())))
    return found


def _avro_names(doc: object, namespace: str) -> tuple[set[str], set[str]]:
    """(full names defined, full names used) in an Avro schema's JSON."""
    defined: set[str] = set()
    used: set[str] = set()
    _walk_avro(doc, namespace, defined, used)
    # a short name used inside a namespace may name a type of the null namespace
    used = {u if u in defined or u.rpartition(".")[2] not in defined else u.rpartition(".")[2] for u in used}
    return defined, used


def _full(name: str, ns: str) -> str:
    return name if "." in name or not ns else f"{ns}.{name}"


def _walk_avro(node: object, ns: str, defined: set[str], used: set[str]) -> None:
    # module functions, not closures: a closure calling itself is a reference cycle, garbage only the
    # collector frees (kgov/gcpause.py builds the catalog with it paused)
    if isinstance(node, str):
        if node not in PRIMITIVES:
            used.add(_full(node, ns))
    elif isinstance(node, list):
        for item in node:
            _walk_avro(item, ns, defined, used)
    elif isinstance(node, dict):
        kind = node.get("type")
        if kind in NAMED and isinstance(node.get("name"), str):
            name = node["name"]
            ns = name.rpartition(".")[0] if "." in name else str(node.get("namespace") or ns)
            defined.add(_full(name, ns))
            for field in node.get("fields") or ():
                if isinstance(field, dict):
                    _walk_avro(field.get("type"), ns, defined, used)
        elif kind in ("array", "map"):
            _walk_avro(node.get("items" if kind == "array" else "values"), ns, defined, used)
        elif isinstance(kind, dict | list) or (isinstance(kind, str) and kind not in PRIMITIVES):
            _walk_avro(kind, ns, defined, used)


def _json_refs(doc: object) -> Iterator[str]:
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                yield ref.partition("#")[0]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
