"""Plan data, pure: the plan model (model.py, plan.schema.json), its fingerprint, the plan file and
its checks (planfile.py, verify.py) and the snapshot file (snapshotfile.py). Nothing here reads a
cluster or knows a kind; the engine that makes and applies plans is kgov/engine/."""
