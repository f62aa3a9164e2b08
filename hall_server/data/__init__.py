"""Packaged data files of the hall server (read with importlib.resources)."""
