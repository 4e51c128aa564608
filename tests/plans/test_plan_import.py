"""Importing a plan's file: the upload page and `flask portal plan-import` check the file and store what
the reader and drafter (portal.plan_text, stood in for here by hand-made results) return."""
from __future__ import annotations

from io import BytesIO

import pytest
import sqlalchemy as sa

import portal.plan_text.drafting
import portal.plan_text.reader
from portal.extensions import db
from portal.models import Duty, Plan
from portal.plan_text.model import Problem
from tests.plans.helpers import sample_document, sample_drafts


@pytest.fixture
def reader(monkeypatch):
    """The reader and drafter as the plantext branch shapes them; `seen` records what they were given."""
    seen: dict = {}

    def read_plan(path):
        seen["text"] = path.read_text(encoding="utf-8")
        document = sample_document()
        document.problems.append(Problem("要点.txt", 9, "表格无法识别"))
        return document

    def draft_duties(document, units, issued):
        seen["units"], seen["issued"] = units, issued
        known = {n: u.id for u in units for n in (u.name, u.short_name, *u.aliases)}
        drafted = sample_drafts()
        for d in drafted:  # as the drafter does: a name the register (or an alias) knows gets its unit
            d.cooperating_ids = [uid if uid is not None else known.get(n) for n, uid in zip(d.cooperating, d.cooperating_ids, strict=True)]
        return drafted

    # The callers reach both through their modules (`reader.read_plan`), so replacing the functions
    # on the modules replaces them everywhere.
    monkeypatch.setattr(portal.plan_text.reader, "read_plan", read_plan)
    monkeypatch.setattr(portal.plan_text.drafting, "draft_duties", draft_duties)
    return seen


def _upload(auth, name: str, data: bytes):
    return auth.post("/plans/new", {"file": (BytesIO(data), name)}, content_type="multipart/form-data",
                     follow_redirects=True)


def test_uploading_a_plan_drafts_it_for_review(client, auth, plan, reader):
    auth.as_role("admin")
    page = _upload(auth, "要点.txt", "运城市困境儿童关爱保护工作要点\n一、总体要求".encode())
    text = page.get_data(as_text=True)
    assert "审核任务分工" in text and "已导入「运城市困境儿童关爱保护工作要点」" in text
    assert "要点.txt 第9处未能读取：表格无法识别" in text
    assert reader["text"].startswith("运城市困境儿童关爱保护工作要点")
    assert any(u.name == "运城市民政局" and "民政部门" in u.aliases for u in reader["units"])
    created = db.session.scalars(sa.select(Plan).where(Plan.state == "draft")).one()
    assert [d.title for d in created.drafts] == ["开展困境儿童摸底排查", "建立关爱服务台账"]
    assert not (client.application.config["UPLOAD_DIR"] and list(
        (__import__("pathlib").Path(client.application.config["UPLOAD_DIR"]) / "staging" / "plans").glob("*")))


@pytest.mark.parametrize(("name", "data", "message"), [
    ("plan.exe", b"MZ", "只接受 .docx、.txt、.md 或带文字层的 .pdf 文件"),
    ("plan.txt", b"", "文件是空的"),
    ("plan.docx", b"not a zip at all", "方案文件"),
])
def test_a_file_that_cannot_be_a_plan_is_refused_with_a_message(client, auth, plan, reader, name, data, message):
    auth.as_role("admin")
    response = _upload(auth, name, data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Plan.id))) == 1  # only 74号


def test_plan_import_command_prints_the_plan_id_and_publishes_when_asked(app, plan, reader, tmp_path):
    from portal.plans import drafts

    source = tmp_path / "要点.md"
    source.write_text("运城市困境儿童关爱保护工作要点", encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["portal", "plan-import", str(source)])
    assert result.exit_code == 0, result.output
    plan_id = int(result.stdout.strip().splitlines()[-1])
    assert db.session.get(Plan, plan_id).state == "draft"
    assert "要点.txt:9: 表格无法识别" in result.stderr
    # --publish: refused while a name is unknown (the plan stays a draft); once the office mapped it
    # (remembered as an alias), the next import drafts it known and publishes.
    refused = runner.invoke(args=["portal", "plan-import", str(source), "--publish"])
    assert refused.exit_code == 1 and "not published: 尚有单位名称未对应到单位：市儿童之家" in refused.stderr
    refused_id = int(refused.stdout.strip().splitlines()[-1])
    assert db.session.get(Plan, refused_id).state == "draft"
    drafts.map_name(db.session.get(Plan, plan_id), "市儿童之家", sample_drafts()[0].lead_ids[0], actor=None)
    published = runner.invoke(args=["portal", "plan-import", str(source), "--publish"])
    assert published.exit_code == 0, published.stderr
    new_id = int(published.stdout.strip().splitlines()[-1])
    assert db.session.get(Plan, new_id).state == "published"
    assert db.session.scalar(sa.select(sa.func.count(Duty.id)).where(Duty.plan_id == new_id)) == 2


def test_plan_draft_prints_the_draft_as_json_and_writes_nothing(app, plan, reader, tmp_path):
    import json

    source = tmp_path / "要点.txt"
    source.write_text("运城市困境儿童关爱保护工作要点", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["portal", "plan-draft", str(source), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows[0] == {"clause": "2.1", "title": "开展困境儿童摸底排查", "lead": ["市民政局"],
                       "cooperating": ["市教育局", "市儿童之家"], "scope": "city", "deadline_text": "2026年6月底前",
                       "deadline": "2026-06-30", "quote": "开展困境儿童摸底排查，2026年6月底前完成。"}
    assert db.session.scalar(sa.select(sa.func.count(Plan.id))) == 1  # only 74号: nothing written
