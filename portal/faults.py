"""Named points where a test stops a command dead (the kill -9 tests of `sync` and `reindex`).

With ``PORTAL_PAUSE_AT=<name>`` in its environment, a process that reaches `pause_point(name)`
writes its pid to the file ``PORTAL_PAUSE_FILE`` names and waits there to be killed, so a test
kills it at a known point instead of racing a timer. Without the variable (production) a pause
point does nothing.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

PAUSE_LIMIT_S = 300  # never hang forever if the test that asked for the pause is gone


def pause_point(name: str) -> None:
    if os.environ.get("PORTAL_PAUSE_AT") != name:
        return
    Path(os.environ["PORTAL_PAUSE_FILE"]).write_text(str(os.getpid()), encoding="utf-8")
    deadline = time.monotonic() + PAUSE_LIMIT_S
    while time.monotonic() < deadline:
        time.sleep(0.05)
    os._exit(3)
