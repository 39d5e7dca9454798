"""Topic names: legal in Kafka, matching the policy, unique, owned by the right service, one event each."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from operator import attrgetter, itemgetter
from pathlib import Path

from kgov.catalog.model import DEFAULT_TOPIC_NAME, AccessFile, Topic, TopicsFile
from kgov.catalog.patterns import protected_matcher
from kgov.diagnostics import Severity
from kgov.policy.context import Context
from kgov.policy.registry import Example, Finding, rule, topic_file

_SERVICE = attrgetter("service")
_FIRST = itemgetter(0)

KAFKA_LEGAL = re.compile(r"[a-zA-Z0-9._-]+")
KAFKA_MAX_LENGTH = 249
# Every name legal at once, over Context.names_text ("\n" and each name followed by one).
# Possessive (`++`, `*+`): a line is read one way only, so nothing is given back, and the matcher
# keeps no backtracking state a name (the first match of 100,000 names took twice as long for it).
_ALL_LEGAL = re.compile(r"\n(?:[a-zA-Z0-9._-]{1,249}\n)++")
# Every name matches kgov's default policy.topic_name (fullmatch: `$` before a final "\n" is no end).
_ALL_DEFAULT = re.compile(r"\n(?:[a-z][a-z0-9-]*+\.[a-z][a-z0-9-]*+\n)++")
_GLOB_SPECIAL = re.compile(r"[*?\[]")


def _no_underscore(ctx: Context) -> bool:
    """True when no name holds "_": names_text is the names and "\n"s."""
    return "_" not in ctx.names_text


def _all_match(whole: re.Pattern[str], ctx: Context) -> bool:
    """True when each name fullmatches `whole`'s item pattern, whose items hold no "\n": one match
    over Context.names_text (100,000 names in a few ms) instead of a match call a name. A name
    holding "\n" could split into two matching items: then the text is not asked."""
    return ctx.names_plain and whole.fullmatch(ctx.names_text) is not None


def _no_name_starts(ctx: Context, globs: tuple[str, ...]) -> bool:
    """True when no name can match any of the fnmatch globs: each has a literal start (what comes
    before its first `*`, `?` or `[`, which a name it matches starts with), and no line of
    Context.names_text starts with one. A name holding "\n" only adds lines: never a wrong True."""
    starts = [g[: m.start()] if (m := _GLOB_SPECIAL.search(g)) else g for g in globs]
    if not all(starts):
        return False  # a glob starting with a wildcard: any name may match
    text = ctx.names_text
    return not any(f"\n{start}" in text for start in starts)


def _split_services_match(ctx: Context) -> bool:
    """True when `parts` is the split at the first dot and, in each file, every topic's service is
    one service without a dot and every name starts with it and a dot: then each name's service part
    is its topic's service. Asked per file in C: the names starting with a prefix are one interval
    of the sorted order, so the file's smallest and largest name start with it only if all do."""
    if not ctx.parts_are_split:
        return False
    names, services = ctx.name_list, ctx.column("service")
    at = 0
    try:
        for f in ctx.catalog.topic_files:
            end = at + len(f.topics)
            if end > at:
                low, high = min(services[at:end]), max(services[at:end])
                prefix = f"{low}."
                if low != high or "." in low:
                    return False
                if not (min(names[at:end]).startswith(prefix) and max(names[at:end]).startswith(prefix)):
                    return False
            at = end
    except TypeError:  # not text: the loop meets it as before
        return False
    return at == len(names)


def _no_event_in(ctx: Context, events: set[str]) -> bool:
    """True when `parts` is the split at the first dot and no name's event part can be one of
    `events`: an event is what follows the first dot, or the whole name, so a name whose event is
    `e` ends with "." + e or is e, and Context.names_reversed holds "\n", e reversed, then "." or
    "\n". One search in C instead of a name split and a set lookup a name."""
    if not ctx.parts_are_split:
        return False
    if not events:
        return True
    words = "|".join(re.escape(e[::-1]) for e in sorted(events, key=len, reverse=True))
    return re.search(f"\n(?:{words})[.\n]", ctx.names_reversed) is None


