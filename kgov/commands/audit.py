"""`kgov audit`: what is true on the cluster now, as JSON, Markdown or one self-contained HTML file."""

from __future__ import annotations

import sys
from pathlib import Path

from kgov.audit.build import audit_catalog, audit_cluster
from kgov.commands.common import checked_catalog, connect, err, working
from kgov.errors import EXIT_OK
from kgov.kinds.base import Backends
from kgov.outfile import check_output_file, write_atomically
from kgov.render.formats import AUDIT
from kgov.sanitize import printable


def run_audit(
    catalog_dir: Path,
    env: str,
    *,
    fmt: str = AUDIT.default,
    out: Path | None = None,
    catalog_only: bool = False,
    backends: Backends | None = None,
) -> int:
    render = AUDIT[fmt]
    if out is not None:
        check_output_file(out, catalog_dir)  # before any work: a refusal costs nothing
    catalog = checked_catalog(catalog_dir, env)
    if catalog_only:
        audit = audit_catalog(catalog, env)
    else:
        ports = backends if backends is not None else connect(catalog, env)
        with working(f"reading the cluster of environment '{env}'"):
            audit = audit_cluster(catalog, env, ports)
    text = render(audit.to_json())
    if out is None:
        sys.stdout.write(text)
    else:
        write_atomically(out, text)
        err.print(printable(f"Wrote the audit to {out}."), markup=False)
    return EXIT_OK
