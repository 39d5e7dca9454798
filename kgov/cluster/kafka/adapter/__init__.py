"""The Kafka admin port over a real broker (admin.py's KafkaCluster, with its access, usage and login
parts): the only package of kgov, besides the sandbox, that imports confluent_kafka."""
