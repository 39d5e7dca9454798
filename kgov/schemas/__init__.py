"""Schemas as code: parsing, normal forms and an offline compatibility checker (Avro, JSON Schema).

No module here talks to a registry; kgov/cluster/registry/adapter.py does. The checker gives the reasons a
registry cannot give (Apicurio's ccompat answers only `is_compatible`).
"""
