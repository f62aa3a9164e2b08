"""Certificates the hall issues: A4 PDFs of a citizen's records, sealed, signed and verifiable by code."""
