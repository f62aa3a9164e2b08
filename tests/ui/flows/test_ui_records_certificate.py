"""The A4 certificate from the records screen, against the real hall and the cups-pdf queue: printed
with the citizen's name and the code the screen shows; a paused queue says why and offers the summary."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.ui

ROOT = Path(__file__).resolve().parents[3]
# This test process's cups-pdf queue (tests/conftest.py: a pytest-xdist worker has its own).
QUEUE = os.environ.get("TEST_A4_QUEUE", "kiosk-a4")


@pytest.fixture(scope="module")
def a4_out() -> Path:
    if shutil.which("cupsd") is None:
        pytest.skip("cupsd is not installed (scripts/install-system-deps.sh installs cups and cups-pdf)")
    result = subprocess.run(["bash", str(ROOT / "scripts" / "start-cups.sh"), QUEUE],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip().splitlines()[-1])


def _admin(*command: str) -> None:
    subprocess.run([*command, QUEUE], check=True, capture_output=True, timeout=10)


def _records_list(kiosk, h):
    kiosk.start_visit()
    kiosk.tap(kiosk.find(id="tile_records"))
    h.identify_with_card(kiosk, "records", card="zhang_wei")
    screen = kiosk.app.current
    kiosk.wait_until(lambda: screen.kind_buttons, what="record kinds")
    kiosk.tap(screen.kind_buttons["social_insurance_payments"])
    kiosk.wait_until(lambda: screen.step == "list" and not screen.busy, timeout=15, what="the records")
    return screen


def test_the_a4_certificate_prints_with_the_name_and_the_code_shown(kiosk, flow_helpers, a4_out):
    a4 = kiosk.app.devices.a4
    kiosk.wait_until(lambda: a4.slot.driver is not None, timeout=20, what="the A4 driver to open")
    kiosk.run(a4.status())
    screen = _records_list(kiosk, flow_helpers)
    assert screen.a4_button is not None and not screen.a4_button.disabled
    assert screen.a4_button.text == "打印A4证明"
    flow_helpers.shots(kiosk, "records_a4_offered", screen.render)
    kiosk.tap(screen.a4_button)
    kiosk.wait_until(lambda: screen.certificate_outcome is not None, timeout=90, what="the certificate")
    outcome = screen.certificate_outcome
    assert outcome.printed, outcome
    shown = screen.a4_label.text
    assert shown.startswith("请从 A4 打印机取走您的证明。核验码：") and outcome.code in shown
    [pdf] = kiosk.wait_until(lambda: list(a4_out.glob(f"*job_{outcome.job_id}.pdf")), timeout=30,
                             what=f"the PDF of job {outcome.job_id}")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True,
                          timeout=30).stdout
    identity = kiosk.app.session.identity
    assert identity.name in text
    assert outcome.code in text or outcome.code.replace("-", "") in text.replace("-", "")
    flow_helpers.shots(kiosk, "records_a4_printed", screen.render)
    kiosk.tap(screen.finish_button)
    kiosk.wait_for_screen("review")


def test_a_paused_a4_queue_says_why_and_offers_the_thermal_summary(kiosk, flow_helpers, a4_out):
    a4 = kiosk.app.devices.a4
    kiosk.wait_until(lambda: a4.slot.driver is not None, timeout=20, what="the A4 driver to open")
    _admin("cupsdisable")
    try:
        kiosk.run(a4.status())
        assert not a4.offer().available
        screen = _records_list(kiosk, flow_helpers)
        assert screen.a4_button is None
        said = screen.a4_label.text
        assert "A4 打印机暂时无法使用。您可以改用小票打印机打印摘要" in said
        assert not screen.print_button.disabled
        flow_helpers.shots(kiosk, "records_a4_paused", screen.render)
        kiosk.tap(screen.finish_button)
        kiosk.wait_for_screen("review")
    finally:
        _admin("cupsenable")
    kiosk.run(a4.status())
    assert a4.offer().available
