"""Writes tests/unit/platforms/recorded/<platform>.json: DescribeConfigs answers for the example
catalog's topics (environment `prod`: no overrides), shaped as each platform returns them once kgov
has applied the catalog. Recorded from the platforms' documentation, not from a live cluster: each
platform's behaviour below is written out from the pages it cites, on purpose without reading
kgov/platforms.py (the profiles the tests check against these answers).

Run `python3 -m tests.unit.platforms.record_answers` after changing the example catalog's topics.
"""

from __future__ import annotations

import json
from pathlib import Path

from kgov.catalog.load import load_catalog
from kgov.kafka_configs import TOPIC_CONFIGS
from kgov.kinds.topics.desired import desired_topics

ROOT = Path(__file__).resolve().parents[3]
OUT = Path(__file__).with_name("recorded")
DYNAMIC, STATIC, DEFAULT = "DYNAMIC_TOPIC_CONFIG", "STATIC_BROKER_CONFIG", "DEFAULT_CONFIG"

# Per platform: the pages, what it adds to a topic's answer, and the note the file carries.
PLATFORMS: dict[str, dict[str, object]] = {
    "confluent-cloud": {
        "sources": [
            "https://docs.confluent.io/cloud/current/topics/manage.html (Configuration Reference for "
            "Topics in Confluent Cloud): cleanup.policy default delete; compression.type 'Editable: No'",
            "https://github.com/confluentinc/terraform-provider-confluent/issues/99 (Confluent's "
            "provider maintainers show Confluent Cloud's answer: cleanup.policy=delete and "
            "min.insync.replicas=2 reported as DYNAMIC_TOPIC_CONFIG, the broker's value 2 as "
            "STATIC_BROKER_CONFIG)",
        ],
        # key -> (value, source) reported on every topic that does not set the key itself
        "reported": {"cleanup.policy": ("delete", DYNAMIC), "min.insync.replicas": ("2", DYNAMIC)},
        # keys the platform does not let users set: the topic keeps the platform's value
        "refused": {"compression.type": ("producer", DEFAULT)},
    },
    "msk": {
        "sources": [
            "https://docs.aws.amazon.com/msk/latest/developerguide/msk-default-configuration.html "
            "(The default Amazon MSK configuration): min.insync.replicas 2 (three AZs) and "
            "unclean.leader.election.enable true are broker settings, reported as STATIC_BROKER_CONFIG",
        ],
        "reported": {
            "min.insync.replicas": ("2", STATIC),
            "unclean.leader.election.enable": ("true", STATIC),
        },
        "refused": {},
    },
    "aiven": {
        "sources": [
            "https://aiven.io/docs/products/kafka/howto/configure-topic-tiered-storage (Enable and "
            "configure tiered storage for topics): on a service with tiered storage every new topic "
            "has it enabled (remote.storage.enable=true on the topic)",
        ],
        "reported": {"remote.storage.enable": ("true", DYNAMIC)},
        "refused": {},
    },
    "redpanda": {
        "sources": [
            "https://docs.redpanda.com/current/develop/config-topics/ (Manage Topics): a topic created "
            "with default settings describes cleanup.policy=delete as DYNAMIC_TOPIC_CONFIG, "
            "max.message.bytes=1048576 and redpanda.remote.* as DEFAULT_CONFIG",
        ],
        "reported": {
            "cleanup.policy": ("delete", DYNAMIC),
            "max.message.bytes": ("1048576", DEFAULT),
            "redpanda.remote.delete": ("true", DEFAULT),
            "redpanda.remote.read": ("false", DEFAULT),
            "redpanda.remote.write": ("false", DEFAULT),
            "retention.local.target.ms": ("86400000", DEFAULT),
        },
        "refused": {},
    },
}


def answers(platform: str) -> dict[str, object]:
    spec = PLATFORMS[platform]
    catalog = load_catalog(ROOT / "catalog").catalog
    wanted = desired_topics(catalog, catalog.settings.environments["prod"])
    reported: dict[str, tuple[str, str]] = spec["reported"]  # type: ignore[assignment]
    refused: dict[str, tuple[str, str]] = spec["refused"]  # type: ignore[assignment]
    topics: dict[str, object] = {}
    for name, t in sorted(wanted.items()):
        entries = {k: (v, DYNAMIC) for k, v in t.config.items() if k not in refused}
        for key, (value, source) in {**reported, **refused}.items():
            entries.setdefault(key, (value, source))
        configs = [
            {"name": k, "value": v, "source": s, "is_default": s == DEFAULT}
            for k, (v, s) in sorted(entries.items())
        ]
        topics[name] = {
            "partitions": t.partitions,
            "replication_factor": t.replication_factor,
            "configs": configs,
        }
    return {
        "platform": platform,
        "recorded": "from the platform's documentation, not from a live cluster "
        "(tests/unit/platforms/record_answers.py)",
        "sources": spec["sources"],
        "topics": topics,
    }


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for spec in PLATFORMS.values():
        keys = [*spec["reported"], *spec["refused"]]  # type: ignore[misc]
        assert all(k in TOPIC_CONFIGS or k.startswith(("redpanda.", "retention.local.")) for k in keys)
    for platform in PLATFORMS:
        text = json.dumps(answers(platform), indent=1, sort_keys=False) + "\n"
        (OUT / f"{platform}.json").write_text(text, encoding="utf-8")
        print(f"wrote {OUT / platform}.json")


if __name__ == "__main__":
    main()
