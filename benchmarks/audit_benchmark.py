"""`kgov audit` at scale on the in-memory cluster: 10,000 topics, 10,000 bindings (50 of them
prefixed), the example catalog. Prints the time to read and assemble the audit, to render the
HTML, and the HTML's size. Run: PYTHONPATH=$PWD python3 benchmarks/audit_benchmark.py"""

from __future__ import annotations

import time
from pathlib import Path

from kgov.access.binding import Binding
from kgov.audit.build import audit_cluster
from kgov.catalog.load import load_catalog
from kgov.cluster.memory import MemoryCluster
from kgov.kinds.base import Backends
from kgov.render import audit_html, audit_markdown


def main() -> None:
    catalog = load_catalog(Path(__file__).resolve().parents[1] / "catalog").catalog
    cluster = MemoryCluster(brokers=1)
    for i in range(10_000):
        cluster.add_topic(f"team{i % 50}.topic-{i}", 1, 1)
    literal = [
        Binding(f"User:svc{i % 1000}", "topic", "literal", f"team{i % 50}.topic-{i}", "READ")
        for i in range(9_950)
    ]
    cluster.create_acls(
        literal + [Binding(f"User:bi{i}", "topic", "prefixed", f"team{i}.", "READ") for i in range(50)]
    )
    start = time.monotonic()
    doc = audit_cluster(catalog, "local", Backends(kafka=cluster)).to_json()
    read = time.monotonic()
    page = audit_html.render(doc)
    html_done = time.monotonic()
    md = audit_markdown.render(doc)
    print(
        f"audit {read - start:.1f} s, html {html_done - read:.1f} s ({len(page.encode()) / 1e6:.2f} MB), "
        f"markdown {time.monotonic() - html_done:.1f} s ({len(md.encode()) / 1e6:.2f} MB); "
        f"{doc['summary']['cells']} matrix cells"
    )


if __name__ == "__main__":
    main()
