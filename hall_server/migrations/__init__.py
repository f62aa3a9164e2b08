"""Alembic migrations of the hall database (run by ``hall-server db upgrade`` and at ``serve``)."""
