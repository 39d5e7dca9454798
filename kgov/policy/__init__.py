"""Lint rules over the catalog model: a registry of rules, one module per family, and the engine."""

from kgov.policy.engine import check, lint

__all__ = ["check", "lint"]
