"""The broker-settings kind (its class comes from the settings helper's branch, i21-settings); here only
its governance findings, kgov/kinds/brokers/governance.py."""
