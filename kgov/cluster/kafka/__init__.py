"""Kafka: the admin port (port.py, access_port.py), the librdkafka client settings (client_settings.py)
and, in adapter/, the only code that loads confluent_kafka's admin client."""
