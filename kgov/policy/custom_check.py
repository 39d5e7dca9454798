"""Running policy.custom_rules over the catalog (the language side is kgov/policy/custom.py).

Speed: the rules on one kind of object are also compiled together, and judged BATCH objects at a
time by one program saying whether all of them hold for all of those objects (the common case: one
call per batch, not 20 per object). A batch where that is not so is judged object by object through
one CEL list of the rules' results, and where that list says false or fails, rule by rule, so that a
finding or an error names its rule; a broken rule is dropped and the others go on.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import chain, repeat
from typing import Any

from kgov.catalog.model import CustomRule, SchemaRef, Topic
from kgov.diagnostics import Diagnostic, Location, Severity
from kgov.policy.context import Context
from kgov.policy.custom import (
    PER_RUN_SECONDS,
    Compiled,
    RuleBroken,
    Target,
    activation,
    batch_activation,
    compile_batch,
    compile_rule,
    evaluate,
    fields_read,
    run,
    self_test,
    targets,
    topic_objects,
)

BATCH = 64  # objects judged by one evaluation while every rule holds
HINT = "fix the rule in policy.custom_rules (docs/custom-rules.md); it judges nothing until then"


@dataclass(frozen=True)
class _Active:
    compiled: Compiled
    severity: Severity


def check(
    ctx: Context, levels: Mapping[str, str], builtin: frozenset[str], errors_only: bool
) -> list[Diagnostic]:
    """The custom rules' diagnostics: a broken rule gives one error at its place in kgov.yaml."""
    out: list[Diagnostic] = []
    seen: set[str] = set()
    active: list[_Active] = []
    for rule in ctx.policy.custom_rules:
        if rule.id in builtin or rule.id in seen:
            out.append(_broken(rule, rule.loc("id"), "its id is already a rule's id: choose another"))
            continue
        seen.add(rule.id)
        level = levels.get(rule.id, rule.severity)
        if level == "off" or not _in_scope(rule, ctx):
            continue
        severity = Severity(level)
        if errors_only and severity is not Severity.ERROR:
            continue
        try:
            compiled = compile_rule(rule)
            self_test(compiled)  # before it judges anything
        except RuleBroken as exc:
            out.append(_broken(rule, rule.loc("expr"), str(exc)))
            continue
        active.append(_Active(compiled, severity))
    for on in ("topic", "principal", "subject"):
        group = [a for a in active if a.compiled.rule.on == on]
        if group:
            _Judge(ctx, on, group, out).run()
    return out


