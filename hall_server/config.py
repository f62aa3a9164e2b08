"""Settings of one hall server process, validated where they are made."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATA_DIR = Path.home() / ".local" / "share" / "gov-kiosk"
DEMO_KIOSK_TOKEN = "demo-kiosk-token-HQ"


class ConfigError(ValueError):
    """A setting that cannot be used; the message is one line for the operator."""


def data_dir_from_env() -> Path:
    """``$HALL_DATA_DIR`` or the default data directory."""
    raw = os.environ.get("HALL_DATA_DIR")
    return Path(raw).expanduser() if raw else DEFAULT_DATA_DIR


def default_db_url(data_dir: Path) -> str:
    """The embedded SQLite database inside the data directory."""
    return f"sqlite:///{data_dir / 'hall.sqlite3'}"


@dataclass(frozen=True)
class Settings:
    """What a hall server needs to run; ``db_url`` is a SQLAlchemy URL (sqlite or postgresql+psycopg)."""

    db_url: str
    data_dir: Path = field(default_factory=data_dir_from_env)
    demo: bool = False
    public_base_url: str | None = None
    max_body_bytes: int = 64 * 1024
    staff_session_ttl_s: int = 12 * 3600
    kiosk_offline_after_s: int = 90
    idempotency_ttl_s: int = 24 * 3600
    db_pool_size: int = 20
    # How long a request waits for a SQLite lock another process holds before it is answered 503.
    db_busy_timeout_s: float = 10.0
    # Per caller (known token, else client address): a burst, then a steady rate. Generous on purpose:
    # a kiosk makes about one request a second, a busy console a few.
    rate_limit_enabled: bool = True
    rate_limit_burst: int = 600
    rate_limit_per_s: float = 30.0
    # Failed sign-ins, per account and address and per address; one comes back every refill period.
    login_failures_per_username: int = 5
    login_failures_per_address: int = 20
    login_failure_refill_s: float = 60.0
    # Proof of presence (DESIGN §4.5): where one-time codes go ("none": challenges answer
    # sms_unavailable; "demo": <data dir>/demo-sms.log), and the e-ID issuers the hall trusts (PEM
    # files or directories of them; the demo issuer's key lives in <data dir>/eid-issuer/).
    sms_adapter: str = "none"
    # Who tells a citizen their turn is near ("none"; "demo": a log line naming the ticket number only).
    notice_adapter: str = "none"
    eid_issuer_keys: tuple[Path, ...] = ()
    eid_trust_demo_issuer: bool = False
    # After the free failures of an account at an address, the wait doubles from the base; the right
    # password is never refused for longer than the maximum, however many wrong ones came before.
    login_backoff_base_s: float = 15.0
    login_max_backoff_s: float = 60.0
    # Reverse proxies (CIDRs) whose X-Forwarded-For names the real client; none by default.
    trusted_proxies: tuple[str, ...] = ()
    # Calling screens: a hall's own voice packs (DIR/<name>/manifest.json), and how often an idle event
    # stream sends a comment so that proxies keep it open and a gone screen is noticed.
    voice_packs_dir: Path | None = None
    stream_keepalive_s: float = 15.0
    # Several nodes (DESIGN §4.9): the Redis they share (redis://HOST:PORT/N), with PostgreSQL only.
    redis_url: str | None = None

    def __post_init__(self) -> None:
        if not (self.db_url.startswith("sqlite:") or self.db_url.startswith("postgresql")):
            raise ConfigError(f"unsupported database URL scheme: {self.db_url.split(':', 1)[0]!r}")
        if self.max_body_bytes < 1024:
            raise ConfigError("max_body_bytes must be at least 1024")
        if self.staff_session_ttl_s <= 0 or self.kiosk_offline_after_s <= 0 or self.idempotency_ttl_s <= 0:
            raise ConfigError("durations must be positive")
        if self.db_pool_size < 1:
            raise ConfigError("db_pool_size must be at least 1")
        if min(self.rate_limit_burst, self.login_failures_per_username, self.login_failures_per_address) < 1:
            raise ConfigError("rate limit bursts must be at least 1")
        if self.sms_adapter not in ("none", "demo"):
            raise ConfigError("sms_adapter must be 'none' or 'demo'")
        if self.notice_adapter not in ("none", "demo"):
            raise ConfigError("notice_adapter must be 'none' or 'demo'")
        if min(self.rate_limit_per_s, self.login_failure_refill_s, self.login_max_backoff_s,
               self.login_backoff_base_s) <= 0:
            raise ConfigError("rate limit refill rates must be positive")
        if self.stream_keepalive_s <= 0:
            raise ConfigError("stream_keepalive_s must be positive")
        if self.redis_url is not None:
            if not self.redis_url.startswith(("redis://", "rediss://", "unix://")):
                raise ConfigError("redis_url_invalid: --redis takes a redis://HOST:PORT/N URL")
            if self.is_sqlite:
                raise ConfigError("redis_needs_postgresql: --redis makes this node one of several sharing "
                                  "a database, which SQLite cannot be; serve with --db "
                                  "postgresql+psycopg://... or leave out --redis for one node")
        for cidr in self.trusted_proxies:
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError as exc:
                raise ConfigError(f"--trusted-proxy: not a CIDR: {cidr!r}") from exc

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite:")

    @classmethod
    def from_env(cls, db_url: str | None = None, *, demo: bool = False,
                 redis_url: str | None = None) -> Settings:
        """Settings from arguments and the environment (``HALL_DB_URL``, ``HALL_DATA_DIR``,
        ``HALL_EID_ISSUER_KEYS``: PEM files or directories separated by the path separator)."""
        data_dir = data_dir_from_env()
        url = db_url or os.environ.get("HALL_DB_URL") or default_db_url(data_dir)
        listed = os.environ.get("HALL_EID_ISSUER_KEYS", "").split(os.pathsep)
        keys = tuple(Path(p).expanduser() for p in listed if p)
        return cls(db_url=url, data_dir=data_dir, demo=demo,
                   public_base_url=os.environ.get("HALL_PUBLIC_URL") or None,
                   sms_adapter="demo" if demo else "none", notice_adapter="demo" if demo else "none",
                   eid_issuer_keys=keys, eid_trust_demo_issuer=demo, redis_url=redis_url)
