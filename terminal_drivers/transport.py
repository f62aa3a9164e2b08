"""The only module that opens serial ports: a URL picks the transport.

``/dev/ttyUSB0``, a pseudo-terminal path, ``socket://127.0.0.1:PORT``, ``loop://`` and the other
pyserial URL handlers all give the same ``serial.SerialBase`` object, so a driver never knows
whether it talks to hardware or to a simulator.
"""

from __future__ import annotations

import errno
import logging

import serial

from terminal_drivers.errors import DeviceBusy, DeviceError, DeviceNotFound

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 0.05


def open_port(
    url: str,
    baudrate: int = 115200,
    *,
    timeout: float | None = DEFAULT_TIMEOUT_S,
    write_timeout: float | None = 2.0,
    exclusive: bool = True,
) -> serial.SerialBase:
    """Open ``url`` at ``baudrate`` 8N1 with no flow control.

    pyserial errors are translated here into the driver error tree, so callers catch
    ``DeviceError`` only.
    """
    if not url:
        raise DeviceNotFound("no port configured")
    kwargs: dict[str, object] = {
        "baudrate": baudrate,
        "bytesize": serial.EIGHTBITS,
        "parity": serial.PARITY_NONE,
        "stopbits": serial.STOPBITS_ONE,
        "timeout": timeout,
        "write_timeout": write_timeout,
    }
    # Exclusive access (TIOCEXCL + flock) only exists for real POSIX ports.
    if exclusive and "://" not in url:
        kwargs["exclusive"] = True
    try:
        port = serial.serial_for_url(url, **kwargs)
    except serial.SerialException as exc:
        raise _translate(url, exc) from exc
    except (OSError, ValueError) as exc:
        raise DeviceNotFound(f"cannot open {url}: {exc}") from exc
    log.debug("opened %s at %d baud", url, baudrate)
    return port


def _translate(url: str, exc: serial.SerialException) -> DeviceError:
    err = getattr(exc, "errno", None)
    # The message quotes the path, which may itself contain words like "busy": match without it.
    text = str(exc).replace(url, "<port>")
    lowered = text.lower()
    if err in (errno.ENOENT, errno.ENODEV, errno.ENXIO) or "No such file" in text:
        return DeviceNotFound(f"{url} does not exist")
    if err == errno.EBUSY or "busy" in lowered or "lock" in lowered:
        return DeviceBusy(f"{url} is in use by another program")
    if err in (errno.ECONNREFUSED,) or "refused" in lowered:
        return DeviceNotFound(f"nothing listens at {url}")
    return DeviceNotFound(f"cannot open {url}: {text}")
