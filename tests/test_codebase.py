"""Size limits that keep the code base readable: a newcomer changes one module without
scrolling through a thousand lines (issue #13)."""
from pathlib import Path

PORTAL = Path(__file__).resolve().parents[1] / "portal"
MAX_LINES = 500


def test_no_portal_module_over_500_lines():
    sizes = {path.relative_to(PORTAL.parent).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
             for path in PORTAL.rglob("*.py")}
    assert len(sizes) > 50  # the walk found the package
    over = {path: n for path, n in sizes.items() if n > MAX_LINES}
    assert not over, f"split these modules (over {MAX_LINES} lines): {over}"
