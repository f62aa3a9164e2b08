"""``kiosk-diag a4 status|test-print``: the A4 printer's CUPS queue checked from a shell."""

from __future__ import annotations

import argparse
from typing import Any

from terminal_drivers.a4.cups_printer import DEFAULT_SERVER, A4Printer
from terminal_drivers.errors import DeviceError

DEFAULT_QUEUE = "kiosk-a4"


class A4CheckFailed(Exception):
    """The queue answered but cannot print, or the test page did not complete."""

    def __init__(self, code: str, message: str, detail: dict[str, Any]) -> None:
        super().__init__(message)
        self.code = code
        self.detail = detail


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("status", "test-print"),
                        help="status: the queue's state and reasons; test-print: print the A4 test page")
    parser.add_argument("--queue", default=DEFAULT_QUEUE, help=f"CUPS queue (default {DEFAULT_QUEUE})")
    parser.add_argument("--server", default=DEFAULT_SERVER,
                        help=f"CUPS server HOST[:PORT] or socket path (default {DEFAULT_SERVER})")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the test page")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


async def run(options: argparse.Namespace) -> tuple[dict[str, Any], list[str]]:
    """(data, lines) of a passed check; A4CheckFailed or DeviceError when it did not pass,
    ValueError for a queue or server that cannot be right."""
    printer = A4Printer(options.queue, options.server, job_timeout_s=options.timeout)
    async with printer:
        if options.action == "status":
            return await _status(printer)
        return await _test_print(printer)


async def _status(printer: A4Printer) -> tuple[dict[str, Any], list[str]]:
    info = await printer.diag()
    status = info["status"]
    health = info["health"]
    lines = [f"queue {printer.queue} on {printer.server}: {health['state']}"
             + (f" ({health['reason']})" if health["reason"] else "")]
    if "state_reasons" in status:
        lines.append("printer-state-reasons: " + (", ".join(status["state_reasons"]) or "none"))
        lines.append(f"accepting jobs: {'yes' if status['accepting_jobs'] else 'no'}")
    if health["state"] == "offline":
        raise A4CheckFailed(health["reason"] or "printer_offline",
                            f"the A4 printer cannot print: {health['reason']}", info)
    return info, lines


async def _test_print(printer: A4Printer) -> tuple[dict[str, Any], list[str]]:
    from terminal_drivers.a4.testpage import test_page

    page = test_page(printer.queue)
    try:
        outcome = await printer.print_pdf(page, "A4 test page")
    except DeviceError as exc:
        raise A4CheckFailed(exc.code, f"test page not printed: {exc}", {"health": printer.health.as_json()}) \
            from exc
    data = {"printed": outcome.ok, "bytes": len(page), "job": outcome.as_json(),
            "health": printer.health.as_json()}
    if not outcome.ok:
        raise A4CheckFailed(outcome.reason or "job_failed",
                            f"test page job {outcome.job_id} {outcome.state}", data)
    return data, [f"A4 test page printed: job {outcome.job_id} completed in {outcome.elapsed_s:.2f} s "
                  f"({len(page)} bytes)"]
