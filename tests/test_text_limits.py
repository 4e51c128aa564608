"""Long text is refused with the limit named, never cut: the boxes carry no maxlength (a browser cuts a
paste to it silently) but the limit and a count; the server refuses a longer text and the page comes
back with all of it."""
from __future__ import annotations

import re

from portal import limits
from tests.conftest import make_user
from tests.factories import gen_instance, gen_liaison, gen_session

PASTED = ("一段从文件里粘贴来的长记录。" * 500)[:6000]


def box(html: str, box_id: str) -> str:
    return re.search(rf'<(?:textarea|input)[^>]*id="{box_id}"[^>]*>', html).group(0)


def test_a_6000_character_note_is_refused_whole_not_cut_to_5000(app, plan):
    mz = gen_session(app, gen_liaison("lim-mz"))
    inst = gen_instance("transfer-children@yanhu-mz")
    page = mz.client.get(f"/tasks/{inst.id}").get_data(as_text=True)
    assert "maxlength" not in box(page, "note-body") and 'data-limit="5000"' in box(page, "note-body")
    assert '<small class="char-count" id="note-body-count">最多 5000 字</small>' in page
    for headers in ({}, {"HX-Request": "true"}):
        response = mz.post(f"/tasks/{inst.id}/notes", {"body": PASTED}, headers=headers)
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert "工作记录不能超过 5000 字（现有 6000 字）" in html
        assert f">{PASTED}</textarea>" in html  # all of it, to shorten there
    assert not gen_instance(inst.key).notes


def test_report_boxes_show_their_limit_and_refuse_longer_text_whole(app, plan):
    mz = gen_session(app, gen_liaison("lim-rep"))
    url = "/reports/yanhu-mz/2026-11"
    page = mz.client.get(url).get_data(as_text=True)
    assert 'data-limit="10000"' in box(page, "progress") and 'id="problems-count"' in page
    long = "问" * (limits.REPORT_FIELD + 1)
    response = mz.post(url, {"progress": "本月进展", "problems": long, "next_steps": "", "version": "0", "submit": "0"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "存在问题不能超过 10000 字（现有 10001 字）" in html
    assert f">{long}</textarea>" in html


def test_a_figure_remark_and_a_sheet_place_are_refused_not_cut(app, plan):
    from tests.training.helpers import ROWS, import_rows, sync_modules

    sync_modules()
    import_rows(*ROWS)
    make_user("lim-tr", "trainer")
    from tests.conftest import AuthActions

    trainer = AuthActions(app.test_client())
    trainer.login("lim-tr")
    page = trainer.client.get("/training/sessions").get_data(as_text=True)
    assert "maxlength" not in box(page, "s-place") and 'data-limit="120"' in box(page, "s-place")
    place = "会议室" * 41  # 123 characters
    response = trainer.post("/training/sessions", {"module": "xinxi-modi-paicha", "county": "yanhu", "held_on": "2026-11-30",
                                                   "place": place, "trainer_name": "王老师"})
    assert response.status_code == 422 and "地点不能超过 120 字（现有 123 字）" in response.get_data(as_text=True)
    from portal.board.services import report_indicator
    from portal.duties.services import DutyError

    inst = gen_instance("transfer-children@yanhu-mz")
    try:
        report_indicator(gen_liaison("lim-fig"), inst, "移交儿童人数", 3, "说" * 201)
    except DutyError as exc:
        assert "说明不能超过 200 字（现有 201 字）" in str(exc)
    else:
        raise AssertionError("a 201-character remark was stored")


def test_search_boxes_show_their_limit_instead_of_cutting(app, plan):
    mz = gen_session(app, gen_liaison("lim-search"))
    page = mz.client.get("/search").get_data(as_text=True)
    assert "maxlength" not in page
    header, own = box(page, "header-q"), box(page, "search-q")
    assert 'data-limit="200"' in header and "data-long-post" in header
    assert 'data-limit="200"' in own and "data-long-post" in own
