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
from operator import itemgetter
from typing import Any

from kgov.catalog.model import CustomRule, Topic
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
        found: Iterable[Target] = targets(self.ctx, self.on, named)
        if self.on == "topic":
            found = self._settle_shared(list(found))
            if not self.group:
                return
            found = _slim(found, self.group)
        pending: list[Target] = []
        for target in found:
            pending.append(target)
            if len(pending) == BATCH:
                if not self._judge(pending, deadline):
                    return
                pending = []
        if pending:
            self._judge(pending, deadline)

    def _settle_shared(self, found: list[Target]) -> list[Target]:
        """Drop the rules that hold for every topic, judged once per distinct value of what they
        read. A rule that reads neither `name` nor `description` (each topic's own) gives the same
        result on topics whose fields it reads are equal: one evaluation of each distinct topic
        says whether it holds for all. When it does for every such rule, none of them can find or
        break anything, and they are dropped; otherwise all of them are judged topic by topic."""
        shared = [a for a in self.group if _reads_shared(a.compiled.rule)]
        if not shared or not found:
            return found
        read = frozenset().union(*(fields_read("topic", a.compiled.rule.expr) or () for a in shared))
        # Two names first: itemgetter's answer is then a tuple, whatever is read (dropped in the key).
        get, config = itemgetter("name", "name", *sorted(read - {"config"})), "config" in read
        distinct: dict[object, Target] = {}
        for target in found:
            distinct.setdefault(_shared_key(target, get, config), target)
        if len(distinct) > len(found) // 2:
            return found  # hardly any topic alike: judging the distinct ones first would not pay
        program = compile_batch(self.on, [a.compiled.rule.expr for a in shared])
        if program is None:
            return found
        objs = [t.obj for t in distinct.values()]
        for at in range(0, len(objs), BATCH):
            try:
                if run(program, batch_activation(objs[at : at + BATCH])) is not True:
                    return found
            except RuleBroken:
                return found
        self.group = [a for a in self.group if a not in shared]
        self.combined = self._combine()
        if self.group:
            self.batched = compile_batch(self.on, [a.compiled.rule.expr for a in self.group])
        return found

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


def _shared_key(target: Target, get: itemgetter[Any], config: bool) -> object:
    """What a rule reading the fields `get` gets after two names (and `config`) sees of the topic,
    as a key equal only for topics it sees alike: the values and their types (1 and True differ),
    and the topic's own config entries in order with their types (its rules' config map is the same
    function of them, which fills in the same defaults). A topic with any other value is a key of
    its own."""
    values = get(target.obj)[2:]
    kinds = tuple(map(type, values))
    if not _PLAIN.issuperset(kinds):
        return id(target)  # alike to no other
    if not config:
        return (values, kinds)
    raw = target.node.config if isinstance(target.node, Topic) else {}
    raw_kinds = tuple(map(type, raw.values()))
    if not _PLAIN.issuperset(raw_kinds):
        return id(target)
    return (values, kinds, tuple(raw), tuple(raw.values()), raw_kinds)


def _slim(found: list[Target], group: list[_Active]) -> list[Target]:
    """The topics with only the fields the rules read, when each rule reads only named fields: a
    smaller object to convert for the runtime, the same result (a rule sees nothing else)."""
    read: set[str] = set()
    for a in group:
        fields = fields_read("topic", a.compiled.rule.expr)
        if fields is None:
            return found
        read |= fields
    if not found or len(read) == len(found[0].obj):
        return found
    keep = ("name", "service", *sorted(read - {"name", "service"}))  # 2 or more: get() gives a tuple
    get = itemgetter(*keep)
    return [
        Target(dict(zip(keep, get(t.obj), strict=True)), t.name, t.service, t.node, t.file) for t in found
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