def _where(topic: Topic) -> str:
    return f"{topic.src.file}:{topic.loc('name').line}"


@rule(
    "topic-name-legal",
    "legal Kafka topic name",
    severity=Severity.ERROR,
    message="the topic name is not one Kafka accepts",
    hint="use only letters, digits, '.', '_' and '-', at most 249 characters",
    doc="""
Kafka refuses topic names with characters other than ASCII letters, digits, `.`, `_` and `-`, names
longer than 249 characters, and the names `.` and `..`.
""",
    examples=(
        Example(False, {"topics/orders.yaml": topic_file("orders", "orders.created!")}, line=4),
        Example(True, {"topics/orders.yaml": topic_file("orders", "orders.created")}),
    ),
)
def check_legal(ctx: Context) -> Iterator[Finding]:
    names = ctx.topic_names
    if names and "." not in names and ".." not in names and _all_match(_ALL_LEGAL, ctx):
        return  # no name has a problem below
    for topic in ctx.topics:
        name = topic.name
        problem = None
        if name in (".", ".."):
            problem = f"'{name}' is reserved"
        elif len(name) > KAFKA_MAX_LENGTH:
            problem = f"{len(name)} characters long; Kafka allows at most {KAFKA_MAX_LENGTH}"
        elif not KAFKA_LEGAL.fullmatch(name):
            bad = sorted({c for c in name if not KAFKA_LEGAL.fullmatch(c)})
            shown = ", ".join(repr(c) for c in bad[:5])
            problem = f"it contains {shown}, which Kafka does not allow"
        if problem:
            yield Finding(topic.loc("name"), f"topic name '{name[:80]}' is illegal in Kafka: {problem}")


@rule(
    "topic-name-pattern",
    "topic name follows the policy",
    severity=Severity.ERROR,
    message="the topic name does not match policy.topic_name",
    hint="name topics <service>.<event-type> (or as policy.topic_name in kgov.yaml says)",
    doc="""
Every topic name must match the regular expression `policy.topic_name` of kgov.yaml as a whole.
The default is `^(?P<service>[a-z][a-z0-9-]*)\\.(?P<event>[a-z][a-z0-9-]*)$`: the owning service, a
dot, and the event type, in lower case with dashes (`orders.created`, `inventory.stock-level`).
The named groups `service` and `event` tell `service-owns-prefix`, `catch-all-topic` and
`state-topic-not-compacted` which part of the name is which.
""",
    examples=(
        Example(False, {"topics/orders.yaml": topic_file("orders", "orders.OrderCreated")}, line=4),
        Example(False, {"topics/orders.yaml": topic_file("orders", "orders.created.v2")}, line=4),
        Example(True, {"topics/orders.yaml": topic_file("orders", "orders.created")}),
    ),
)
def check_pattern(ctx: Context) -> Iterator[Finding]:
    if ctx.name_regex is None:
        return  # policy-settings reports the regex
    default = ctx.policy.topic_name == DEFAULT_TOPIC_NAME
    if default and ctx.topics and _all_match(_ALL_DEFAULT, ctx):
        return  # every name matches
    fullmatch = ctx.name_regex.fullmatch  # what name_match asks, without its named groups and cache
    for topic in ctx.topics:
        if fullmatch(topic.name) is None:
            yield Finding(
                topic.loc("name"),
                f"topic name '{topic.name[:80]}' does not match policy.topic_name {ctx.policy.topic_name}",
            )


