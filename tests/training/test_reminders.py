"""Issue 21: trainees and trainers reminded of due and overdue training through `portal.outbox.enqueue`
(kind 'training_due'), once a week each; `flask portal remind` runs it."""
from datetime import timedelta

import pytest

from portal import outbox
from portal.core.time import today
from portal.training import reminders, services
from tests.conftest import make_user
from tests.training.helpers import admin_actor, import_rows, sync_modules, trainee

TODAY = today()


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr(outbox, "enqueue", lambda kind, **kw: calls.append((kind, kw)))
    return calls


def _setup():
    sync_modules()
    make_user("stu", "trainee")
    import_rows("主任乙,儿童主任,盐湖区,北城街道,红旗社区,13800000002,stu,",
                "主任丙,儿童主任,盐湖区,北城街道,槐东社区,13800000003,,",  # no account: no personal message
                "主任戊,儿童主任,永济市,城西街道,西厢村,13800000005,,")
    actor = admin_actor()
    late, soon, later = (services.get_module(k) for k in ("xinxi-modi-paicha", "fangan-yu-zhize", "dongtai-gengxin"))
    for phone in ("13800000002", "13800000003"):
        services.assign_people(actor, late, [trainee(phone)], TODAY - timedelta(days=3), backdated=True)
    services.assign_people(actor, soon, [trainee("13800000002")], TODAY + timedelta(days=5))
    services.assign_people(actor, later, [trainee("13800000002")], TODAY + timedelta(days=60))
    return late, soon, later


def test_trainee_hears_of_overdue_and_due_soon_but_not_of_later(app, plan, sent):
    late, soon, later = _setup()
    assert reminders.remind_trainees(TODAY) == 1
    kind, message = sent[0]
    assert kind == "training_due" and [u.username for u in message["users"]] == ["stu"]
    assert "1 项已逾期，1 项即将到期" in message["subject"]
    assert f"{late.title}（应于" in message["body"] and "已逾期3天" in message["body"]
    assert soon.title in message["body"] and later.title not in message["body"]
    assert message["dedupe_key"].startswith(f"training_due:trainee:{trainee('13800000002').id}:")


def test_a_completed_training_is_not_reminded(app, plan, sent):
    late, soon, _ = _setup()
    services.mark_completed(admin_actor(), trainee("13800000002"), late, TODAY)
    services.mark_completed(admin_actor(), trainee("13800000002"), soon, TODAY)
    assert reminders.remind_trainees(TODAY) == 0 and sent == []


def test_county_trainers_get_their_countys_weekly_summary_and_the_city_all(app, plan, sent):
    _setup()
    make_user("tr-yh", "trainer", unit="yanhu-mz")
    make_user("tr-city", "trainer", unit="city-mz")
    reminders.weekly_summaries(TODAY)
    by_subject = {kw["subject"]: kw for _, kw in sent}
    yanhu = next(kw for s, kw in by_subject.items() if s.startswith("盐湖区"))
    assert sorted(u.username for u in yanhu["users"]) == ["tr-city", "tr-yh"]
    assert "逾期 2 人次" in yanhu["body"] and "主任乙" in yanhu["body"] and "主任丙" in yanhu["body"]
    assert "已安排 4 人次" in yanhu["body"]
    others = [kw for s, kw in by_subject.items() if not s.startswith("盐湖区")]
    assert others and all([u.username for u in kw["users"]] == ["tr-city"] for kw in others)


def test_flask_portal_remind_runs_the_training_reminders(app, plan, sent):
    _setup()
    result = app.test_cli_runner().invoke(args=["portal", "remind"])
    assert result.exit_code == 0, result.output
    assert "training: 1 trainee reminder(s)" in result.output
    assert any(kind == "training_due" for kind, _ in sent)
