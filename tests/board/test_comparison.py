"""「本期与上期相比」 in the 通报: new red lights, items back from red, deadlines moved by 延期 and 批示 not
acted on within N days, each linked to its duty — from the snapshots at the two 通报 dates."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from portal.board import changes, snapshots
from portal.board.changes import Named, Snap
from portal.core import duty_rules
from portal.core.time import day_start_utc, local_today
from portal.extensions import db
from portal.models import AssessmentSettings, DutyNote, DutySnapshot
from tests.conftest import instance_by_key

D1, D2 = date(2026, 3, 1), date(2026, 6, 1)


def test_compare_finds_new_red_back_from_red_and_later_deadlines():
    names = {i: Named(f"任务{i}", "某单位", (i,)) for i in range(1, 7)}
    before = {1: Snap("in_progress", "green", 50, D1), 2: Snap("in_progress", "red", 10, D1),
              3: Snap("in_progress", "yellow", 10, D1), 4: Snap("in_progress", "red", 10, D1),
              6: Snap("in_progress", "green", 0, D1)}
    after = {1: Snap("in_progress", "red", 50, D1), 2: Snap("closed", "grey", 100, D1),
             3: Snap("in_progress", "green", 10, D2), 4: Snap("in_progress", "red", 10, D1),
             5: Snap("not_started", "red", 0, D1), 6: Snap("in_progress", "green", 0, D1),
             7: Snap("in_progress", "red", 0, D1)}  # 7 is outside this 通报's scope
    new_red, back, extended = changes.compare(before, after, names)
    assert [c.instance_id for c in new_red] == [1, 5]
    assert [c.instance_id for c in back] == [2]
    assert [(c.instance_id, c.before.deadline, c.after.deadline) for c in extended] == [(3, D1, D2)]


def test_unacted_keeps_only_instructions_older_than_n_days():
    names = {1: Named("任务", "某单位", (1,))}
    end = date(2026, 6, 30)
    given = [(1, datetime(2026, 6, 20), date(2026, 6, 20), "请加快"), (1, datetime(2026, 6, 25), date(2026, 6, 25), "再催"),
             (9, datetime(2026, 1, 1), date(2026, 1, 1), "别处")]
    got = changes.unacted(given, names, end, 7)
    assert [(i.body, i.days) for i in got] == [("请加快", 10)]


def snapshot_row(inst, day, light, deadline):
    db.session.add(DutySnapshot(day=day, instance_id=inst.id, unit_id=inst.unit_id, state=inst.state, light=light,
                                progress=0, deadline=deadline, overdue_days=0))


def test_the_report_compares_with_the_previous_period_and_links_each_duty(plan, auth, client):
    today = local_today()
    start = today.replace(day=1)
    previous_end = start - timedelta(days=1)
    a = instance_by_key("transfer-children@yanhu-mz")   # red before, closed since
    b = instance_by_key("transfer-children@yongji-mz")  # due far ahead before, now overdue
    c = instance_by_key("transfer-children@hejin-mz")   # its deadline moved later by 延期
    d = instance_by_key("transfer-children@linyi-mz")   # a 批示 nobody acted on
    e = instance_by_key("transfer-children@wanrong-mz")  # a 批示 followed by a note
    taken = previous_end - timedelta(days=3)  # the job did not run on the last days: the latest day before counts
    snapshot_row(a, taken, duty_rules.RED, a.deadline)
    snapshot_row(b, taken, duty_rules.GREEN, today + timedelta(days=90))
    snapshot_row(c, taken, duty_rules.GREEN, today + timedelta(days=40))
    a.state, a.closed_at = duty_rules.CLOSED, datetime.now()
    c.deadline = today + timedelta(days=100)
    old = day_start_utc(today - timedelta(days=20))
    db.session.add_all([DutyNote(instance_id=d.id, kind=duty_rules.NOTE_INSTRUCTION, body="请尽快推进移交", at=old),
                        DutyNote(instance_id=e.id, kind=duty_rules.NOTE_INSTRUCTION, body="请报告进展", at=old),
                        DutyNote(instance_id=e.id, kind=duty_rules.NOTE, body="已落实", at=old + timedelta(days=2))])
    db.session.commit()
    auth.as_role("leader")
    html = client.get(f"/board/report?start={start.isoformat()}&end={today.isoformat()}").get_data(as_text=True)
    section = html.split('data-testid="comparison"')[1].split("</section>")[0]
    assert f"（按 {taken.year}年{taken.month}月{taken.day}日 的记录）" in section
    new_red = section.split('data-testid="new-red"')[1].split("</div>")[0]
    assert f'href="/tasks/{b.id}"' in new_red and "上期为正常" in new_red
    back = section.split('data-testid="back-from-red"')[1].split("</div>")[0]
    assert f'href="/tasks/{a.id}"' in back and "现为已销号" in back and "已办结" not in back
    extended = section.split('data-testid="extended"')[1].split("</div>")[0]
    assert f'href="/tasks/{c.id}"' in extended and f"延至 {c.deadline.year}年{c.deadline.month}月{c.deadline.day}日" in extended
    unacted = section.split('data-testid="unacted"')[1].split("</div>")[0]
    assert f'href="/tasks/{d.id}"' in unacted and "请尽快推进移交" in unacted and "（已 20 天）" in unacted
    assert f'href="/tasks/{e.id}"' not in unacted
    assert "批示超过 7 天未落实" in section

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get(f"/board/report.xlsx?start={start.isoformat()}").data))
    kinds = [(row[0].value, row[1].value) for row in book["本期变化"].iter_rows(min_row=3)]
    assert ("新增红灯", b.duty.title) in kinds and ("红灯转出", a.duty.title) in kinds and ("延期", c.duty.title) in kinds
    assert any(k.startswith("批示超过7天") for k, _ in kinds)


def test_the_office_sets_n_and_without_earlier_snapshots_the_report_says_so(plan, auth, client):
    d = instance_by_key("transfer-children@linyi-mz")
    db.session.add(DutyNote(instance_id=d.id, kind=duty_rules.NOTE_INSTRUCTION, body="请尽快推进移交",
                            at=day_start_utc(local_today() - timedelta(days=20))))
    db.session.add(AssessmentSettings(id=1, instruction_days=30))
    db.session.commit()
    auth.as_role("leader")
    html = client.get("/board/report").get_data(as_text=True)
    section = html.split('data-testid="comparison"')[1].split("</section>")[0]
    assert 'data-testid="comparison-none"' in section and "暂不能与上期比较" in section
    assert "批示超过 30 天未落实（0 条）" in section


def test_a_past_period_reads_the_snapshot_at_its_end(plan, auth, client):
    b = instance_by_key("transfer-children@yongji-mz")
    snapshot_row(b, date(2026, 4, 30), duty_rules.GREEN, b.deadline)
    snapshot_row(b, date(2026, 5, 31), duty_rules.RED, b.deadline)
    db.session.commit()
    auth.as_role("leader")
    html = client.get("/board/report?start=2026-05-01&end=2026-05-31").get_data(as_text=True)
    section = html.split('data-testid="comparison"')[1].split("</section>")[0]
    assert "本期按 2026年5月31日 的记录" in section
    assert f'href="/tasks/{b.id}"' in section.split('data-testid="new-red"')[1].split("</div>")[0]
    assert snapshots.day_on_or_before(date(2026, 5, 15)) == date(2026, 4, 30)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DutySnapshot)) == 2
