"""A plan's 任务分工表 round trip: the published duties or the open draft downloaded as .xlsx/.docx, an
edited table uploaded back into the draft (updated, added, dropped by title or clause), a table with
problems shown row by row in Chinese and changing nothing."""
from __future__ import annotations

from io import BytesIO

import openpyxl
import sqlalchemy as sa
from docx import Document

from portal.extensions import db
from portal.models import Duty, Plan
from portal.plan_text.drafting import quoted_steps
from portal.plans import drafts, publish
from tests.plans.helpers import ready_plan, unit_id


def _sheet(data: bytes) -> list[list]:
    ws = openpyxl.load_workbook(BytesIO(data)).active
    return [[c if c is not None else "" for c in row] for row in ws.iter_rows(values_only=True)]


def _xlsx(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(auth, plan_id, data: bytes, name="任务分工表.xlsx"):
    return auth.post(f"/plans/{plan_id}/division/import", {"file": (BytesIO(data), name)},
                     content_type="multipart/form-data", follow_redirects=True)


def _fields(plan_id):
    plan = db.session.get(Plan, plan_id)
    return [(d.title, list(d.clause_ids), list(d.lead_ids), list(d.cooperating_ids), d.scope, d.deadline,
             d.deadline_text, list(d.checklist)) for d in plan.drafts]


def test_the_draft_table_downloads_as_offices_exchange_it(client, auth, plan):
    p = ready_plan()
    auth.as_role("admin")
    rows = _sheet(client.get(f"/plans/{p.id}/draft-division.xlsx").data)
    assert rows[0] == ["序号", "工作任务", "牵头单位", "配合单位", "完成时限", "来源条款"]
    assert rows[1] == [1, "开展困境儿童摸底排查", "市民政局", "市教育局、市福利院", "2026年6月30日", "二（一）"]
    assert rows[2][1:] == ["建立关爱服务台账", "各县（市、区）民政局", "", "2026年12月31日", "二（二）"]
    doc = Document(BytesIO(client.get(f"/plans/{p.id}/draft-division.docx").data))
    assert [c.text for c in doc.tables[0].rows[1].cells][1:3] == ["开展困境儿童摸底排查", "市民政局"]
    assert "运民字〔2026〕9号" in "".join(par.text for par in doc.paragraphs)


def test_an_unchanged_table_changes_nothing(client, auth, plan):
    p = ready_plan()
    auth.as_role("admin")
    before = _fields(p.id)
    for fmt in ("xlsx", "docx"):
        data = client.get(f"/plans/{p.id}/draft-division.{fmt}").data
        page = _upload(auth, p.id, data, f"任务分工表.{fmt}").get_data(as_text=True)
        assert "与草稿一致，没有改动（2 项）" in page
        db.session.expire_all()
        assert _fields(p.id) == before


def test_an_edited_table_updates_adds_and_drops_by_title_and_clause(client, auth, plan):
    p = ready_plan()
    auth.as_role("admin")
    rows = _sheet(client.get(f"/plans/{p.id}/draft-division.xlsx").data)
    rows[1][1] = "开展困境儿童全面摸底排查"  # renamed: found by its clause 二（一）
    rows[1][3] = "市教育局"
    rows[1][4] = "2026年9月30日"
    rows[2] = [2, "建立困境儿童信息系统", "市民政局", "—", "2026年年底", "二（二）"]  # 二（二）'s duty replaced
    rows.append([3, "建立关爱服务台账", "各县（市、区）民政局", "", "长期", "二（二）"])
    page = _upload(auth, p.id, _xlsx(rows)).get_data(as_text=True)
    # 建立关爱服务台账 is found by its title (before 二（二）'s other row can take it by clause)
    assert "修改 2 项，新增 1 项，删除 0 项，未变 0 项" in page
    db.session.expire_all()
    got = {d.title: d for d in db.session.get(Plan, p.id).drafts}
    first = got["开展困境儿童全面摸底排查"]
    assert first.cooperating_ids == [unit_id("city-jy")] and first.deadline.isoformat() == "2026-09-30"
    assert first.checklist == ["制定排查方案", "完成摸底排查"]  # what the table does not carry is kept
    assert got["建立关爱服务台账"].scope == "per-county" and got["建立关爱服务台账"].deadline is None
    added = got["建立困境儿童信息系统"]  # a row matching no drafted duty: its steps quoted from 二（二）
    assert added.scope == "city" and added.checklist == ["各县（市、区）建立关爱服务台账，年底前完成。"]
    # Dropping: a table without a duty removes it from the draft.
    rows = _sheet(client.get(f"/plans/{p.id}/draft-division.xlsx").data)
    page = _upload(auth, p.id, _xlsx(rows[:2] + rows[3:])).get_data(as_text=True)
    assert "删除 1 项" in page
    db.session.expire_all()
    assert len(db.session.get(Plan, p.id).drafts) == 2
    assert publish.publish(db.session.get(Plan, p.id), None) == []


def test_a_table_with_problems_names_each_row_and_changes_nothing(client, auth, plan):
    p = ready_plan()
    auth.as_role("admin")
    before = _fields(p.id)
    rows = _sheet(client.get(f"/plans/{p.id}/draft-division.xlsx").data)
    rows[1][2] = "市星际办"
    rows[2][4] = "尽快"
    rows[2][5] = "九（一）"
    rows[1][1] = "改了名字"
    response = _upload(auth, p.id, _xlsx(rows), "分工.xlsx")
    page = response.get_data(as_text=True)
    assert response.status_code == 422  # the review page again, the problems beside the upload form
    beside = page[page.index('data-testid="division-import"'):page.index("上传并导入")]
    assert "草稿未作任何改动" in beside and "分工.xlsx 第2行：不认识的单位名称：市星际办" in beside
    assert '<p class="flash' not in page
    assert "分工.xlsx 第3行：完成时限“尽快”读不出日期" in page
    assert "分工.xlsx 第3行：方案中没有来源条款 9.1" in page
    missing = _upload(auth, p.id, _xlsx([["序号", "工作任务", "配合单位"], [1, "甲", ""]])).get_data(as_text=True)
    assert "缺少列：牵头单位（或责任单位）、完成时限（或时间节点）" in missing
    assert "请上传 .xlsx 或 .docx" in _upload(auth, p.id, b"x", "a.csv").get_data(as_text=True)
    db.session.expire_all()
    assert _fields(p.id) == before


def test_the_published_table_is_the_plans_own_and_round_trips_through_a_revision(client, auth, plan):
    p = ready_plan()
    assert publish.publish(p, None) == []
    auth.as_role("admin")
    before = {d.key: (d.title, d.deadline, d.scope) for d in db.session.scalars(sa.select(Duty).where(Duty.plan_id == p.id))}
    assert client.get(f"/plans/{p.id}/draft-division.xlsx").status_code == 404  # no draft open
    rows = _sheet(client.get(f"/plans/{p.id}/division.xlsx").data)
    assert [r[1] for r in rows[1:]] == ["开展困境儿童摸底排查", "建立关爱服务台账"]  # not 74号's duties
    assert "没有待审核的草稿" in _upload(auth, p.id, _xlsx(rows)).get_data(as_text=True)
    assert publish.open_next_version(db.session.get(Plan, p.id), None) is None
    page = _upload(auth, p.id, client.get(f"/plans/{p.id}/division.xlsx").data).get_data(as_text=True)
    assert "没有改动（2 项）" in page
    assert publish.publish(db.session.get(Plan, p.id), None) == []
    db.session.expire_all()
    after = {d.key: (d.title, d.deadline, d.scope) for d in db.session.scalars(
        sa.select(Duty).where(Duty.plan_id == p.id, ~Duty.archived))}
    assert after == before
    assert drafts.unknown_names(db.session.get(Plan, p.id)) == []


def _government_row(rows: list[list]) -> list[list]:
    """The sample table with a third duty every county's government leads, a city unit cooperating as
    the office's own arrangement."""
    return [*rows, [3, "统筹推进关爱服务阵地建设", "各县（市、区）人民政府", "市财政局（督查室安排）、各县（市、区）民政局",
                    "2026年12月31日（督查室安排）", "二（二）"]]


def test_a_duty_of_each_county_s_government_and_the_office_s_marks_round_trip(client, auth, plan):
    from portal.models import DutyInstance

    p = ready_plan()
    auth.as_role("admin")
    rows = _government_row(_sheet(client.get(f"/plans/{p.id}/draft-division.xlsx").data))
    page = _upload(auth, p.id, _xlsx(rows)).get_data(as_text=True)
    assert "新增 1 项" in page, page
    db.session.expire_all()
    added = db.session.get(Plan, p.id).drafts[2]
    assert added.scope == "per-county" and added.lead_ids == [unit_id("yanhu")]
    assert added.arranged_cooperating_ids == [unit_id("city-cz")]
    assert set(added.cooperating_ids) == {unit_id("city-cz"), unit_id("yanhu-mz")}
    assert "工作安排" in added.deadline_text  # the 完成时限 the table marks as the office's stays so
    assert added.quote == "各县（市、区）建立关爱服务台账，年底前完成。（各县（市、区）民政局负责）"  # 二（二）'s words
    # its checklist quoted from the clause it cites, by the drafter's own rule, and shown for review
    assert added.checklist == ["各县（市、区）建立关爱服务台账，年底前完成。"]
    assert added.checklist == quoted_steps(added.quote)
    review = client.get(f"/plans/{p.id}/review").get_data(as_text=True)
    card = review.split(f'id="draft-{added.id}"', 1)[1].split('data-testid="draft-source"', 1)[0]
    assert "<li>各县（市、区）建立关爱服务台账，年底前完成。</li>" in card.split('data-testid="draft-steps"', 1)[1]
    # downloaded again, the row reads as it was written; uploaded again, nothing changes
    again = _sheet(client.get(f"/plans/{p.id}/draft-division.xlsx").data)
    assert again[3][2:4] == ["各县（市、区）", "市财政局（督查室安排）、各县（市、区）民政局"]
    assert again[3][4] == "2026年12月31日（督查室安排）"
    assert "没有改动（3 项）" in _upload(auth, p.id, _xlsx(again)).get_data(as_text=True)
    # published: each county's government leads its own instance; 市财政局 cooperates as the office's
    assert publish.publish(db.session.get(Plan, p.id), None) == []
    db.session.expire_all()
    duty = db.session.scalar(sa.select(Duty).where(Duty.plan_id == p.id, Duty.title == "统筹推进关爱服务阵地建设"))
    instances = db.session.scalars(sa.select(DutyInstance).where(DutyInstance.duty_id == duty.id)).all()
    assert len(instances) == 13 and {i.unit.level for i in instances} == {"县级"}
    assert all(i.unit.parent_id is None for i in instances)
    yanhu = next(i for i in instances if i.unit.code == "yanhu")
    assert {(c.unit.code, c.arranged) for c in yanhu.cooperators} == {("city-cz", True), ("yanhu-mz", False)}
    # the published table says the same, and a revision of it changes nothing
    published = _sheet(client.get(f"/plans/{p.id}/division.xlsx").data)
    assert published[3][2] == "各县（市、区）" and published[3][4] == "2026年12月31日（督查室安排）"
    assert published[3][3] in ("市财政局（督查室安排）、各县（市、区）民政局", "各县（市、区）民政局、市财政局（督查室安排）")
    assert publish.open_next_version(db.session.get(Plan, p.id), None) is None
    assert "没有改动（3 项）" in _upload(auth, p.id, _xlsx(published)).get_data(as_text=True)


def test_the_review_form_keeps_the_office_s_cooperating_units_apart(client, auth, plan):
    from tests.plans.test_review_publish import _form

    p = ready_plan()
    first = p.drafts[0]
    auth.as_role("admin")
    form = _form(first, cooperating=[str(unit_id("city-jy"))], arranged_cooperating=[str(unit_id("city-cz"))],
                 version=str(first.version))
    auth.post(f"/plans/{p.id}/drafts/{first.id}", form)
    db.session.expire_all()
    first = db.session.get(Plan, p.id).drafts[0]
    assert first.cooperating_ids == [unit_id("city-jy"), unit_id("city-cz")]
    assert first.arranged_cooperating_ids == [unit_id("city-cz")]
    page = client.get(f"/plans/{p.id}/review").get_data(as_text=True)
    assert "市财政局（工作安排）" in page or "运城市财政局（工作安排）" in page
