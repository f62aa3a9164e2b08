"""The fonts the kiosk, the hall's certificates, the video-help overlay and the printer simulator draw
Chinese with: the Simplified Chinese faces of Noto Sans CJK (SIL Open Font License 1.1, ``OFL.txt``; where
they come from: ``README.md``).

They ship inside this package, so that a hall or a kiosk installed from a wheel (``deploy/install.sh``)
finds them beside its code, as a checkout does.
"""

from __future__ import annotations

from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent
REGULAR = FONT_DIR / "NotoSansCJKsc-Regular.otf"
BOLD = FONT_DIR / "NotoSansCJKsc-Bold.otf"
