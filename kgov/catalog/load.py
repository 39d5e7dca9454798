"""Read a catalog folder: YAML with positions → JSON Schema check → model objects.

Every problem becomes a Diagnostic; loading never stops at the first one. A file with structural
errors contributes no model objects (so later rules never see half-valid data), but the others do.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from kgov.catalog import fastcheck
from kgov.catalog.model import (
    AccessFile,
    AclEntry,
    Authentication,
    Bounds,
    Catalog,
    Environment,
    Overrides,
    Ownership,
    Policy,
    SchemaFile,
    SchemaRef,
    Settings,
    Source,
    Topic,
    TopicsFile,
)
from kgov.catalog.yamlpos import YamlDoc, YamlProblem, check_size, decode, parse
from kgov.diagnostics import Diagnostic, Location, Severity
from kgov.errors import CatalogError

SETTINGS_FILE = "kgov.yaml"
YAML_SUFFIXES = (".yaml", ".yml")
SCHEMA_SUFFIXES = {".avsc": "avro", ".json": "json"}

RULE_YAML = "yaml"
RULE_STRUCTURE = "structure"
RULE_FILES = "files"

_FORMATS = {"kgov": "kgov.yaml", "topics": "topics/<service>.yaml", "acls": "acls/<service>.yaml"}


@dataclass(frozen=True)
class Loaded:
    catalog: Catalog
    diagnostics: tuple[Diagnostic, ...]


@cache
def schema(kind: str) -> Draft202012Validator:
    """The published JSON Schema of a catalog file kind: 'kgov', 'topics' or 'acls'."""
    text = resources.files("kgov.catalog").joinpath(f"schemas/{kind}.schema.json").read_text("utf-8")
    published = json.loads(text)
    return Draft202012Validator(_inline_refs(published, published.get("$defs", {})))


def _inline_refs(node: Any, defs: Mapping[str, Any]) -> Any:
    """The schema with its local `#/$defs/...` references replaced by their definitions.

    Same meaning (our schemas are not recursive); jsonschema then does not resolve a reference for
    each of thousands of topics (about 10% of a large catalog's lint time).
    """
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/") and len(node) == 1:
            return _inline_refs(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline_refs(v, defs) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline_refs(v, defs) for v in node]
    return node


def load_catalog(root: Path) -> Loaded:
    if not root.is_dir():
        raise CatalogError(
            f"catalog folder '{root}' " + ("is a file, not a folder" if root.exists() else "does not exist"),
            hint="pass the folder holding kgov.yaml, topics/, acls/ and schemas/ (default: ./catalog)",
        )
    diags: list[Diagnostic] = []
    settings = _load_settings(root / SETTINGS_FILE, diags)
    skipped = Skipped(set(), set())
    topic_files = tuple(
        tf
        for p in _files(root / "topics", YAML_SUFFIXES, diags)
        if (tf := _load_topics(p, diags, skipped)) is not None
    )
    access_files = tuple(
        af for p in _files(root / "acls", YAML_SUFFIXES, diags) if (af := _load_access(p, diags)) is not None
    )
    schemas = _load_schemas(root / "schemas", diags)
    catalog = Catalog(
        root,
        settings,
        topic_files,
        access_files,
        schemas,
        frozenset(skipped.topics),
        frozenset(skipped.subjects),
    )
    return Loaded(catalog, tuple(diags))


def _files(folder: Path, suffixes: Iterable[str], diags: list[Diagnostic]) -> list[Path]:
    """The files of one resource folder with the given suffixes, in name order.

    A name with the right suffix that is not a readable regular file (a folder, a broken symlink or a
    symlink loop) is an error: it was surely meant as a catalog file. Anything else is ignored with a
    warning.
    """
    if not folder.exists():
        return []
    if not folder.is_dir():
        diags.append(
            Diagnostic(
                RULE_FILES,
                Severity.ERROR,
                f"{folder.name} is not a folder",
                Location(str(folder)),
                f"{folder.name}/ holds one file per service",
            )
        )
        return []
    suffixes = tuple(suffixes)
    found = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        is_file = path.is_file()
        if is_file and path.suffix in suffixes:
            found.append(path)
        elif path.suffix in suffixes:
            what = "a folder" if path.is_dir() else "a broken symlink or a symlink loop"
            diags.append(
                Diagnostic(
                    RULE_FILES,
                    Severity.ERROR,
                    f"{path.name} is {what}, not a file",
                    Location(str(path)),
                    f"{folder.name}/ holds one {suffixes[0]} file per service; rename or remove it",
                )
            )
        else:
            diags.append(
                Diagnostic(
                    RULE_FILES,
                    Severity.WARNING,
                    f"ignored: {folder.name}/ holds only {' or '.join(suffixes)} files",
                    Location(str(path)),
                    "move or rename it",
                )
            )
    return found


def _read(path: Path, kind: str, diags: list[Diagnostic]) -> Read | None:
    """Parse and structurally validate one YAML file; None if it cannot be read or parsed.

    Otherwise the document and the paths of its structural errors: callers leave out the nodes
    those paths fall in, and keep the rest (one typo must not hide a whole file from the rules).
    An unknown field is reported but breaks nothing: model building reads only known fields."""
    file = str(path)
    try:
        check_size(path.stat().st_size)
        doc = parse(decode(path.read_bytes()))
    except YamlProblem as problem:
        diags.append(
            Diagnostic(
                RULE_YAML,
                Severity.ERROR,
                problem.message,
                Location(file, problem.line, problem.col),
                problem.hint,
            )
        )
        return None
    except OSError as exc:
        diags.append(_unreadable(file, exc))
        return None
    if doc.data is None:
        diags.append(
            Diagnostic(
                RULE_STRUCTURE,
                Severity.ERROR,
                "file is empty",
                Location(file),
                f"see the {_FORMATS.get(kind, kind)} format in docs/catalog.md",
            )
        )
        return None
    problems, broken = _structure(doc, kind, file)
    diags.extend(problems)
    return Read(doc, broken)


@dataclass(frozen=True)
class Read:
    doc: YamlDoc
    broken: frozenset[tuple[Any, ...]]  # paths of structural errors, unknown fields excepted

    def breaks(self, *prefix: Any) -> bool:
        """True if an error lies at or below `prefix` (or at an ancestor of it)."""
        n = len(prefix)
        return any(p[:n] == prefix or prefix[: len(p)] == p for p in self.broken)


def _structure(doc: YamlDoc, kind: str, file: str) -> tuple[list[Diagnostic], frozenset[tuple[Any, ...]]]:
    if fastcheck.valid(kind, doc.data, len(doc.positions)):  # the detailed check finds nothing
        return [], frozenset()
    out: list[Diagnostic] = []
    broken: set[tuple[Any, ...]] = set()
    for error in schema(kind).iter_errors(doc.data):
        for err in _leaves(error):
            out.extend(_describe(err, doc, file, kind))
            if err.validator != "additionalProperties":
                broken.add(tuple(err.absolute_path))
    return sorted(set(out), key=Diagnostic.sort_key), frozenset(broken)


def structure_diagnostics(doc: YamlDoc, kind: str, file: str) -> list[Diagnostic]:
    return _structure(doc, kind, file)[0]


def _leaves(error: ValidationError) -> list[ValidationError]:
    # anyOf (a subject as a string or as a mapping): report the problems of the branch whose type
    # matched; if no branch's type matched, report the anyOf itself ("expected … or …").
    if error.validator in ("anyOf", "oneOf") and error.context:
        same_level = len(error.absolute_path)
        typed = [
            e for e in error.context if not (e.validator == "type" and len(e.absolute_path) == same_level)
        ]
        if typed:
            return [leaf for e in typed for leaf in _leaves(e)]
    return [error]


_JSON_TYPES = {
    "integer": "a whole number",
    "number": "a number",
    "string": "a string",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
}


# Fields that hold secrets (as references): their values are never quoted in a message.
SECRET_FIELDS = frozenset({"password", "ssl_key_password"})


def _type_name(value: Any, secret: bool = False) -> str:
    if secret and not isinstance(value, dict | list | type(None)):
        return "a literal value (not shown: the field holds a secret)"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"'{value}'" if len(value) < 60 else "a long string"
    return repr(value)


def _field(path: tuple[Any, ...]) -> str:
    return ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in path).replace(".[", "[") or "the file"


def _topic_of(path: tuple[Any, ...], doc: YamlDoc) -> str:
    """' (topic 'orders.created')' when `path` is inside a named topic of a topics file."""
    if len(path) < 2 or path[0] != "topics" or not isinstance(path[1], int):
        return ""
    topics = doc.data.get("topics") if isinstance(doc.data, dict) else None
    item = topics[path[1]] if isinstance(topics, list) and path[1] < len(topics) else None
    name = item.get("name") if isinstance(item, dict) else None
    return f" (topic '{name}')" if isinstance(name, str) and name else ""


def _describe(err: ValidationError, doc: YamlDoc, file: str, file_kind: str = "") -> list[Diagnostic]:
    schema_of: Any = err.schema  # jsonschema types it loosely; ours are always mappings
    value_of: Any = err.validator_value
    path = tuple(err.absolute_path)
    secret = bool(path) and path[-1] in SECRET_FIELDS
    where = doc.pos(path)
    name = _field(path) + _topic_of(path, doc)
    hint = None
    kind = err.validator
    if kind == "additionalProperties" and isinstance(err.instance, dict):
        allowed = list(schema_of.get("properties", {}))
        out = []
        for key in err.instance:
            if key in allowed:
                continue
            guess = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            message = f"unknown field '{key}'" + (f" in {name}" if path else "")
            if guess:
                message += f"; did you mean '{guess[0]}'?"
            line, col = doc.pos((*path, key))
            out.append(
                Diagnostic(
                    RULE_STRUCTURE,
                    Severity.ERROR,
                    message,
                    Location(file, line, col),
                    f"allowed here: {', '.join(allowed)}" if allowed else None,
                )
            )
        return out
    if kind == "required":
        missing = str(err.message).split("'")[1] if "'" in err.message else err.message
        message = f"missing required field '{missing}'" + (f" in {name}" if path else "")
        hint = f"add '{missing}:' here"
    elif kind == "type":
        expected = value_of
        wanted = " or ".join(
            _JSON_TYPES.get(str(t), str(t)) for t in (expected if isinstance(expected, list) else [expected])
        )
        message = f"{name}: expected {wanted}, got {_type_name(err.instance, secret)}"
    elif kind == "enum":
        choices = [str(c) for c in value_of]
        message = f"{name}: {_type_name(err.instance, secret)} is not one of {', '.join(choices)}"
        guess = difflib.get_close_matches(str(err.instance), choices, n=1, cutoff=0.5)
        if guess:
            message += f"; did you mean '{guess[0]}'?"
    elif kind == "const":
        message = f"{name}: must be {err.validator_value!r}, got {_type_name(err.instance, secret)}"
    elif kind == "minimum":
        message = f"{name}: {_type_name(err.instance, secret)} is below the minimum {err.validator_value}"
    elif kind == "pattern":
        message = f"{name}: {_type_name(err.instance, secret)} does not match {err.validator_value}"
    elif kind == "minLength":
        message = f"{name}: must not be empty"
    elif kind in ("maxProperties", "minProperties"):
        message = f"{name}: give exactly one of {', '.join(schema_of.get('properties', {}))}"
    elif kind == "uniqueItems":
        message = f"{name}: lists an item twice"
    else:
        message = f"{name}: {err.message}"
    if kind == "anyOf" and path and path[-1] in ("key_schema", "value_schema"):
        message = f"{name}: expected a subject name or {{subject: ..., compatibility: ...}}"
    if kind == "type" and path and path[-1] == "topics":
        hint = "topics is a list: each item starts with '- name: ...'"
    if hint is None:
        hint = f"see the {_FORMATS.get(file_kind, 'catalog')} format in docs/catalog.md"
    return [Diagnostic(RULE_STRUCTURE, Severity.ERROR, message, Location(file, *where), hint)]


# -- model building: only called on structurally valid documents --------------------------------


def _bounds(raw: Mapping[str, Any] | None, default: Bounds) -> Bounds:
    if raw is None:
        return default
    return Bounds(raw.get("min", default.min), raw.get("max", default.max))


def _load_settings(path: Path, diags: list[Diagnostic]) -> Settings:
    if not path.is_file():
        diags.append(
            Diagnostic(
                RULE_FILES,
                Severity.ERROR,
                f"missing {SETTINGS_FILE}",
                Location(str(path)),
                f"every catalog has a {SETTINGS_FILE} with at least 'version: 1'",
            )
        )
        return Settings(Source(str(path), YamlDoc({}, {})), ())
    read = _read(path, "kgov", diags)
    src = Source(str(path), read.doc if read else YamlDoc({}, {}))
    if read is None or read.broken:  # settings are all or nothing: a half-read environment is a trap
        return Settings(src, ())
    data: dict[str, Any] = read.doc.data
    p = data.get("policy", {})
    base = Policy()
    policy = Policy(
        topic_name=p.get("topic_name", base.topic_name),
        service_owns_prefix=p.get("service_owns_prefix", base.service_owns_prefix),
        partitions=_bounds(p.get("partitions"), base.partitions),
        replication_factor=_bounds(p.get("replication_factor"), base.replication_factor),
        min_insync_replicas=_bounds(p.get("min_insync_replicas"), base.min_insync_replicas),
        required=tuple(p.get("required", base.required)),
        default_compatibility=p.get("default_compatibility", base.default_compatibility),
        catch_all_events=tuple(p.get("catch_all_events", base.catch_all_events)),
        rules={k: "off" if v is False else v for k, v in p.get("rules", {}).items()},
    )
    o = data.get("ownership", {})
    ownership = Ownership(tuple(o.get("protected", Ownership().protected)), bool(o.get("delete", False)))
    envs = {}
    for name, e in data.get("environments", {}).items():
        ov = e.get("overrides", {})
        envs[name] = Environment(
            src,
            ("environments", name),
            name=name,
            kafka=dict(e["kafka"]),
            schema_registry=e.get("schema_registry"),
            overrides=Overrides(
                ov.get("replication_factor"), ov.get("partitions"), dict(ov.get("config", {}))
            ),
        )
    return Settings(src, (), version=data["version"], policy=policy, ownership=ownership, environments=envs)


def _ref(raw: Any) -> SchemaRef | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        return SchemaRef(raw)
    return SchemaRef(raw["subject"], raw.get("compatibility"))


def _skipped(entries: Any, skipped: Skipped) -> None:
    """Remember the names in topic entries left out for structural errors (best effort), so that
    reference rules do not report them as missing on top of the error that left them out."""
    for entry in entries if isinstance(entries, list) else ():
        if not isinstance(entry, dict):
            continue
        if isinstance(entry.get("name"), str):
            skipped.topics.add(entry["name"])
        for field in ("key_schema", "value_schema"):
            ref = entry.get(field)
            subject = ref.get("subject") if isinstance(ref, dict) else ref
            if isinstance(subject, str):
                skipped.subjects.add(subject)


@dataclass
class Skipped:
    topics: set[str]
    subjects: set[str]


def _load_topics(path: Path, diags: list[Diagnostic], skipped: Skipped) -> TopicsFile | None:
    read = _read(path, "topics", diags)
    if read is None:
        return None
    doc = read.doc
    data = doc.data
    if any(len(p) < 2 or p[0] != "topics" for p in read.broken):  # the file's own fields are broken
        _skipped(data.get("topics") if isinstance(data, dict) else None, skipped)
        return None
    src = Source(str(path), doc)
    service, owner = data["service"], data.get("owner")
    _skipped([t for i, t in enumerate(data["topics"]) if read.breaks("topics", i)], skipped)
    topics = tuple(
        Topic(
            src,
            ("topics", i),
            name=str(t["name"]),
            service=service,
            owner=t.get("owner", owner),
            description=t.get("description"),
            partitions=t["partitions"],
            replication_factor=t["replication_factor"],
            classification=t.get("classification"),
            config=dict(t.get("config", {})),
            key_schema=_ref(t.get("key_schema")),
            value_schema=_ref(t.get("value_schema")),
        )
        for i, t in enumerate(data["topics"])
        if not read.breaks("topics", i)
    )
    return TopicsFile(src, (), service=service, owner=owner, topics=topics)


def _load_access(path: Path, diags: list[Diagnostic]) -> AccessFile | None:
    read = _read(path, "acls", diags)
    if read is None or read.broken:
        return None
    src = Source(str(path), read.doc)
    data = read.doc.data
    auth = None
    # Read only the known kinds: an unknown key beside them is reported, never built from.
    methods = data.get("authentication", {})
    kind = next((k for k in ("scram", "tls") if k in methods), None)
    if kind is not None:
        body = methods[kind]
        auth = Authentication(
            kind, body.get("mechanism"), body.get("password"), body.get("iterations"), body.get("subject")
        )
    acls = tuple(
        AclEntry(
            src,
            ("acls", i),
            resource=a["resource"],
            name=a["name"],
            pattern=a.get("pattern", "literal"),
            operations=tuple(a["operations"]),
            permission=a.get("permission", "allow"),
            host=a.get("host", "*"),
        )
        for i, a in enumerate(data.get("acls", []))
    )
    return AccessFile(
        src,
        (),
        service=data["service"],
        owner=data.get("owner"),
        principal=data["principal"],
        authentication=auth,
        produces=tuple(data.get("produces", [])),
        consumes=tuple(data.get("consumes", [])),
        consumer_groups=tuple(data.get("consumer_groups", [])),
        transactional_ids=tuple(data.get("transactional_ids", [])),
        idempotent=bool(data.get("idempotent", False)),
        acls=acls,
    )


def _unreadable(file: str, exc: OSError) -> Diagnostic:
    return Diagnostic(
        RULE_FILES,
        Severity.ERROR,
        f"cannot read: {exc.strerror}",
        Location(file),
        "check that it is a readable file",
    )


def _load_schemas(folder: Path, diags: list[Diagnostic]) -> dict[str, SchemaFile]:
    out: dict[str, SchemaFile] = {}
    for path in _files(folder, SCHEMA_SUFFIXES, diags):
        subject = path.stem
        try:
            check_size(path.stat().st_size)
            text = decode(path.read_bytes())
        except OSError as exc:
            diags.append(_unreadable(str(path), exc))
            continue
        except YamlProblem as problem:
            diags.append(
                Diagnostic(
                    RULE_FILES,
                    Severity.ERROR,
                    problem.message,
                    Location(str(path), problem.line, problem.col),
                    problem.hint,
                )
            )
            continue
        if subject in out:
            diags.append(
                Diagnostic(
                    RULE_FILES,
                    Severity.ERROR,
                    f"subject '{subject}' has two schema files",
                    Location(str(path)),
                    f"keep one of {out[subject].file} and {path}",
                )
            )
            continue
        out[subject] = SchemaFile(subject, SCHEMA_SUFFIXES[path.suffix], str(path), text)
    return out
