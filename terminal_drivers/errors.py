"""One tree of device errors, each with a stable ``code`` the kiosk maps to localized text."""

from __future__ import annotations


class DeviceError(Exception):
    """Base of every driver error. ``code`` is stable snake_case; the message is for logs."""

    code = "device_error"

    def __init__(self, message: str = "", *, code: str | None = None) -> None:
        super().__init__(message or self.__class__.__name__)
        if code is not None:
            self.code = code


class DeviceNotFound(DeviceError):
    code = "device_not_found"


class DeviceBusy(DeviceError):
    code = "device_busy"


class DeviceTimeout(DeviceError):
    code = "device_timeout"


class DeviceDisconnected(DeviceError):
    code = "device_disconnected"


class ProtocolError(DeviceError):
    code = "protocol_error"


class ConfigError(DeviceError):
    code = "config_error"


# Printer states that refuse a job.
class PaperOut(DeviceError):
    code = "paper_out"


class CoverOpen(DeviceError):
    code = "cover_open"


class CutterError(DeviceError):
    code = "cutter_error"


class PrinterOffline(DeviceError):
    code = "printer_offline"


class PrinterStatusUnknown(DeviceError):
    """The printer did not answer a status query: never assume paper is there."""

    code = "printer_status_unknown"


# ID card reader.
class CardReadError(DeviceError):
    code = "card_read_failed"


class SamError(DeviceError):
    """The reader's secure access module refused or failed (authentication, self-test)."""

    code = "sam_error"
