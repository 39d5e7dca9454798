"""`kgov import` of topics: topics/<service>.yaml for the cluster's unowned, unprotected topics.

The files are written so that the next plan shows no change for them: partitions, replication
factor and explicit configs as the cluster has them, seen through the environment's overrides (a
key the override sets to the cluster's value is left to the override). One listing and one
batched config read, whatever the count.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import yaml

from kgov.catalog.model import Catalog, Environment
from kgov.catalog.patterns import PatternError, compile_pattern
from kgov.cluster.kafka.port import KafkaAdmin
from kgov.kafka_configs import canonical, ignored_config
from kgov.kinds.base import Imported, ImportedFile, schema_line
from kgov.kinds.ownership import unowned_topics
from kgov.platforms import profile
from kgov.state import TopicSpec

SCHEMA = "topics"  # kgov/catalog/schemas/topics.schema.json, which import copies for editors


def service_of(name: str, pattern: str) -> str:
    """The owning service a topic name suggests: the policy regex's `service` group, else its first word."""
    try:  # the policy's pattern is untrusted: RE2, linear in the name
        match = compile_pattern(pattern).fullmatch(name)
    except PatternError:
        match = None
    groups = match.groupdict() if match else {}
    raw = str(groups["service"]) if groups.get("service") else re.split(r"[._]", name, maxsplit=1)[0]
    service = re.sub(r"[^a-z0-9-]+", "-", raw.lower()).strip("-")
    return service if re.match(r"^[a-z]", service) else f"svc-{service or 'imported'}"


def _number_or_text(value: str) -> object:
    return int(value) if re.fullmatch(r"-?\d+", value) else value


def _topic_entry(
    info: TopicSpec, config: dict[str, str], catalog: Catalog, env: Environment, stamp: str
) -> dict[str, Any]:
    ov = env.overrides
    policy = catalog.settings.policy
    rf = info.replication_factor
    if ov.replication_factor is not None:  # the override decides this environment; keep the catalog in policy
        rf = max(rf, policy.replication_factor.min or rf)
    override_config = {k: canonical(k, str(v)) for k, v in ov.config.items()}
    # Neither a key kgov ignores (ownership's, the platform's) nor the platform's own default, which
    # it may report as an override: the plan would not compare them (kgov/platforms.py).
    platform = profile(env.platform)
    ignore = (*catalog.settings.ownership.ignore_configs, *platform.ignore_topic_configs)
    defaults = platform.topic_defaults
    kept = {
        k: v
        for k, v in sorted(config.items())
        if override_config.get(k) != canonical(k, v)
        and not ignored_config(k, ignore)
        and (k in override_config or defaults.get(k) != canonical(k, v))
    }
    entry: dict[str, Any] = {
        "name": info.name,
        "description": f"Imported from environment '{env.name}' on {stamp}; say what it holds.",
        "partitions": info.partitions,
        "replication_factor": rf,
    }
    if kept:
        entry["config"] = {k: _number_or_text(v) for k, v in kept.items()}
    return entry


def import_topics(kafka: KafkaAdmin, catalog: Catalog, env: Environment) -> Imported:
    """One file per service the unowned topics' names suggest, in the services' order."""
    candidates = unowned_topics(catalog, kafka.list_topics().topics)
    configs = kafka.topic_configs([t.name for t in candidates])
    stamp = datetime.now(UTC).date().isoformat()
    by_service: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for info in candidates:
        service = service_of(info.name, catalog.settings.policy.topic_name)
        by_service[service].append(_topic_entry(info, dict(configs.get(info.name, {})), catalog, env, stamp))
    files = []
    for service, topics in sorted(by_service.items()):
        doc = {"service": service, "owner": "unassigned", "topics": topics}
        text = schema_line(SCHEMA) + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
        files.append(
            ImportedFile(f"topics/{service}.yaml", text, f"{len(topics)} topic{'s' * (len(topics) != 1)}")
        )
    return Imported(
        files=tuple(files),
        summary=f"{len(candidates)} topics of {len(by_service)} services",
        everything="every unprotected topic",
        schemas=(SCHEMA,),
    )
