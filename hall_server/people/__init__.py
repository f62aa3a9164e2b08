"""The people on file: who a one-time code or an e-ID is checked against (demo directory built in)."""
