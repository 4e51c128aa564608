from __future__ import annotations

import pytest

from tests.ui.idscan import load_scan_demo


@pytest.fixture
def demo(app, plan):
    """The demo state every id-leak scan looks at (see tests/ui/idscan.py)."""
    return load_scan_demo(app)
