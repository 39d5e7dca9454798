"""The ports through which kgov talks to its backends, and their adapters, one package a backend:
kafka/ (port, client settings, adapter/ over confluent_kafka), registry/ (port, HTTP adapter),
memory/ (in-memory twins for tests). Shared by the adapters: interrupt.py (Ctrl-C during blocking
calls) and pool.py (bounded concurrency)."""
