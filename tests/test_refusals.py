"""One refusal family (portal/core/refusals.py): every domain's refusal is a Refusal, every stale edit a
Stale, and there is one NotAllowed."""
from __future__ import annotations

import ast
from pathlib import Path

from portal.admin.services import AccountError, StaleAccount
from portal.board.assessment import SettingsError
from portal.core.refusals import NotAllowed, Refusal, Stale
from portal.duties.services import DutyError, StaleDuty
from portal.policy.admin_services import AdminError, StaleEntry
from portal.reports.services import ReportError, StaleReport
from portal.supervision.services import SupervisionError
from portal.training.scope import TrainingError

ROOT = Path(__file__).resolve().parents[1]


def test_domain_refusals_and_stale_edits_are_one_family():
    for cls in (DutyError, TrainingError, SupervisionError, ReportError, AccountError, AdminError, SettingsError):
        assert issubclass(cls, Refusal), cls
    for cls in (StaleDuty, StaleReport, StaleAccount, StaleEntry):
        assert issubclass(cls, Stale), cls
    assert issubclass(NotAllowed, PermissionError) and not issubclass(NotAllowed, Refusal)


def test_there_is_one_not_allowed():
    homes = [path.relative_to(ROOT).as_posix() for path in (ROOT / "portal").rglob("*.py")
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.ClassDef) and node.name == "NotAllowed"]
    assert homes == ["portal/core/refusals.py"]
