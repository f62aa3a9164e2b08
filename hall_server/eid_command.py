"""``hall-server eid``: the demo e-ID issuer (``init`` makes its key, ``issue`` signs a token)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hall_server.config import data_dir_from_env
from hall_server.identity.eid import sign_token
from hall_server.identity.issuer_keys import DEMO_ISSUER, demo_issuer_key, demo_key_paths


class EidUsageError(ValueError):
    """A wrong argument of ``hall-server eid``; one line for the operator."""


def add_eid_parser(sub: Any) -> None:
    eid = sub.add_parser("eid", help="the demo e-ID issuer").add_subparsers(dest="action", required=True)
    eid.add_parser("init", help="make the demo issuer key (in the data directory) and print its public key")
    issue = eid.add_parser("issue", help="sign an e-ID token with the demo issuer key and print it")
    issue.add_argument("id_number")
    issue.add_argument("name")
    issue.add_argument("--days", type=int, default=30, help="how long the token is valid (default 30)")
    issue.add_argument("--qr", type=Path, metavar="FILE", help="also write the token as a QR code PNG")


def run_eid(args: argparse.Namespace, now: datetime | None = None) -> None:
    data_dir = data_dir_from_env()
    key = demo_issuer_key(data_dir)
    if args.action == "init":
        public = demo_key_paths(data_dir)[1]
        print(f"demo issuer {DEMO_ISSUER}: public key {public}")
        print(public.read_text("ascii"), end="")
        return
    if not 1 <= args.days <= 3650:
        raise EidUsageError("--days: 1 to 3650")
    issued = now or datetime.now(UTC)
    token = sign_token(key, issuer=DEMO_ISSUER, id_number=args.id_number.strip().upper(),
                       name=args.name.strip(), issued_at=issued,
                       expires_at=issued + timedelta(days=args.days))
    if args.qr is not None:
        import qrcode

        qrcode.make(token).save(str(args.qr))
    print(token)
