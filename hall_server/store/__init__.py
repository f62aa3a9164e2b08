"""Persistence of the hall server: tables, connections, schema migrations and repositories."""
