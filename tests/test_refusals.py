"""One refusal family (portal/core/refusals.py): every domain's refusal is a Refusal, every stale edit a
Stale, and there is one NotAllowed."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from werkzeug.exceptions import Forbidden, NotFound

from portal.admin.services import AccountError, StaleAccount
from portal.audit.retention import RetentionError
from portal.board.assessment import SettingsError
from portal.core.refusals import FormKey, NotAllowed, Refusal, Stale
from portal.duties.services import DutyError, StaleDuty
from portal.files.checks import UploadRefused
from portal.files.packages import PackageRefused
from portal.plans.division import ImportStale
from portal.plans.drafts import DraftStale
from portal.plans.imports import ImportRefused
from portal.plans.reshape import ReshapeRefused
from portal.policy.admin_services import AdminError, StaleEntry
from portal.reports.services import ReportError, StaleReport
from portal.supervision.services import SupervisionError
from portal.training.roster import BatchRefused
from portal.training.scope import TrainingError
from portal.training.sheet_rules import NumbersProblem
from portal.web.actions import attempt

ROOT = Path(__file__).resolve().parents[1]


def test_domain_refusals_and_stale_edits_are_one_family():
    for cls in (DutyError, TrainingError, SupervisionError, ReportError, AccountError, AdminError, SettingsError,
                ImportRefused, ReshapeRefused, BatchRefused, NumbersProblem, PackageRefused, UploadRefused,
                RetentionError):
        assert issubclass(cls, Refusal), cls
    for cls in (StaleDuty, StaleReport, StaleAccount, StaleEntry, DraftStale, ImportStale):
        assert issubclass(cls, Stale), cls
    # A stale plan edit says so in Chinese by itself (the views show str(refusal)).
    assert "他人修改" in str(DraftStale()) and "他人修改" in str(ImportStale())
    assert issubclass(NotAllowed, PermissionError) and not issubclass(NotAllowed, Refusal)


def test_there_is_one_not_allowed():
    homes = [path.relative_to(ROOT).as_posix() for path in (ROOT / "portal").rglob("*.py")
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.ClassDef) and node.name == "NotAllowed"]
    assert homes == ["portal/core/refusals.py"]


def _handlers_of_not_allowed(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            names = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
            if any(getattr(n, "id", getattr(n, "attr", None)) == "NotAllowed" for n in names):
                lines.append(node.lineno)
    return lines


def test_only_the_runner_answers_not_allowed():
    """Views run actions through portal.web.actions.attempt; only the batch decisions catch NotAllowed
    themselves (a refused row is reported in the batch's result)."""
    found = {path.relative_to(ROOT).as_posix() for path in (ROOT / "portal").rglob("*.py")
             if _handlers_of_not_allowed(path)}
    assert found == {"portal/web/actions.py", "portal/duties/bulk.py"}


def test_attempt_returns_a_refusal_rolled_back_and_answers_not_allowed(app):
    def refuse():
        raise TrainingError("完成日期不能晚于今天。")

    def forbid():
        raise NotAllowed("not yours")

    with app.test_request_context():
        assert attempt(lambda: None) is None
        refusal = attempt(refuse, TrainingError)
        assert isinstance(refusal, TrainingError) and str(refusal) == "完成日期不能晚于今天。"
        with pytest.raises(Forbidden):
            attempt(forbid)
        with pytest.raises(NotFound):
            attempt(forbid, not_allowed=404)
        with pytest.raises(DutyError):  # a refusal the caller did not ask for is not swallowed
            attempt(lambda: (_ for _ in ()).throw(DutyError("x")), TrainingError)


def test_templates_name_refused_forms_by_their_key_never_by_a_literal():
    """The refusal keys have one home (portal.core.refusals.FormKey, the template global KEY)."""
    literal = re.compile(r"refused\.(?:on|value)\(\s*['\"]|refusal\(\s*refused\s*,\s*['\"]")
    offenders = [path.relative_to(ROOT).as_posix() for path in (ROOT / "templates").rglob("*.html")
                 if literal.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
    assert FormKey.ext(7) == "ext-7" and FormKey.state("block") == "state-block"


def test_views_name_refused_forms_by_their_key_never_by_a_literal():
    offenders = []
    for path in (ROOT / "portal").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            literal_arg = isinstance(node, ast.Call) and node.args and isinstance(node.args[0], (ast.Constant, ast.JoinedStr))
            literal_kw = isinstance(node, ast.Call) and any(
                k.arg == "key" and isinstance(k.value, (ast.Constant, ast.JoinedStr)) for k in node.keywords)
            name = getattr(getattr(node, "func", None), "id", "") if isinstance(node, ast.Call) else ""
            if (name == "Refused" and literal_arg) or (name in ("_run", "_after_action") and literal_kw):
                offenders.append(f"{path.relative_to(ROOT).as_posix()}:{node.lineno}")
    assert offenders == []


# Views whose refusals are drawn beside their forms (issue 23): an "error" flash there is only a warning
# after a success (the publish that left clauses uncovered, an upload that read all but some passages).
BESIDE_THE_FORM = {
    "portal/plans/review_views.py": ["注意：尚有"], "portal/plans/views.py": ["未能读取"],
    "portal/supervision/assign_views.py": [], "portal/training/signin_views.py": [],
    "portal/training/import_views.py": [], "portal/admin/views.py": [],
    "portal/auth/account_views.py": [], "portal/security/views.py": [],
    "portal/outbox/views.py": [], "portal/policy/favourite_views.py": [], "portal/policy/views.py": [],
    "portal/training/edit_views.py": [], "portal/training/certificate_views.py": [],
    "portal/training/learn_views.py": [],
    "portal/policy/admin.py": ["exc"],  # a followed link to an upload batch that is gone (no form)
}


def _error_flashes(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "flash" and len(node.args) == 2
                and isinstance(node.args[1], ast.Constant) and node.args[1].value == "error"):
            found.append(ast.unparse(node.args[0]))
    return found


@pytest.mark.parametrize("module", sorted(BESIDE_THE_FORM))
def test_refusals_of_these_views_are_never_a_flash(module):
    flashes = _error_flashes(ROOT / module)
    assert len(flashes) == len(BESIDE_THE_FORM[module])
    assert all(any(words in f for words in BESIDE_THE_FORM[module]) for f in flashes), flashes
