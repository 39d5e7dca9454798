"""Placeholder until the sandbox lands."""

import typer

app = typer.Typer(help="Run a real local Kafka (KRaft, SCRAM, TLS, ACLs) and Schema Registry.")
