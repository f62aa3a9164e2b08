"""deploy/install.sh writes the service units, and ``systemd-analyze verify`` finds nothing to say about them.

The check runs offline over a throw-away root: the files deploy/install.sh writes there (``--root``), the
distribution's own units (the targets ours hang on) copied beside them, and executables standing in for the
virtualenv's entry points and cage at the paths the units name, as verify checks that these exist and the
virtualenv is not built here.
"""

from __future__ import annotations

import configparser
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
INSTALL = ROOT / "deploy" / "install.sh"
SYSTEM_UNITS = next(p for p in (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system")) if p.is_dir())


def _install(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(INSTALL), *args, "--root", str(root)], capture_output=True, text=True,
                          timeout=120)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("root")
    for role, extra in (("hall", ["--nodes", "8001 8002 8003"]), ("kiosk", [])):
        done = _install(root, role, *extra)
        assert done.returncode == 0, done.stderr
    shutil.copytree(SYSTEM_UNITS, root / "usr/lib/systemd/system", symlinks=True)
    return root


def _unit(root: Path, name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(root / "etc/systemd/system" / name)
    return parser


def _executables(root: Path, *units: str) -> list[str]:
    """The programs the units start (the first word of ExecStart)."""
    return [_unit(root, unit)["Service"]["ExecStart"].split()[0] for unit in units]


def test_the_units_name_the_project_entry_points_and_cage(installed: Path) -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
    assert _executables(installed, "hall-server@.service") == ["/opt/gov-kiosk/current/venv/bin/hall-server"]
    kiosk_start = _unit(installed, "gov-kiosk.service")["Service"]["ExecStart"].split()
    assert kiosk_start[0] == "/usr/bin/cage"
    assert kiosk_start[kiosk_start.index("--") + 1] == "/opt/gov-kiosk/current/venv/bin/kiosk"
    assert {"hall-server", "kiosk"} <= set(scripts)


def _stand_ins(root: Path) -> None:
    venv = "/opt/gov-kiosk/current/venv/bin"
    for program in [f"{venv}/hall-server", f"{venv}/kiosk", "/usr/bin/cage"]:
        stand_in = root / program.lstrip("/")
        stand_in.parent.mkdir(parents=True, exist_ok=True)
        stand_in.write_text("#!/bin/sh\nexit 0\n")
        stand_in.chmod(0o755)


def _verify(root: Path, *units: str) -> tuple[int, str]:
    command = ["systemd-analyze", "verify", "--man=no", "--generators=no", f"--root={root}", *units]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout + done.stderr


def test_systemd_analyze_verify_finds_nothing_to_say(installed: Path) -> None:
    _stand_ins(installed)
    enabled = sorted(p.name for p in (installed / "etc/systemd/system/multi-user.target.wants").iterdir())
    assert enabled == ["hall-server@8001.service", "hall-server@8002.service", "hall-server@8003.service"]
    # verify reports unknown keys and bad values as warnings with status 0: any output is a fault.
    assert _verify(installed, *enabled, "gov-kiosk.service") == (0, "")


@pytest.mark.parametrize(("unit", "fault", "said"), [
    ("hall-server@.service", "ProtectSytem=yes", "Unknown key 'ProtectSytem'"),
    ("hall-server@.service", "SystemCallFilter=@sytem-service", "Unknown system call group"),
    ("gov-kiosk.service", "WatchdogSec=soon", "Failed to parse sec value"),
])
def test_verify_would_see_a_fault(installed: Path, tmp_path: Path, unit: str, fault: str, said: str) -> None:
    """The check above is not blind: a fault slipped into a copy of a unit is reported."""
    shutil.copytree(SYSTEM_UNITS, tmp_path / "usr/lib/systemd/system", symlinks=True)
    _stand_ins(tmp_path)
    text = (installed / "etc/systemd/system" / unit).read_text()
    broken = tmp_path / "etc/systemd/system" / unit
    broken.parent.mkdir(parents=True)
    broken.write_text(text.replace("[Service]\n", f"[Service]\n{fault}\n"))
    assert said in _verify(tmp_path, unit.replace("@.", "@8001."))[1]


def test_the_hall_node_is_restarted_hardened_and_logs_to_the_journal(installed: Path) -> None:
    service = _unit(installed, "hall-server@.service")["Service"]
    assert service["Restart"] == "always" and service["User"] == "gov-hall"
    for key, value in {"ProtectSystem": "strict", "NoNewPrivileges": "yes", "PrivateTmp": "yes",
                       "PrivateDevices": "yes", "ProtectHome": "yes", "CapabilityBoundingSet": "",
                       "StandardOutput": "journal", "StandardError": "journal"}.items():
        assert service[key] == value, key
    assert "--port %i" in service["ExecStart"] and "--host 127.0.0.1" in service["ExecStart"]


def test_the_font_pieces_install_cuts_are_where_the_nodes_look(installed: Path) -> None:
    service = _unit(installed, "hall-server@.service")["Service"]
    environment = dict(pair.split("=", 1) for line in
                       (installed / "etc/systemd/system/hall-server@.service").read_text().splitlines()
                       if line.startswith("Environment=") for pair in line.split("=", 1)[1].split())
    cache = Path(environment["HALL_FONT_CACHE"])
    assert cache.is_relative_to(Path("/var/cache") / service["CacheDirectory"])
    script = INSTALL.read_text()
    assert f"export HALL_FONT_CACHE={cache}" in script
    assert script.index("fonts prepare") < script.index('systemctl restart "hall-server@$port.service"')


def test_the_kiosk_is_a_watched_notify_service_restarted_on_crash(installed: Path) -> None:
    unit = _unit(installed, "gov-kiosk.service")
    service = unit["Service"]
    assert (service["Type"], service["NotifyAccess"], service["Restart"]) == ("notify", "all", "always")
    assert service["WatchdogSec"] == "30s" and unit["Unit"]["StartLimitIntervalSec"] == "0"
    assert service["ProtectSystem"] == "strict" and service["NoNewPrivileges"] == "yes"
    assert service["PrivateTmp"] == "yes"


def test_the_kiosk_stays_in_its_control_group_with_a_runtime_directory_it_can_write(installed: Path) -> None:
    # Faults a real systemd showed: a PAM login session moved cage and the kiosk into a logind scope,
    # where systemd ignored the kiosk's READY=1; /run/user under ProtectSystem=strict was read-only.
    unit = _unit(installed, "gov-kiosk.service")
    service = unit["Service"]
    assert "PAMName" not in service
    for key in ("Wants", "After"):
        assert "seatd.service" in unit["Unit"][key].split(), key
    assert service["RuntimeDirectory"] == "gov-kiosk" and service["RuntimeDirectoryMode"] == "0700"
    environment = " ".join(line.split("=", 1)[1] for line in
                           (installed / "etc/systemd/system/gov-kiosk.service").read_text().splitlines()
                           if line.startswith("Environment="))
    assert "XDG_RUNTIME_DIR=/run/gov-kiosk" in environment.split()
    assert "LIBSEAT_BACKEND=seatd" in environment.split()


def test_settings_an_operator_edited_are_kept_on_reinstall(tmp_path: Path) -> None:
    assert _install(tmp_path, "hall").returncode == 0
    env = tmp_path / "etc/gov-hall/hall.env"
    env.write_text("HALL_DB_URL=postgresql+psycopg://hall@db/hall\n")
    again = _install(tmp_path, "hall")
    assert again.returncode == 0 and "kept /etc/gov-hall/hall.env" in again.stdout
    assert env.read_text() == "HALL_DB_URL=postgresql+psycopg://hall@db/hall\n"
    assert (tmp_path / "etc/systemd/system/multi-user.target.wants/hall-server@8001.service").is_symlink()


def test_the_application_is_a_release_that_current_points_at(installed: Path) -> None:
    current = installed / "opt/gov-kiosk/current"
    assert current.is_symlink() and str(current.readlink()).startswith("releases/")
    assert (current / "src/hall_server/cli.py").is_file() and not (current / "src/tests").exists()
    documented = _unit(installed, "hall-server@.service")["Unit"]["Documentation"].removeprefix("file://")
    assert (installed / documented.lstrip("/")).is_file()


@pytest.mark.parametrize("args", [[], ["mainframe"], ["hall", "--nodes", "80"], ["hall", "--nodes", "8001 x"],
                                  ["hall", "--wat"]])
def test_bad_arguments_are_refused_before_anything_is_written(tmp_path: Path, args: list[str]) -> None:
    done = _install(tmp_path, *args)
    assert done.returncode == 2 and done.stderr.strip() and list(tmp_path.iterdir()) == []


def test_the_settings_file_reads_the_same_in_the_shell(installed: Path, tmp_path: Path) -> None:
    """install.sh and the docs' commands source hall.env with the shell; a value with spaces must survive."""
    env = (installed / "etc/gov-hall/hall.env").read_text()
    tls = next(line for line in env.splitlines()
               if line.startswith("#HALL_SERVE_ARGS=") and "--tls-cert" in line)
    copy = tmp_path / "hall.env"
    copy.write_text(env + tls.removeprefix("#") + "\n")
    script = 'set -a; . "$1"; set +a; printf "%s\\n" "$HALL_DB_URL" "$HALL_SERVE_ARGS"'
    shown = subprocess.run(["bash", "-euc", script, "bash", str(copy)], capture_output=True, text=True,
                           timeout=30)
    assert shown.returncode == 0 and shown.stderr == "", shown.stderr
    assert shown.stdout.splitlines() == [
        "sqlite:////var/lib/gov-hall/hall.sqlite3",
        "--host 0.0.0.0 --tls-cert /etc/gov-hall/tls/fullchain.pem --tls-key /etc/gov-hall/tls/privkey.pem",
    ]
