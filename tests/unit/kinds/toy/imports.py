"""The toy kind's `kgov import`: budgets on the toy store that the catalog does not declare become
budgets/<user>.yaml, one file per principal (a principal a catalog cannot declare is left out)."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from typing import Any

from kgov.catalog.model import Catalog, Environment
from kgov.kinds.base import Imported, ImportedFile, Imports, LeftOut


class ImportsBudgets(Imports):
    @abstractmethod
    def desired(self, catalog: Catalog, env: Environment) -> Mapping[str, Any]: ...  # the kind's own

    def import_files(self, backend: Any, catalog: Catalog, env: Environment) -> Imported:
        backend.toy.requests.append("describe_budgets")  # one read, whatever the count
        declared = self.desired(catalog, env)
        found = {p: q for p, q in sorted(backend.toy.budgets.items()) if p not in declared}
        wanted = {p: q for p, q in found.items() if p.startswith("User:")}
        skipped = tuple((p, "a catalog principal is User:<name>") for p in found if p not in wanted)
        files = tuple(
            ImportedFile(
                f"budgets/{principal.removeprefix('User:')}.yaml",
                f"principal: {principal}\nrate: {rate}\n",
                f"{principal} at {rate} KB/s",
            )
            for principal, rate in wanted.items()
        )
        return Imported(
            files=files,
            summary=f"{len(files)} budget{'s' * (len(files) != 1)}",
            everything="every budget",
            left_out=LeftOut(f"the budgets of {len(skipped)} principal(s)", skipped) if skipped else None,
        )
