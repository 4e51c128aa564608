"""What a new edition affects: the 2024 edition of 未成年人保护法 changed 第九条; the training
module that quotes 第九条 is listed on the law's page, and a new edition imported on the library page
tells the owners of what cites a changed article."""
from io import BytesIO

import sqlalchemy as sa

from portal.extensions import db
from portal.models import Duty, PolicyCitation, PolicyDocument
from portal.policy import affected
from tests.conftest import ROOT
from tests.training.helpers import sync_modules

SOURCES = ROOT / "content" / "policy" / "sources"


def test_the_law_page_lists_the_module_citing_the_changed_article(plan, staff):
    sync_modules()
    html = staff.client.get("/policy/weichengnianren-baohu-fa").get_data(as_text=True)
    assert "本版本修改影响的工作" in html
    assert "与2020年10月17日版本相比，修改或删除了 1 条（第九条）" in html
    module = html[html.index('data-testid="affected-module"'):]
    assert "未成年人保护工作站" in module.split("</ul>")[0] and "引用第九条" in module
    assert "/policy/weichengnianren-baohu-fa/compare?from=2020-10-17&amp;to=2024-04-26" in html


def test_a_duty_whose_plan_clause_cites_a_changed_article_is_listed_and_its_units_told(app, plan, content, auth,
                                                                                       monkeypatch):
    app.config["CONTENT_DIR"] = str(content)
    auth.as_role("admin")
    plan = db.session.scalar(sa.select(PolicyDocument).where(PolicyDocument.doc_id == "yunmin-2021-74"))
    duty = db.session.scalars(sa.select(Duty).where(Duty.archived.is_(False))).first()
    # the 方案 clause behind this duty cites 第十一条 of 反家庭暴力法 (made for the test)
    db.session.add(PolicyCitation(document_id=plan.id, clause_id=duty.clause_ids[0], anchor_id=duty.clause_ids[0],
                                  position=999, text="《中华人民共和国反家庭暴力法》第十一条", cited_title="中华人民共和国反家庭暴力法",
                                  cited_number="", cited_clause="a11", target_doc="fan-jiating-baoli-fa",
                                  target_clause="a11"))
    db.session.commit()
    sent = []
    monkeypatch.setattr("portal.outbox.enqueue", lambda kind, **kw: sent.append((kind, kw)))
    new = (SOURCES / "反家庭暴力法(2015-12-27).md").read_text(encoding="utf-8").replace(
        "用人单位发现本单位人员有家庭暴力情况的，应当给予批评教育", "用人单位发现本单位人员有家庭暴力情况的，应当及时给予批评教育", 1)
    data = {"files": [(BytesIO(new.encode()), "反家庭暴力法(2025-01-01).md")]}
    r = auth.post("/admin/library/upload", data=data, content_type="multipart/form-data")
    page = auth.post("/admin/library/import", data={"batch": r.headers["Location"].rsplit("/", 1)[-1]})
    assert "已导入 1 份" in page.get_data(as_text=True)
    doc = db.session.scalar(sa.select(PolicyDocument).where(PolicyDocument.doc_id == "fan-jiating-baoli-fa"))
    with app.test_request_context():
        view = affected.latest_change(doc)
    assert view.changed == {"a11": "第十一条"}
    cited = duty.clause_ids[0]
    expected = [d.title for d in db.session.scalars(sa.select(Duty).where(Duty.archived.is_(False)).order_by(Duty.position))
                if d.instances and any(cid == cited or cited.startswith(cid + ".") for cid in d.clause_ids)]
    assert duty.title in expected and [i.title for i in view.of("duty")] == expected
    told = [kw for kind, kw in sent if kind == "bulletin" and kw.get("units") and duty.title in kw["body"]]
    assert len(told) == 1 and {u.id for u in told[0]["units"]} == {i.unit_id for i in duty.instances}
    assert "第十一条" in told[0]["body"]
    html = auth.client.get("/policy/fan-jiating-baoli-fa").get_data(as_text=True)
    assert duty.title in html[html.index('data-testid="affected-duty"'):]
