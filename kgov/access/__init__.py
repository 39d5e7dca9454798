"""Access as code: ACL bindings and SCRAM users derived from the catalog's acls/ files."""
