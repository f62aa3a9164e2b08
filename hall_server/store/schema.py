"""Schema migrations in code, so ``hall-server db upgrade`` works from an installed package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.exc import OperationalError

from hall_server.config import ConfigError
from hall_server.store.database import Database

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(db: Database) -> None:
    """Bring the schema to the newest revision (a no-op when it is already there)."""
    cfg = alembic_config(db.url)
    try:
        with db.write() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except OperationalError as exc:
        raise ConfigError(f"cannot reach the database: {exc.orig}") from exc
