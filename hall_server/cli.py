"""``hall-server``: serve, kiosk add/list/revoke/rotate, staff add/disable/enable/password, calendar load,
db upgrade, signing init, eid, device add/list/revoke, fonts prepare (DESIGN §4.4, §4.5, §4.6)."""

from __future__ import annotations

import argparse
import asyncio
import gc
import getpass
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from hall_server.clock import Clock, RunningClock, SystemClock
from hall_server.config import ConfigError, Settings
from hall_server.device_command import DeviceUsageError, add_device_parser, run_device
from hall_server.eid_command import EidUsageError, add_eid_parser, run_eid
from hall_server.fonts_command import FontsUsageError, add_fonts_parser, run_fonts
from hall_server.store import identities, schema
from hall_server.store.database import Database
from hall_server.tls import check_tls_files


class UsageError(Exception):
    """A bad argument or setting: one line on stderr, exit code 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hall-server", description="Hall server of the kiosk stack")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--db", metavar="URL")
    serve.add_argument("--demo", action="store_true", help="seed and accept the demo site, staff and kiosk")
    serve.add_argument("--no-demo-history", action="store_true",
                       help="with --demo, leave out the 30 past days of activity (tests and benchmarks that "
                            "start many halls: the month takes seconds to write)")
    serve.add_argument("--db-pool-size", metavar="N", type=int,
                       help="PostgreSQL: writes run at once, and connections each of the node's two pools "
                            "keeps (default 20; opened as the node starts)")
    serve.add_argument("--redis", metavar="URL",
                       help="redis://HOST:PORT/N shared with the other nodes of this hall (PostgreSQL only)")
    serve.add_argument("--rate-limit-burst", metavar="N", type=int,
                       help="requests a caller may make at once (default 600)")
    serve.add_argument("--rate-limit-per-s", metavar="R", type=float,
                       help="requests a caller may make each second after its burst (default 30)")
    serve.add_argument("--now", metavar="ISO", help="start the clock at this instant (with a UTC offset)")
    serve.add_argument("--public-url", metavar="URL", help="base of tracking links printed on tickets")
    serve.add_argument("--no-rate-limit", action="store_true",
                       help="answer every caller however fast it asks (load tests)")
    serve.add_argument("--trusted-proxy", metavar="CIDR", action="append", default=[],
                       help="a reverse proxy whose X-Forwarded-For is believed (repeatable; none by default)")
    serve.add_argument("--voice-packs", metavar="DIR", type=Path,
                       help="the hall's own voice packs for calling screens: DIR/<name>/manifest.json, "
                            "chosen by a site's [floor] voice_pack")
    serve.add_argument("--tls-cert", metavar="FILE", type=Path,
                       help="serve HTTPS and WSS with this PEM certificate (its chain after it)")
    serve.add_argument("--tls-key", metavar="FILE", type=Path, help="the certificate's PEM private key")
    serve.add_argument("--log-level", default="warning",
                       choices=["critical", "error", "warning", "info", "debug"])

    kiosk = sub.add_parser("kiosk", help="kiosk registrations").add_subparsers(dest="action", required=True)
    kiosk_add = kiosk.add_parser("add", help="register a kiosk; prints its token as the last line")
    kiosk_add.add_argument("name")
    kiosk_add.add_argument("--site", required=True)
    kiosk_add.add_argument("--db", metavar="URL")
    kiosk_list = kiosk.add_parser("list", help="kiosks with their site, creation, last use and revocation")
    kiosk_list.add_argument("--db", metavar="URL")
    for action, text in (("revoke", "stop a kiosk's token from working"),
                         ("rotate", "a new token, printed as the last line; the old one stops")):
        kiosk_action = kiosk.add_parser(action, help=text)
        kiosk_action.add_argument("name")
        kiosk_action.add_argument("--db", metavar="URL")

    staff = sub.add_parser("staff", help="staff accounts").add_subparsers(dest="action", required=True)
    staff_add = staff.add_parser("add", help="create a staff account")
    staff_add.add_argument("username")
    staff_add.add_argument("--role", required=True, choices=list(identities.ROLES))
    staff_add.add_argument("--password-stdin", action="store_true", required=True,
                           help="read the password from the first line of stdin")
    staff_add.add_argument("--display-name")
    staff_add.add_argument("--db", metavar="URL")
    for action, text in (("disable", "refuse the account's sign-in and end its sessions"),
                         ("enable", "let a disabled account sign in again")):
        staff_action = staff.add_parser(action, help=text)
        staff_action.add_argument("username")
        staff_action.add_argument("--db", metavar="URL")
    staff_password = staff.add_parser("password", help="set a new password; the account's sessions end")
    staff_password.add_argument("username")
    staff_password.add_argument("--password-stdin", action="store_true", required=True,
                                help="read the password from the first line of stdin")
    staff_password.add_argument("--db", metavar="URL")

    calendar_cmd = sub.add_parser("calendar", help="holiday calendars")
    calendar = calendar_cmd.add_subparsers(dest="action", required=True)
    calendar_load = calendar.add_parser("load", help="load an operator holiday file (calendar/<year>.toml)")
    calendar_load.add_argument("file", type=Path)
    calendar_load.add_argument("--db", metavar="URL")

    signing = sub.add_parser("signing", help="the key that signs certificates").add_subparsers(
        dest="action", required=True)
    signing_init = signing.add_parser("init", help="make a demo CA and signing certificate (demo only)")
    signing_init.add_argument("--dir", type=Path, help="where to write them (default: <data dir>/signing)")
    signing_init.add_argument("--force", action="store_true", help="replace an existing key")

    add_eid_parser(sub)
    add_device_parser(sub)
    db = sub.add_parser("db", help="database schema").add_subparsers(dest="action", required=True)
    db_upgrade = db.add_parser("upgrade", help="bring the schema to the newest revision")
    db_upgrade.add_argument("--db", metavar="URL")
    add_fonts_parser(sub)
    return parser


def _open(url: str | None, *, demo: bool = False, redis_url: str | None = None,
          pool_size: int | None = None) -> tuple[Settings, Database]:
    settings = Settings.from_env(url, demo=demo, redis_url=redis_url)
    if pool_size is not None:
        settings = Settings(**{**settings.__dict__, "db_pool_size": pool_size})
    db = Database(settings.db_url, pool_size=settings.db_pool_size,
                  busy_timeout_s=settings.db_busy_timeout_s)
    schema.upgrade(db)
    return settings, db


def _clock(now: str | None) -> Clock:
    if now is None:
        return SystemClock()
    try:
        start = datetime.fromisoformat(now)
    except ValueError as exc:
        raise UsageError(f"--now: not an ISO 8601 instant: {now!r}") from exc
    if start.tzinfo is None:
        raise UsageError("--now: the instant needs a UTC offset, e.g. 2026-11-25T10:00:00+08:00")
    if not 2000 <= start.year <= 2100:
        raise UsageError("--now: the hall plans the years 2000 to 2100")
    return RunningClock(start)


def _serve(args: argparse.Namespace) -> None:
    import uvicorn

    from hall_server.app import create_app
    from hall_server.demo import seed_demo, station_token
    from hall_server.state.identity_kit import DEMO_SMS_FILE
    from hall_server.store.devices import DEMO_DEVICES
    from hall_server.token_masking import install_token_masking

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port: out of range: {args.port}")
    clock = _clock(args.now)
    tls = check_tls_files(args.tls_cert, args.tls_key)
    settings, db = _open(args.db, demo=args.demo, redis_url=args.redis, pool_size=args.db_pool_size)
    if settings.redis_url is not None:
        from hall_server.state.redis_link import RedisLink

        RedisLink(settings.redis_url).check()  # before the demo is seeded: one clear line, nothing done
    if args.public_url:
        settings = Settings(**{**settings.__dict__, "public_base_url": args.public_url})
    if args.no_rate_limit:
        settings = Settings(**{**settings.__dict__, "rate_limit_enabled": False})
    if args.rate_limit_burst is not None:
        settings = Settings(**{**settings.__dict__, "rate_limit_burst": args.rate_limit_burst})
    if args.rate_limit_per_s is not None:
        settings = Settings(**{**settings.__dict__, "rate_limit_per_s": args.rate_limit_per_s})
    if args.trusted_proxy:
        settings = Settings(**{**settings.__dict__, "trusted_proxies": tuple(args.trusted_proxy)})
    if args.voice_packs:
        settings = Settings(**{**settings.__dict__, "voice_packs_dir": args.voice_packs.expanduser()})
    if args.demo:
        token = seed_demo(db, clock.now(), settings.data_dir)
        print(f"demo kiosk kiosk-01 token: {token}", flush=True)
        print(f"demo kiosk station-01 (ST01) token: {station_token(settings.data_dir)}", flush=True)
        print(f"demo SMS codes are written to {settings.data_dir / DEMO_SMS_FILE}", flush=True)
        for device in DEMO_DEVICES:
            print(f"demo {device.kind} {device.name} token: {device.token}", flush=True)
        print(f"demo rating pad: /rate/HQ/15#token={DEMO_DEVICES[0].token}", flush=True)
        if not args.no_demo_history:
            _demo_history(db, clock.now())
    app = create_app(settings, clock=clock, db=db, fill_pools=True)
    # Objects made at start-up live as long as the process: keep them out of every later collection,
    # and collect young objects less often, so garbage collection does not stall requests.
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 50)
    config = uvicorn.Config(app, host=args.host, port=args.port, log_level=args.log_level,
                            access_log=False, lifespan="on", timeout_graceful_shutdown=5,
                            # The hall reads X-Forwarded-For itself, from --trusted-proxy peers only.
                            proxy_headers=False,
                            ssl_certfile=tls[0] if tls else None, ssl_keyfile=tls[1] if tls else None)
    # uvicorn has just set up its log handlers: mask tokens on them too.
    install_token_masking()
    server = uvicorn.Server(config)

    async def run() -> None:
        task = asyncio.create_task(server.serve())
        while not server.started:
            if task.done():
                break
            await asyncio.sleep(0.02)
        if server.started:
            port = server.servers[0].sockets[0].getsockname()[1]
            scheme = "https" if tls else "http"
            print(f"listening on {scheme}://{args.host}:{port}", flush=True)
            if args.demo:
                print(f"calling screen: {scheme}://{args.host}:{port}/display/HQ", flush=True)
        await task
        if not server.started:
            raise UsageError(f"cannot listen on {args.host}:{args.port}")

    try:
        with asyncio.Runner(loop_factory=_event_loop_factory()) as runner:
            runner.run(run())
    finally:
        db.dispose()


def _event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop where it is installed (uvicorn[standard] brings it), as ``uvicorn.run`` would
    choose: serving through ``Server.serve`` inside our own loop skipped that choice. With it a ticket
    costs the hall about a tenth less CPU (PostgreSQL, 50 clients, five runs each way in turn)."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def _demo_history(db: Database, now: datetime) -> None:
    """Thirty past days of simulated activity for the management web, made once and kept."""
    from hall_server.demo import DEMO_SITE
    from hall_server.demo_history import fill_demo_history
    from hall_server.state.calendar_book import CalendarBook

    started = time.monotonic()
    written = fill_demo_history(db, CalendarBook(db).site(DEMO_SITE), now)
    if written:
        took = time.monotonic() - started
        print(f"demo history: {written} events of 30 past days in {took:.1f} s", flush=True)


def _kiosk_add(args: argparse.Namespace) -> None:
    from hall_server.usecases.sites import site_profile

    _settings, db = _open(args.db)
    now = SystemClock().now()
    try:
        with db.write() as conn:
            if not identities.site_exists(conn, args.site):
                try:
                    profile = site_profile(args.site)
                except KeyError as exc:
                    raise UsageError(f"unknown_site: no site {args.site!r} is defined") from exc
                identities.ensure_site(conn, args.site, profile.name("zh-Hans"), profile.timezone_name, now)
            token = identities.add_kiosk(conn, args.name, args.site, now)
    except identities.IdentityError as exc:
        raise UsageError(f"{exc.code}: {exc}") from exc
    finally:
        db.dispose()
    print(f"kiosk {args.name} registered at site {args.site}; its token:")
    print(token)


def _staff_add(args: argparse.Namespace) -> None:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise UsageError("no password on stdin")
    _settings, db = _open(args.db)
    try:
        with db.write() as conn:
            identities.add_staff(conn, args.username, args.role, password, SystemClock().now(),
                                 display_name=args.display_name)
    except identities.IdentityError as exc:
        raise UsageError(f"{exc.code}: {exc}") from exc
    finally:
        db.dispose()
    print(f"staff {args.username} ({args.role}) added")


def _kiosk_list(args: argparse.Namespace) -> None:
    from hall_server.store import access

    _settings, db = _open(args.db)
    try:
        with db.read() as conn:
            kiosks = access.list_kiosks(conn)
    finally:
        db.dispose()
    print("name\tsite\tcreated\tlast used\trevoked")
    for k in kiosks:
        print("\t".join([k.name, k.site, k.created_at.isoformat(timespec="seconds"),
                         k.last_used_at.isoformat(timespec="seconds") if k.last_used_at else "-",
                         k.revoked_at.isoformat(timespec="seconds") if k.revoked_at else "-"]))


def _kiosk_change(args: argparse.Namespace) -> None:
    from hall_server.store import access

    _settings, db = _open(args.db)
    try:
        with db.write() as conn:
            if args.action == "revoke":
                access.revoke_kiosk(conn, args.name, SystemClock().now())
                token = None
            else:
                token = access.rotate_kiosk(conn, args.name, SystemClock().now())
    except identities.IdentityError as exc:
        raise UsageError(f"{exc.code}: {exc}") from exc
    finally:
        db.dispose()
    if token is None:
        print(f"kiosk {args.name} revoked; a running hall closes its connections")
    else:
        print(f"kiosk {args.name} has a new token; the old one no longer works:")
        print(token)


def _staff_change(args: argparse.Namespace) -> None:
    from hall_server.store import access

    password = ""
    if args.action == "password":
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise UsageError("no password on stdin")
    _settings, db = _open(args.db)
    now = SystemClock().now()
    try:
        with db.write() as conn:
            if args.action == "disable":
                access.disable_staff(conn, args.username, now)
            elif args.action == "enable":
                access.enable_staff(conn, args.username, now)
            else:
                access.set_password(conn, args.username, password, now)
    except identities.IdentityError as exc:
        raise UsageError(f"{exc.code}: {exc}") from exc
    finally:
        db.dispose()
    done = {"disable": "disabled; its sessions ended", "enable": "enabled",
            "password": "has a new password; its sessions ended"}
    print(f"staff {args.username} {done[args.action]}")


def _command_line_actor() -> str:
    """Who ran the command, as the audit names them: ``cli:`` and the OS account (a staff name has no
    colon, so the two cannot be taken for each other)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name in the environment and no passwd entry (a bare container)
        user = f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"
    return f"cli:{user}"[:64]


