"""Administration routes for staff accounts, the tokens of kiosks and floor devices, and the audit of every
administration change (role admin changes; a manager may read, never a token)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from hall_server.api.auth import ADMIN, MANAGER, Caller, hall_of
from hall_server.api.fields import SITE_PATTERN, Text
from hall_server.usecases import admin_audit, admin_staff, admin_tokens

router = APIRouter(tags=["administration"])


class NewStaff(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    role: str = Field(min_length=1, max_length=16)
    display_name: Text | None = Field(None, max_length=100)
    password: str = Field(min_length=1, max_length=200)


class StaffChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: str | None = Field(None, min_length=1, max_length=16)
    disabled: StrictBool | None = None


class NewPassword(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str = Field(min_length=1, max_length=200)


class NewKiosk(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    site: str = Field(pattern=SITE_PATTERN)


class NewDevice(NewKiosk):
    kind: str = Field(min_length=1, max_length=16)
    window: str | None = Field(None, min_length=1, max_length=8)


@router.get("/admin/staff")
def staff(request: Request, caller: Caller = Depends(MANAGER)) -> dict[str, Any]:
    """Every staff account: username, role, display name, created, disabled (never a password)."""
    return admin_staff.staff_listing(hall_of(request))


@router.post("/admin/staff", status_code=201)
def add_staff(body: NewStaff, request: Request, caller: Caller = Depends(ADMIN)) -> dict[str, Any]:
    return admin_staff.add_staff(hall_of(request), caller, body.username, body.role, body.display_name,
                                 body.password)


@router.put("/admin/staff/{username}")
def change_staff(body: StaffChange, request: Request, username: str = Path(min_length=1, max_length=64),
                 caller: Caller = Depends(ADMIN)) -> dict[str, Any]:
    """A new role, or disabled / enabled; the account's sessions end."""
    return admin_staff.change_staff(hall_of(request), caller, username, body.role, body.disabled)


@router.post("/admin/staff/{username}/password")
def reset_password(body: NewPassword, request: Request, username: str = Path(min_length=1, max_length=64),
                   caller: Caller = Depends(ADMIN)) -> dict[str, Any]:
    return admin_staff.reset_password(hall_of(request), caller, username, body.password)


@router.get("/admin/tokens")
def tokens(request: Request, caller: Caller = Depends(MANAGER)) -> dict[str, Any]:
    """Kiosks and floor devices with their site, creation, last use and revocation (never a token)."""
    return admin_tokens.tokens_listing(hall_of(request))


@router.post("/admin/kiosks", status_code=201)
def add_kiosk(body: NewKiosk, request: Request, caller: Caller = Depends(ADMIN)) -> dict[str, Any]:
    """Register a kiosk; its token is in this answer and nowhere else."""
    return admin_tokens.add_kiosk(hall_of(request), caller, body.name, body.site)


@router.post("/admin/devices", status_code=201)
def add_device(body: NewDevice, request: Request, caller: Caller = Depends(ADMIN)) -> dict[str, Any]:
    """Register a rating pad or a display; its token is in this answer and nowhere else."""
    return admin_tokens.add_device(hall_of(request), caller, body.name, body.site, body.kind, body.window)


@router.post("/admin/kiosks/{name}/revoke")
def revoke_kiosk(request: Request, name: str = Path(min_length=1, max_length=64),
                 caller: Caller = Depends(ADMIN)) -> dict[str, Any]:
    """The kiosk's token stops working; its connections close."""
    return admin_tokens.revoke(hall_of(request), caller, "kiosk", name)


@router.post("/admin/kiosks/{name}/rotate")
def rotate_kiosk(request: Request, name: str = Path(min_length=1, max_length=64),
                 caller: Caller = Depends(ADMIN)) -> dict[str, Any]:
    """A new token for the kiosk, answered once; the old one stops working."""
    return admin_tokens.rotate(hall_of(request), caller, "kiosk", name)


@router.post("/admin/devices/{name}/revoke")
def revoke_device(request: Request, name: str = Path(min_length=1, max_length=64),
                 caller: Caller = Depends(ADMIN)) -> dict[str, Any]:
    return admin_tokens.revoke(hall_of(request), caller, "device", name)


@router.post("/admin/devices/{name}/rotate")
def rotate_device(request: Request, name: str = Path(min_length=1, max_length=64),
                 caller: Caller = Depends(ADMIN)) -> dict[str, Any]:
    return admin_tokens.rotate(hall_of(request), caller, "device", name)


@router.get("/admin/audit")
def audit(request: Request, limit: int = Query(200, ge=1, le=1000),
          area: Literal["services", "windows", "calendar", "staff", "tokens"] | None = Query(None),
          caller: Caller = Depends(MANAGER)) -> dict[str, Any]:
    """The administration's changes, newest first: who, when, what."""
    return admin_audit.audit_listing(hall_of(request), limit, area)
