"""The two model bases of the contract: answers the hall may extend, bodies it checks strictly."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Answer(BaseModel):
    """A body the hall answers: fields it adds later are ignored by older kiosks."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Body(BaseModel):
    """A body a kiosk sends: an unknown field is a mistake, refused with ``invalid_request``."""

    model_config = ConfigDict(extra="forbid")


def _no_control_characters(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("control characters are not allowed")
    return value


# Text without control characters (PostgreSQL refuses NUL).
Text = Annotated[str, AfterValidator(_no_control_characters)]

# Text the hall may answer as null when it has none (a place for a service it no longer lists).
TextOrEmpty = Annotated[str, BeforeValidator(lambda value: "" if value is None else value)]
