"""The loader's rules: YAML syntax, the catalog's JSON Schemas, and the folder layout.

`kgov.catalog.load` reports these while reading; they are registered here so that they are
documented and known to `policy.rules`. They cannot be turned off: a file that fails them
contributes nothing to the model, so silencing them would hide every topic in that file.
"""

from __future__ import annotations

from kgov.catalog.load import RULE_FILES, RULE_STRUCTURE, RULE_YAML
from kgov.diagnostics import Severity
from kgov.policy.registry import Example, Rule, register

register(
    Rule(
        RULE_YAML,
        "valid YAML",
        "structure",
        Severity.ERROR,
        "the file is not valid YAML (syntax, tabs, duplicate keys, non-UTF-8 bytes, too big, too deep, "
        "alias bombs)",
        "fix the YAML at the position given; YAML indents with spaces, never tabs",
        "Every catalog file must be one UTF-8 YAML document. A mapping must not repeat a key (YAML "
        "parsers silently keep the last one; kgov refuses). To keep linting fast and safe on any input, "
        "files over 5 MiB, nesting deeper than 64 levels and aliases that repeat more than 100,000 "
        "nodes are refused. A file with a YAML error contributes nothing else to the lint.",
        (
            Example(
                False,
                {"topics/orders.yaml": "service: orders\nservice: payments\ntopics: []\n"},
                line=2,
                note="a duplicate key",
            ),
            Example(
                False,
                {"topics/orders.yaml": "service: orders\ntopics:\n\t- name: orders.created\n"},
                line=3,
                note="a tab in the indentation",
            ),
        ),
        configurable=False,
    )
)

register(
    Rule(
        RULE_STRUCTURE,
        "catalog file structure",
        "structure",
        Severity.ERROR,
        "a field is unknown, missing, of the wrong type or has a value that is not allowed",
        "compare with the file format in docs/catalog.md; unknown fields come with a did-you-mean",
        "Each file kind has a published JSON Schema (kgov/catalog/schemas/*.schema.json) that editors can "
        "use for completion. Unknown fields are errors (a typo like `replication_facter` must not be "
        "ignored) and come with the closest known field name. An empty file is an error too. At most "
        "100 structure problems are listed per file, then one more counts the rest.",
        (
            Example(
                False,
                {
                    "topics/orders.yaml": (
                        "service: orders\ntopics:\n  - name: orders.created\n    partitions: 6\n"
                        "    replication_facter: 3\n"
                    )
                },
                line=5,
                note="a misspelt field (reported with: did you mean 'replication_factor'?)",
            ),
            Example(
                True,
                {
                    "topics/orders.yaml": (
                        "service: orders\nowner: team-orders\ntopics:\n  - name: orders.created\n"
                        "    description: An order was placed.\n    partitions: 6\n"
                        "    replication_factor: 3\n    config: {min.insync.replicas: 2}\n"
                        "    value_schema: orders.created-value\n"
                    )
                },
            ),
        ),
        configurable=False,
    )
)

register(
    Rule(
        RULE_FILES,
        "catalog folder layout",
        "structure",
        Severity.ERROR,
        "kgov.yaml is missing, a file cannot be read, or a folder holds something that is not a catalog file",
        "keep kgov.yaml, topics/<service>.yaml, acls/<service>.yaml and schemas/<subject>.avsc|.json",
        "The catalog folder holds `kgov.yaml`, `topics/`, `acls/` and `schemas/`. A missing `kgov.yaml`, "
        "an unreadable file, a folder or a broken symlink named like a catalog file, and two schema files "
        "for one subject are errors. Other files in those folders (a README, say) are ignored with a "
        "warning. A catalog is read up to 50,000 files and 32 MiB in all: the first file past that is an "
        "error, and the files after it are counted in one more.",
        (
            Example(
                False,
                {"schemas/orders.created-value.json": '{"type": "object"}\n'},
                line=1,
                note="two schema files for the subject orders.created-value (.avsc and .json)",
            ),
        ),
        configurable=False,
    )
)
