"""deploy/logrotate/gov-hall run by logrotate over the proxy's hall logs (paths moved into a temp dir)."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_proxy_logs_are_rotated_and_made_anew(tmp_path: Path) -> None:
    logs = tmp_path / "log"
    logs.mkdir()
    text = (ROOT / "deploy" / "logrotate" / "gov-hall").read_text()
    assert "/var/log/gov-hall/*.log" in text
    # The deployed file makes new logs for nginx's user; here they are made for whoever runs the test.
    conf = tmp_path / "gov-hall"
    text = text.replace("/var/log/gov-hall", str(logs)).replace("create 0640 www-data adm", "create 0640")
    conf.write_text(text)
    (logs / "proxy-access.log").write_text("127.0.0.1 [06/Dec/2026] \"GET /display/HQ\" 200\n")
    (logs / "proxy-error.log").write_text("")
    state = tmp_path / "state"

    def rotate() -> subprocess.CompletedProcess[str]:
        return subprocess.run(["logrotate", "--force", "--state", str(state), str(conf)], capture_output=True,
                              text=True, timeout=60)

    first = rotate()
    assert first.returncode == 0, first.stderr
    names = sorted(p.name for p in logs.iterdir())
    rotated = [n for n in names if n.startswith("proxy-access.log-")]
    assert len(rotated) == 1 and "proxy-access.log" in names  # moved aside, a new one made
    assert (logs / "proxy-access.log").read_text() == ""
    assert "proxy-error.log" in names and not any(n.startswith("proxy-error.log-") for n in names)  # empty
    assert (logs / rotated[0]).read_text().startswith("127.0.0.1")  # kept plain for a day (delaycompress)