@rule(
    "duplicate-topic",
    "each topic defined once",
    severity=Severity.ERROR,
    message="the same topic name is defined twice",
    hint="keep one definition; a topic belongs to exactly one service",
    doc="""
A topic name may appear only once in the whole catalog, in one file.
""",
    examples=(
        Example(
            False,
            {"topics/orders.yaml": topic_file("orders", "orders.created", "orders.created")},
            line=9,
        ),
    ),
)
def check_duplicates(ctx: Context) -> Iterator[Finding]:
    if len(ctx.topic_names) == len(ctx.topics):
        return  # as many distinct names as topics: none twice
    first: dict[str, Topic] = {}
    for topic in ctx.topics:
        seen = first.setdefault(topic.name, topic)
        if seen is not topic:
            yield Finding(
                topic.loc("name"),
                f"topic '{topic.name}' is defined twice (first at {_where(seen)})",
            )


@rule(
    "topic-name-collision",
    "no metric name collisions",
    severity=Severity.ERROR,
    message="two topic names differ only in '.' versus '_'",
    hint="rename one; Kafka's metrics replace '.' with '_', so both would report as one topic",
    doc="""
Kafka's metric names replace `.` by `_`, so `orders.created` and `orders_created` collide (Kafka
itself refuses to create the second). Names that are the same after that replacement are errors.
""",
    examples=(
        Example(
            False,
            {"topics/orders.yaml": topic_file("orders", "orders.created", "orders_created")},
            line=9,
        ),
    ),
)
def check_collisions(ctx: Context) -> Iterator[Finding]:
    if _no_underscore(ctx):
        return  # names without '_' collide only with themselves (duplicate-topic's finding)
    first: dict[str, Topic] = {}
    for topic in ctx.topics:
        seen = first.setdefault(topic.name.replace(".", "_"), topic)
        if seen is not topic and seen.name != topic.name:
            yield Finding(
                topic.loc("name"),
                f"topic '{topic.name}' collides with '{seen.name}' ({_where(seen)}) in Kafka's metric names",
            )


@rule(
    "service-owns-prefix",
    "topics live with their service",
    severity=Severity.ERROR,
    message="a topic is defined in another service's file",
    hint="move the topic to topics/<service>.yaml of the service its name starts with",
    doc="""
With `policy.service_owns_prefix: true` (the default) the service part of a topic's name (the
`service` group of `policy.topic_name`, else everything before the first dot) must be the `service`
of the file that defines it: `orders.created` lives in `topics/orders.yaml`. This is what makes a
service's name prefix its own (ownership, ACL prefixes, deletes) and reviews go to the right team.
""",
    examples=(
        Example(False, {"topics/orders.yaml": topic_file("orders", "payments.completed")}, line=4),
        Example(True, {"topics/orders.yaml": topic_file("orders", "orders.completed")}),
    ),
)
def check_prefix(ctx: Context) -> Iterator[Finding]:
    if not ctx.policy.service_owns_prefix:
        return
    if _split_services_match(ctx):
        return  # every name's service is its topic's, without splitting 100,000 names
    if list(map(_SERVICE, ctx.topics)) == list(map(_FIRST, ctx.topic_parts)):
        return  # every name's service is its file's (the usual catalog): compared in C
    for topic, (service, _) in zip(ctx.topics, ctx.topic_parts, strict=True):
        if service and service != topic.service:
            yield Finding(
                topic.loc("name"),
                f"topic '{topic.name}' is in the file of service '{topic.service}', "
                f"but its name belongs to service '{service}'",
                f"move it to topics/{service}.yaml, or rename it {topic.service}.<event>",
            )


def _file_names(file: str) -> tuple[str, str, str]:
    """(its folder's name, its name, its stem) as Path(file) gives them, read off the text when it
    has no part Path would drop or merge (an empty part, a ".", a trailing slash)."""
    odd = file in ("", ".") or "//" in file or "/./" in file
    if odd or file.startswith("./") or file.endswith(("/", "/.")):
        path = Path(file)
        return path.parent.name, path.name, path.stem
    head, _, name = file.rpartition("/")
    dot = name.rfind(".")
    return head.rpartition("/")[2], name, name[:dot] if 0 < dot < len(name) - 1 else name


