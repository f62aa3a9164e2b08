"""``python -m hall_server``: the same as the ``hall-server`` command."""

from __future__ import annotations

import sys

from hall_server.cli import main

sys.exit(main())
