"""The engine: everything that reads or writes a cluster for a plan, and that the commands call.

make.py (a plan, kind by kind), observe.py (the one read path of plan and audit: a ReadOnce port
per backend, reads.py, and the backends read at once, overlap.py), selfguard.py (kgov never plans a
change to its own login), snapshot.py (take a snapshot; plan from one), apply.py (execute a plan)
and audit_read.py (the audit's read). The data they make and take - the plan model, its
fingerprint, the plan and snapshot files - is kgov/plan/, below the kinds; the engine sits above them.
"""
