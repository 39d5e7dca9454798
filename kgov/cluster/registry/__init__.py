"""Schema Registry: the port (port.py) and its HTTP adapter (adapter.py), the only code speaking HTTP
to a registry."""
