"""`kgov import`: write catalog files for what a live cluster holds beyond the catalog.

Each kind that declares `Imports` (kgov/kinds/base.py) says which files it would write, in the
registry's order: today the unowned, unprotected topics (kgov/kinds/topics/imports.py) and the
principals whose ACL bindings the catalog does not declare (kgov/kinds/acl/imports.py), written so
that the next plan shows no change for them. The kinds read through one port per backend whose
whole-cluster reads are made once. Every target is checked before the first file is written;
each is written atomically, with the editor schemas the files name; then lint's verdict on them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from kgov.catalog.load import load_catalog
from kgov.catalog.resolve import environment
from kgov.commands.common import connect, out, settings_catalog, working
from kgov.engine.observe import Ports
from kgov.errors import EXIT_OK, KgovError
from kgov.kinds import KINDS
from kgov.kinds.base import EDITOR_SCHEMAS, Backends, Imported, Imports, Kind
from kgov.outfile import check_new_file, write_atomically
from kgov.policy import lint
from kgov.sanitize import printable

LEFT_OUT_SHOWN = 10  # of each kind's resources that are not imported, the first ones are listed


def run_import(
    catalog_dir: Path,
    env_name: str,
    *,
    out_dir: Path,
    backends: Backends | None = None,
    kinds: Sequence[Kind] = KINDS,
) -> int:
    catalog = settings_catalog(catalog_dir)
    env = environment(catalog, env_name)
    ports = Ports(backends if backends is not None else connect(catalog, env_name))
    found: list[Imported] = []
    with working(f"reading the cluster of environment '{env_name}'"):
        for kind in kinds:
            port = ports.get(kind.backend) if isinstance(kind, Imports) else None
            if isinstance(kind, Imports) and port is not None:  # connect() opens the Kafka port always
                found.append(kind.import_files(port, catalog, env))
    for imported in found:
        if imported.left_out is not None:
            out.print(f"Not imported: {imported.left_out.heading}:")
            for name, why in imported.left_out.why[:LEFT_OUT_SHOWN]:
                out.print(f"  {printable(name)}: {printable(why)}", markup=False)  # from the cluster
    files = [(out_dir / f.path, f) for imported in found for f in imported.files]
    if not files:
        out.print(
            f"Nothing to import: {_series([i.everything for i in found], ' and ')} on the cluster are "
            "in the catalog already."
        )
        return EXIT_OK
    schema_copies = _schema_copies(out_dir, [s for i in found if i.files for s in i.schemas])
    existing = [str(p) for p, _ in files if os.path.lexists(p)]
    if existing:  # check everything before writing anything
        raise KgovError(
            f"refusing to overwrite {', '.join(existing)}; nothing was written",
            hint="import into an empty folder (--out) and merge the files by hand",
        )
    for target in [*(p for p, _ in files), *schema_copies]:
        check_new_file(target, out_dir)  # no symlinked folder on the way leads out of --out
    for target, imported_file in files:
        write_atomically(target, imported_file.text)
        # --out may hold '[/]', the notes names from the cluster: neither is markup
        out.print(f"wrote {printable(str(target))} ({printable(imported_file.note)})", markup=False)
    for target, text in schema_copies.items():
        write_atomically(target, text)
        shown = printable(str(target))
        out.print(f"wrote {shown} (for editors: the yaml-language-server lines point at it)", markup=False)
    out.print(f"\nImported {_series([i.summary for i in found], ', and ')}.")
    if (out_dir / "kgov.yaml").is_file():  # a whole catalog: say now what lint will say
        written = {str(p) for p, _ in files}
        problems = [d for d in lint(load_catalog(out_dir)) if d.is_error and d.location.file in written]
        if problems:
            rules = ", ".join(sorted({d.rule for d in problems}))
            out.print(
                f"Lint finds {len(problems)} error(s) in the imported files ({rules}): the cluster breaks "
                f"the catalog's policy there. Fix or rename, or relax policy.rules: "
                f"`kgov lint {printable(str(out_dir))}`.",
                markup=False,
            )
    out.print(
        "Next: set each file's owner and the descriptions, run `kgov lint`, then "
        f"`kgov plan --env {printable(env_name)}` shows no change for what was imported.",
        markup=False,
    )
    return EXIT_OK


def _series(parts: Sequence[str], last: str) -> str:
    """'a, b{last}c': the kinds' parts of one sentence, in the kinds' order."""
    if len(parts) < 2:
        return "".join(parts) or "everything"
    return ", ".join(parts[:-1]) + last + parts[-1]


def _schema_copies(out_dir: Path, schemas: list[str]) -> dict[Path, str]:
    """The JSON Schemas the imported files name, to copy into the catalog where none is yet."""
    copies = {}
    for schema in schemas:
        target = out_dir / EDITOR_SCHEMAS / f"{schema}.schema.json"
        if not os.path.lexists(target) and target not in copies:
            copies[target] = (
                resources.files("kgov.catalog").joinpath(f"schemas/{schema}.schema.json").read_text("utf-8")
            )
    return copies
