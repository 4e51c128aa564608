"""The duty page reads its own rows in one statement, whoever wrote them (portal/duties/page.py)."""
from __future__ import annotations

from datetime import timedelta

from portal import refdata
from portal.board import services as board_services
from portal.core.time import today
from portal.duties.services import decide_extension, request_extension
from tests.factories import gen_admin, gen_evidence, gen_instance, gen_leader, gen_liaison, gen_note, gen_tick
from tests.querycount import count_queries

KEY = "transfer-children@yanhu-mz"
SEEN: list[list[str]] = []  # the statements of each page read, for the failure message


def _page(auth, inst_id: int) -> tuple[str, int]:
    refdata.clear()  # a worker's first visit
    with count_queries() as statements:
        response = auth.client.get(f"/tasks/{inst_id}")
    assert response.status_code == 200
    SEEN.append(statements)
    return response.get_data(as_text=True), len(statements)


def test_a_duty_worked_by_many_people_costs_what_a_fresh_one_does(plan, auth):
    liaisons = [gen_liaison(f"worker{i}") for i in range(3)]
    liaisons[0].display_name, liaisons[1].display_name, liaisons[2].display_name = "张一", "李二", "王三"
    auth.login("worker0")  # the lead unit's liaison: sees the extension requests too
    inst = gen_instance(KEY)
    _, fresh = _page(auth, inst.id)

    admin, leader = gen_admin("office-x"), gen_leader("leader-x")
    for i, person in enumerate(liaisons):
        gen_tick(person, gen_instance(KEY), position=i)
        gen_note(person, gen_instance(KEY), f"{person.display_name}的工作记录")
    gen_evidence(liaisons[0], gen_instance(KEY), "移交清单.pdf")
    gen_evidence(liaisons[1], gen_instance(KEY), "档案目录.pdf")
    ext = request_extension(liaisons[0], gen_instance(KEY), "档案未齐", today() + timedelta(days=40))
    decide_extension(admin, ext, False, "请按期完成")
    request_extension(liaisons[0], gen_instance(KEY), "再次申请", today() + timedelta(days=50))
    name, _unit = gen_instance(KEY).duty.indicators[0]
    board_services.report_indicator(liaisons[1], gen_instance(KEY), name, 7, "首次填报")
    board_services.report_indicator(liaisons[2], gen_instance(KEY), name, 9, "更正")
    board_services.add_instruction(leader, gen_instance(KEY), "抓紧办理移交")

    html, worked = _page(auth, inst.id)
    assert worked == fresh, "\n---\n".join(SEEN[-1])  # nothing per person, per file, per figure
    for text in ("张一的工作记录", "李二的工作记录", "王三的工作记录",  # notes with their authors
                 "移交清单.pdf", "档案目录.pdf",  # evidence with its uploaders
                 "请按期完成", "已申请延期至",  # the refused request and the pending one
                 "首次填报", "更正", "抓紧办理移交", leader.display_name, admin.display_name):
        assert text in html, text
    assert f'data-indicator="{name}">9 ' in html  # the latest figure is the current one
    for person in liaisons:
        assert person.display_name in html
