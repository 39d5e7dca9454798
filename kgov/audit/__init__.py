"""`kgov audit`: what is true on the cluster now (drift, unmanaged resources, live policy
violations, who may do what on which topic, and who feeds whom). JSON format: docs/audit.md."""