def _calendar_load(args: argparse.Namespace) -> None:
    from hall_server.domain.holidays import CalendarFileError, parse_calendar_text
    from hall_server.store import audit, calendars
    from hall_server.usecases.admin_calendar import year_counts

    try:
        text = args.file.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {args.file}: {exc}") from exc
    try:
        year = parse_calendar_text(text, source=str(args.file))
    except CalendarFileError as exc:
        raise UsageError(str(exc)) from exc
    _settings, db = _open(args.db)
    now = SystemClock().now()
    try:
        # Audited as the management page's load is, in the same transaction, by the operator's account.
        with db.write() as conn:
            calendars.store_year(conn, year.year, text, now)
            audit.log_admin(conn, now, _command_line_actor(), "calendar", "load_year", str(year.year),
                            {**year_counts(year), "file": str(args.file.resolve())})
    finally:
        db.dispose()
    print(f"calendar {year.year} loaded: {len(year.holidays)} holiday days, "
          f"{len(year.adjusted_workdays)} adjusted working days")


def _db_upgrade(args: argparse.Namespace) -> None:
    _settings, db = _open(args.db)
    db.dispose()
    print("schema is current")


def _signing_init(args: argparse.Namespace) -> None:
    from hall_server.config import data_dir_from_env
    from hall_server.demo import DEMO_SITE
    from hall_server.documents.demo_ca import make_demo_identity
    from hall_server.usecases.sites import site_profile

    directory = args.dir.expanduser() if args.dir else data_dir_from_env() / "signing"
    if (directory / "signing-key.pem").exists() and not args.force:
        raise UsageError(f"a signing key already exists in {directory}; --force replaces it")
    identity = make_demo_identity(directory, site_profile(DEMO_SITE).name("zh-Hans"))
    print(f"demo signing key:   {identity.key_path} (owner-readable only)")
    print(f"certificate chain:  {identity.chain_path}")
    print(f"demo root CA:       {identity.ca_path} (trust it in a PDF reader to see the signature valid)")
    if args.dir:
        print(f"serve with HALL_SIGNING_KEY={identity.key_path} HALL_SIGNING_CHAIN={identity.chain_path}")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handlers = {"serve": _serve, "kiosk": _kiosk_add, "staff": _staff_add, "calendar": _calendar_load,
                "db": _db_upgrade, "signing": _signing_init, "eid": run_eid, "device": run_device,
                "fonts": run_fonts}
    actions = {("kiosk", "list"): _kiosk_list, ("kiosk", "revoke"): _kiosk_change,
               ("kiosk", "rotate"): _kiosk_change, ("staff", "disable"): _staff_change,
               ("staff", "enable"): _staff_change, ("staff", "password"): _staff_change}
    try:
        actions.get((args.command, str(getattr(args, "action", ""))), handlers[args.command])(args)
    except (UsageError, ConfigError, EidUsageError, DeviceUsageError, FontsUsageError) as exc:
        one_line = " ".join(str(exc).split())
        print(f"hall-server: error: {one_line}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0
