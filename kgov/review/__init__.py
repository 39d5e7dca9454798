"""Reviews of a catalog change without a cluster: `kgov diff --base REF` (what a pull request changes,
classified safe / attention / breaking) and the names a scoped plan (`kgov plan --base`) looks at.

No kind is named here: each kind says why its changes matter and where they are written through
its capabilities (`ClassifiesChanges`, `Locates` in kgov/kinds/base.py); kgov/review/classify.py
holds only the generic classes of a kind that does not."""
