"""The 督办通知单 as a Word file in 公文 layout (GB/T 9704): red masthead, 文号 numbered per year,
小标宋 二号 title, 仿宋 三号 body, 落款 and date, page numbers; no English words or internal ids."""
from __future__ import annotations

import re
from datetime import date
from io import BytesIO

from docx import Document
from docx.shared import Pt

from portal import gongwen
from portal.extensions import db
from portal.supervision import ladder
from tests.conftest import AuthActions, instance_by_key, make_user
from tests.supervision.test_escalation import _only

KEY = "transfer-children@yanhu-mz"


def _east_asia(run) -> str:
    return run._element.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")


def test_the_layout_helper_follows_gb_t_9704():
    data = gongwen.build(gongwen.Gongwen(issuer="运城市民政局", number=gongwen.doc_number("运民督", 2026, 7),
                                         title="督办通知单", addressee="盐湖区民政局",
                                         paragraphs=["第一段。", "第二段。"], signed_on=date(2026, 12, 7),
                                         copy_to="副区长李四"))
    doc = Document(BytesIO(data))
    section = doc.sections[0]
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    paras = [p for p in doc.paragraphs if p.text]
    masthead, number, title, addressee = paras[:4]
    assert masthead.text == "运城市民政局" and str(masthead.runs[0].font.color.rgb) == "E60012"
    assert _east_asia(masthead.runs[0]) == gongwen.XIAOBIAOSONG and masthead.runs[0].font.size == Pt(36)
    assert gongwen.masthead_size("运城市儿童福利工作领导小组办公室（督查室）") < Pt(30)  # a long name stays on one line
    assert number.text == "运民督〔2026〕7号" and "w:pBdr" in number._p.xml  # the red separator line
    assert title.text == "督办通知单" and title.runs[0].font.size == Pt(22) and _east_asia(title.runs[0]) == "方正小标宋简体"
    assert addressee.text == "盐湖区民政局："
    body = [p for p in paras if p.text in ("第一段。", "第二段。")]
    assert all(p.runs[0].font.size == Pt(16) and _east_asia(p.runs[0]) == "仿宋_GB2312" for p in body)
    assert body[0].paragraph_format.first_line_indent == Pt(32)  # two characters
    texts = [p.text for p in paras]
    assert texts.index("运城市民政局", 1) < texts.index("2026年12月7日")  # 落款, then the date
    assert "抄送：副区长李四。" in texts
    footer = section.footer.paragraphs[0]
    assert "PAGE" in footer._p.xml and footer.text.startswith("— ") and footer.text.endswith(" —")
    assert doc.settings.odd_and_even_pages_header_footer
    props = doc.core_properties
    assert (props.title, props.author, props.last_modified_by, props.comments) == ("督办通知单", "运城市民政局", "运城市民政局", "")


def test_a_red_step_prints_as_a_numbered_one_page_order_without_internals(app, plan):
    inst = instance_by_key(KEY)
    inst.deadline = date(2025, 9, 30)
    _only(inst.id)
    ladder.set_leader(None, inst.unit_id, None, "李四", "副区长")
    db.session.commit()
    ladder.run_escalations(date(2025, 10, 1))
    ladder.run_escalations(date(2025, 10, 14))
    import sqlalchemy as sa

    from portal.models import Urge

    red = db.session.scalar(sa.select(Urge).where(Urge.level == "red"))
    make_user("office", "admin")
    auth = AuthActions(app.test_client())
    auth.login("office")
    response = auth.client.get(f"/duban/urges/{red.id}.docx")
    assert response.status_code == 200
    assert "%E7%BA%A2%E8%89%B2%E7%9D%A3%E5%8A%9E%E5%8D%95" in response.headers["Content-Disposition"]  # 红色督办单
    assert f'filename="duban-notice-{red.year}-{red.serial}.docx"' in response.headers["Content-Disposition"]  # not "(20252).docx"
    doc = Document(BytesIO(response.data))
    text = "\n".join(p.text for p in doc.paragraphs)
    year = red.year
    assert f"运民督〔{year}〕2号" in text  # the second 督办单 of the year
    assert "红色督办单" in text and "盐湖区民政局：" in text and "抄送：副区长李四。" in text
    assert inst.duty.title in text and "2025年9月30日" in text
    assert not re.search(r"[A-Za-z]", text), text  # no English, no URL, no unit code
    assert inst.key not in text and "/tasks/" not in text
    assert len(doc.paragraphs) <= 22  # one page: 22 lines on the 版心


def test_sections_tables_and_a_landscape_attachment_follow_the_layout():
    """The 通报's shape: 一、 headings in 黑体, （一） in 楷体, tables with a 黑体 header and 仿宋 cells, the
    附件说明 under the body, the 落款, then the 附件 on its own landscape page with 「附件」 at its top left;
    the page numbers run on through it; control characters never break the file."""
    data = gongwen.build(gongwen.Gongwen(
        issuer="运城市民政局", number="运民督〔2026〕　号", title="工作推进情况通报", addressee="",
        paragraphs=["现将情况通报如下。"],
        body=[gongwen.Heading("一、总体情况"), "共有任务10项。", gongwen.Heading("（一）盐湖区民政局（1项）", 2),
              gongwen.Table(["任务", "状态"], [["做好儿童移交工作\x07", "推进中"]])],
        attachments=[gongwen.Attachment("县级儿童福利机构移交进度",
                                        [gongwen.Table([f"列{n}" for n in range(12)], [[str(n) for n in range(12)]])],
                                        landscape=True)],
        signed_on=date(2026, 12, 7)))
    doc = Document(BytesIO(data))
    paras = [p for p in doc.paragraphs if p.text]
    texts = [p.text for p in paras]
    assert "盐湖区民政局：" not in texts and texts[2] == "工作推进情况通报"  # no addressee line when none is given
    first = next(p for p in paras if p.text == "一、总体情况")
    second = next(p for p in paras if p.text.startswith("（一）"))
    assert _east_asia(first.runs[0]) == gongwen.HEITI and _east_asia(second.runs[0]) == gongwen.KAITI
    body_table, wide = doc.tables
    header, cell = body_table.rows[0].cells[0].paragraphs[0].runs[0], body_table.rows[1].cells[0].paragraphs[0].runs[0]
    assert _east_asia(header) == gongwen.HEITI and _east_asia(cell) == gongwen.FANGSONG
    assert cell.text == "做好儿童移交工作"  # the control character dropped
    assert wide.rows[0].cells[0].paragraphs[0].runs[0].font.size == gongwen.SIZE_WIDE_TABLE
    note = texts.index("附件：县级儿童福利机构移交进度")
    assert texts[note + 1:note + 3] == ["运城市民政局", "2026年12月7日"]  # 附件说明, then the 落款
    assert texts[-2:] == ["附件", "县级儿童福利机构移交进度"]
    portrait, landscape = doc.sections
    assert (round(portrait.page_width.mm), round(landscape.page_width.mm)) == (210, 297)
    assert landscape.footer.is_linked_to_previous  # the page numbers continue
