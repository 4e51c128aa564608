"""Validate everything under content/ without touching the database (`flask portal check-content`)."""
from __future__ import annotations

from pathlib import Path

from portal.content.library import scan_library
from portal.content.problems import Problem
from portal.content.units_file import parse_units

UNITS_FILE = "units.csv"


def _display(path: Path, root: Path | None) -> str:
    return str(path.relative_to(root)) if root is not None and path.is_relative_to(root) else str(path)


def check_content(content_dir: Path, display_root: Path | None = None) -> tuple[list[Problem], int]:
    """Every problem in content/, and how many files were checked."""
    content_dir = Path(content_dir)
    problems: list[Problem] = []
    files = 0
    units = content_dir / UNITS_FILE
    if units.exists():
        files += 1
        problems.extend(parse_units(units.read_bytes(), _display(units, display_root))[1])
    else:
        problems.append(Problem(_display(units, display_root), 1, "file not found"))
    lib = scan_library(content_dir / "policy", display_root)
    files += len(lib.docs) + (1 if lib.register_file and (content_dir / "policy" / "register.csv").exists() else 0)
    problems.extend(lib.problems)
    return problems, files