class _Judge:
    """The rules of one kind of object over every such object of the catalog."""

    def __init__(self, ctx: Context, on: str, group: list[_Active], out: list[Diagnostic]) -> None:
        self.ctx, self.on, self.out = ctx, on, out
        self.group = group
        self.combined = self._combine()
        self.batched = compile_batch(on, [a.compiled.rule.expr for a in group])

    def _combine(self) -> Any:
        if len(self.group) < 2:
            return None
        # Each expression compiled alone already, so each is balanced: newlines end any // comment.
        source = "[\n" + ",\n".join(f"(\n{a.compiled.rule.expr}\n) == true" for a in self.group) + "\n]"
        try:
            rule = CustomRule(self.group[0].compiled.rule.src, (), on=self.on, expr=source)
            return compile_rule(rule).program
        except RuleBroken:
            return None  # rule by rule, then

    def run(self) -> None:
        deadline = time.perf_counter() + PER_RUN_SECONDS * len(self.group)
        named = frozenset(k for a in self.group for k in a.compiled.config_keys)
        found: Iterable[Target] | None = None
        if self.on == "topic":
            self._settle_shared(named)
            if not self.group:
                return
            found = _slim_targets(self.ctx, self.group)
        pending: list[Target] = []
        for target in targets(self.ctx, self.on, named) if found is None else found:
            pending.append(target)
            if len(pending) == BATCH:
                if not self._judge(pending, deadline):
                    return
                pending = []
        if pending:
            self._judge(pending, deadline)

    def _settle_shared(self, named: frozenset[str]) -> None:
        """Drop the rules that hold for every topic, judged once per distinct value of what they
        read. A rule that reads neither `name` nor `description` (each topic's own) gives the same
        result on topics whose fields it reads are equal: one evaluation of one topic of each kind
        says whether it holds for all. When it does for every such rule, none of them can find or
        break anything, and they are dropped; otherwise all of them are judged topic by topic."""
        shared = [a for a in self.group if _reads_shared(a.compiled.rule)]
        topics = self.ctx.topics
        if not shared or not topics:
            return
        read = frozenset().union(*(fields_read("topic", a.compiled.rule.expr) or () for a in shared))
        kinds = _distinct_topics(self.ctx, read)
        if kinds is None or len(kinds) > len(topics) // 2:
            return  # values of other types, or hardly any topic alike: judging kinds would not pay
        program = compile_batch(self.on, [a.compiled.rule.expr for a in shared])
        if program is None:
            return
        objs = topic_objects(kinds, named)  # as `targets` makes them: the same defaults
        for at in range(0, len(objs), BATCH):
            try:
                if run(program, batch_activation(objs[at : at + BATCH])) is not True:
                    return
            except RuleBroken:
                return
        self.group = [a for a in self.group if a not in shared]
        self.combined = self._combine()
        if self.group:
            self.batched = compile_batch(self.on, [a.compiled.rule.expr for a in self.group])

    def _judge(self, batch: list[Target], deadline: float) -> bool:
        """The rules over a batch of objects; False when the run is over (no rule left, or its time)."""
        if not self._all_hold(batch):
            for target in batch:
                if not self.group:
                    return False
                bound = activation(self.on, target.obj)
                results = self._all(bound)
                if results is None or False in results:
                    self._each(target, bound, results)
        if time.perf_counter() > deadline:
            for a in self.group:
                why = f"took longer than {PER_RUN_SECONDS:.0f} s per rule over the catalog"
                self.out.append(_broken(a.compiled.rule, a.compiled.rule.loc("expr"), why))
            return False
        return True

    def _all_hold(self, batch: list[Target]) -> bool:
        """Whether every rule holds for every object of the batch, in one evaluation; False when it
        does not, or cannot say (an error, the iteration budget, its time), and the batch is judged
        object by object."""
        if self.batched is None or not self.group:
            return False
        try:
            return run(self.batched, batch_activation([t.obj for t in batch])) is True
        except RuleBroken:
            return False

    def _each(self, target: Target, bound: Any, results: list[object] | None) -> None:
        """Rule by rule where the combined list said false (`== true` is false for a non-boolean
        too: the rule alone says which) or could not say."""
        for i, a in enumerate(list(self.group)):
            if results is not None and results[i] is True:
                continue
            if _applies(a.compiled.rule, target) and self._one(a, target, bound) is False:
                self._finding(a, target)

    def _all(self, bound: Any) -> list[object] | None:
        """Every rule's result on the object at once, or None to go rule by rule."""
        if self.combined is None:
            return None
        try:
            results = run(self.combined, bound, plain=True)
        except RuleBroken:
            return None
        if not isinstance(results, list) or len(results) != len(self.group):
            return None
        return results

    def _one(self, a: _Active, target: Target, bound: Any) -> bool | None:
        """The rule's result alone; None when it broke (reported, and dropped from the group)."""
        try:
            return evaluate(a.compiled, bound)
        except RuleBroken as exc:
            rule = a.compiled.rule
            self.out.append(_broken(rule, rule.loc("expr"), f"{exc} (on {rule.on} {target.name})"))
            self.group.remove(a)
            self.combined = self._combine()
            self.batched = (
                compile_batch(self.on, [x.compiled.rule.expr for x in self.group]) if self.group else None
            )
            return None

    def _finding(self, a: _Active, target: Target) -> None:
        rule = a.compiled.rule
        message = rule.message.replace("{name}", target.name)
        self.out.append(Diagnostic(rule.id, a.severity, message, _where(a.compiled, target), rule.hint))


