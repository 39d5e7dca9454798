"""The real local Kafka + Schema Registry used by the demo, development and the integration tests."""
