"""Catalog schemas compiled ahead of time by fastjsonschema (generated: see kgov/catalog/fastcheck.py)."""
