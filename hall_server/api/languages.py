"""Languages of API text (the ``lang`` query and body field)."""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh-Hans", "zh-Hant", "en"]