@rule(
    "file-name-service",
    "file named after its service",
    severity=Severity.ERROR,
    message="a topics or acls file is not named after the service it declares",
    hint="rename the file to <service>.yaml, or fix its `service:`",
    doc="""
`topics/<service>.yaml` and `acls/<service>.yaml` are named after the `service` they declare, so a
service's resources are found by file name, and one service has one file per folder.
""",
    examples=(
        Example(False, {"topics/orders.yaml": topic_file("order", "order.created")}, line=1),
        Example(False, {"acls/orders.yaml": "service: shop\nprincipal: User:shop\n"}, line=1),
    ),
)
def check_file_names(ctx: Context) -> Iterator[Finding]:
    files: list[TopicsFile | AccessFile] = [*ctx.catalog.topic_files, *ctx.catalog.access_files]
    seen: dict[tuple[str, str], str] = {}
    for f in files:
        folder, name, stem = _file_names(f.src.file)
        if stem != f.service:
            yield Finding(
                f.loc("service"),
                f"{folder}/{name} declares service '{f.service}'; its name must be {f.service}.yaml",
            )
        other = seen.setdefault((folder, f.service), f.src.file)
        if other != f.src.file:
            yield Finding(
                f.loc("service"),
                f"service '{f.service}' has two files in {folder}/ (also {other})",
                "keep one file per service",
            )


@rule(
    "catch-all-topic",
    "one topic per event type",
    severity=Severity.ERROR,
    message="a topic name says it holds any kind of event",
    hint="make one topic per event type (orders.created, orders.cancelled, …)",
    doc="""
A topic holds one event type, with one schema: consumers subscribe to what they need and schemas
evolve independently. Names whose event part is in `policy.catch_all_events` (default: `events`,
`all`, `messages`, `data`, `misc`, `topic`, `stream`) are errors.
""",
    examples=(
        Example(False, {"topics/orders.yaml": topic_file("orders", "orders.events")}, line=4),
        Example(True, {"topics/orders.yaml": topic_file("orders", "orders.created")}),
    ),
)
def check_catch_all(ctx: Context) -> Iterator[Finding]:
    catch_all = set(ctx.policy.catch_all_events)
    if _no_event_in(ctx, catch_all):
        return
    for topic, (_, event) in zip(ctx.topics, ctx.topic_parts, strict=True):
        if event in catch_all:
            yield Finding(
                topic.loc("name"),
                f"topic '{topic.name}' is a catch-all ('{event}' is not an event type)",
            )


@rule(
    "protected-topic",
    "no protected names",
    severity=Severity.ERROR,
    message="a topic name matches ownership.protected, so kgov would never create or change it",
    hint="rename the topic, or narrow ownership.protected in kgov.yaml",
    doc="""
Names matching a glob of `ownership.protected` (default `__*` and `_*`: Kafka's and tools' internal
topics) are never read as drift, changed or deleted. A catalog topic with such a name would be
silently ignored by plan and apply.
""",
    examples=(Example(False, {"topics/orders.yaml": topic_file("orders", "_orders.created")}, line=4),),
)
def check_protected(ctx: Context) -> Iterator[Finding]:
    protected = ctx.catalog.settings.ownership.protected
    matcher = protected_matcher(protected)  # one pattern for all: a topic is not matched 1,000 times
    if matcher is None or _no_name_starts(ctx, protected):
        return  # the usual catalog: no name starts as a protected glob does
    if matcher is None or not any(map(matcher.match, ctx.topic_names)):
        return  # no name matches (the usual catalog): nothing to find, asked in C
    for topic in ctx.topics:
        if matcher is not None and matcher.match(topic.name):
            text = next(p for p in protected if fnmatch.fnmatchcase(topic.name, p))
            yield Finding(topic.loc("name"), f"topic '{topic.name}' matches the protected pattern '{text}'")
