"""The append-only audit log, chained by hashes."""
