"""Reviews of a catalog change without a cluster: `kgov diff --base REF` (what a pull request changes,
classified safe / attention / breaking) and the names a scoped plan (`kgov plan --base`) looks at."""
