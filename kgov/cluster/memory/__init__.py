"""In-memory twins of the ports, with the backends' rules, for unit tests and benchmarks: the Kafka
admin port (kafka.py with access.py and usage.py) and the Schema Registry (registry.py). No command
uses them."""
