"""Validate everything under content/ without touching the database (`flask portal check-content`)."""
from __future__ import annotations

from pathlib import Path

from portal.content.gazetteer import FILE as GAZETTEER_FILE
from portal.content.gazetteer import parse_gazetteer
from portal.content.library import Library, scan_library
from portal.content.problems import Problem
from portal.content.training_file import load_modules
from portal.content.units_file import parse_units
from portal.core.plan import PLAN_ID  # training references without a document id point to the 方案

UNITS_FILE = "units.csv"
TRAINING_DIR = "training"


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
    gazetteer = content_dir / GAZETTEER_FILE
    if gazetteer.exists():  # optional: without it the roster import checks no places
        files += 1
        problems.extend(parse_gazetteer(gazetteer.read_bytes(), _display(gazetteer, display_root))[1])
    training = content_dir / TRAINING_DIR
    if training.is_dir():
        files += sum(1 for p in training.glob("*.md") if not p.name.upper().startswith("README"))
        exists, text = clause_lookups(lib)
        problems.extend(load_modules(training, display_root, exists, text)[1])
    return problems, files


def clause_lookups(lib: Library):
    """(clause_exists, clause_text) over the documents of the library that load, for training modules.

    A reference to the 方案 must resolve. A reference to another document that is not (yet) in the
    library cannot be checked and is accepted, as citations of unimported regulations are in the
    policy library; once the document is imported its clause ids and quotations are checked."""
    docs = {d.doc_id: d for d in lib.good_docs}

    def clause_exists(doc_id: str | None, clause_id: str) -> bool:
        doc = docs.get(doc_id or PLAN_ID)
        if doc is None:
            return doc_id is not None
        return clause_id in doc.clause_ids

    def clause_text(doc_id: str | None, clause_id: str) -> str | None:
        doc = docs.get(doc_id or PLAN_ID)
        if doc is None or clause_id not in doc.clause_ids:
            return None
        return "\n".join(c.text for c in doc.parsed.clauses
                         if c.id == clause_id or c.id.startswith(clause_id + "."))

    return clause_exists, clause_text