_OWN = frozenset({"name", "description"})  # fields each topic has its own value of


def _reads_shared(rule: CustomRule) -> bool:
    """True when the rule reads only fields topics share values of, and applies to every service
    (a rule for some services judges only their topics)."""
    read = fields_read(rule.on, rule.expr)
    return read is not None and not read & _OWN and not rule.services


_PLAIN = frozenset({str, int, bool})  # types whose equal values are the same to a rule
_PLAIN_FIELDS = _PLAIN | {type(None), SchemaRef}  # a Topic's own fields (a schema: its subject)


def _distinct_topics(ctx: Context, read: frozenset[str]) -> list[Topic] | None:
    """One topic of each kind a rule reading `read` sees alike: topics whose fields in `read` are
    equal, of one type a field (1 and True differ; None and a value are not equal), and whose own
    config entries are the same keys and values of the same types in the same order (their rules'
    config map is the same function of them, over the same defaults). None when a field holds
    values of two types, or of another type, or a config is not a plain dict of plain values."""
    cols: list[list[Any]] = []
    for field in sorted(read - {"config"}):
        col = ctx.column(field)
        kinds = set(map(type, col))
        if not kinds <= _PLAIN_FIELDS or len(kinds - {type(None)}) > 1:
            return None
        cols.append(col)
    if "config" in read:
        configs = ctx.column("config")
        try:
            items = list(map(tuple, map(dict.items, configs)))
            types = list(map(tuple, map(map, repeat(type), map(dict.values, configs))))
        except TypeError:  # not a dict
            return None
        if not _PLAIN.issuperset(chain.from_iterable(types)):
            return None
        cols += [items, types]
    keys = list(zip(*cols, strict=True)) if cols else [()] * len(ctx.topics)
    return list(dict(zip(reversed(keys), reversed(ctx.topics), strict=True)).values())  # each kind's first


_OR_EMPTY = frozenset({"owner", "description", "classification"})  # None is "" to a rule
_AS_IS = frozenset({"name", "service", "partitions", "replication_factor"})


def _slim_targets(ctx: Context, group: list[_Active]) -> list[Target] | None:
    """The topics with only the fields the rules read (and the name), as `topic_object` makes
    them, when each rule reads only named fields and none reads a config or a schema: a smaller
    object to convert for the runtime, the same result (a rule sees nothing else). None otherwise."""
    read = {"name"}
    for a in group:
        fields = fields_read("topic", a.compiled.rule.expr)
        if fields is None or not fields <= _OR_EMPTY | _AS_IS:
            return None
        read |= fields
    keep = sorted(read)
    cols = [[v or "" for v in ctx.column(f)] if f in _OR_EMPTY else ctx.column(f) for f in keep]
    return [
        Target(dict(zip(keep, row, strict=True)), t.name, t.service, t)
        for row, t in zip(zip(*cols, strict=True), ctx.topics, strict=True)
    ]


def _in_scope(rule: CustomRule, ctx: Context) -> bool:
    if not rule.environments:
        return True
    return any(e.name in rule.environments for e in ctx.environments)


def _applies(rule: CustomRule, target: Target) -> bool:
    return not rule.services or target.service in rule.services


def _where(compiled: Compiled, target: Target) -> Location:
    """At the config key the rule names when the object sets it (retention.ms: that line)."""
    if isinstance(target.node, Topic):
        for key in compiled.config_keys:
            if key in target.node.config:
                return target.node.loc("config", key)
    return target.location() if isinstance(target.node, Topic) else target.location("principal")


def _broken(rule: CustomRule, where: Location, why: str) -> Diagnostic:
    return Diagnostic(rule.id, Severity.ERROR, f"custom rule '{rule.id}': {why}", where, HINT)
