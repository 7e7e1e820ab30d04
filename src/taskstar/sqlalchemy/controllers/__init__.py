"""HTTP in, service call, DTO out: no SQL and no session handling here."""
