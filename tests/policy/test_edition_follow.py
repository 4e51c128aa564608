"""Following a new edition (issue 22): a new edition synced from content/ tells the owners of what cites
a changed article, once; a trainer sees on the module's page how many of their people were trained on
the earlier text and assigns the module to them again (重新安排学习), with a due date they pick."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from portal.core import training_rules
from portal.core.time import LOCAL_TZ, today
from portal.extensions import db
from portal.models import Assignment, AuditEntry, Completion, Notice, OutboxMessage, PolicyDocument, PolicyEdition
from portal.policy.sync import sync_policy
from portal.training import services, tally
from tests.conftest import make_user
from tests.training.helpers import ROWS, import_rows, sync_modules, trainee

LAW, MODULE = "weichengnianren-baohu-fa", "weibao-gongzuozhan"
URL = f"/policy/{LAW}/retrain/{MODULE}"


# ---- a new edition arriving through content/ and the sync ------------------------------------------

def _new_edition(content, edition: str = "2025-01-01") -> None:
    """A later edition of 反家庭暴力法 whose 第十二条 (cited by the module 政策宣讲) reads differently."""
    text = (content / "policy" / "fan-jiating-baoli-fa.md").read_text(encoding="utf-8")
    text = text.replace("edition: 2015-12-27", f"edition: {edition}").replace("effective: 2016-03-01",
                                                                             f"effective: {edition}")
    text = text.replace("date: 2015-12-27", f"date: {edition}")
    text = text.replace("依法履行监护和教育职责，不得实施家庭暴力。", "依法履行监护和教育职责，严禁实施任何形式的家庭暴力。", 1)
    (content / "policy" / f"fan-jiating-baoli-fa@{edition}.md").write_text(text, encoding="utf-8")


def _messages() -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.dedupe_key.like("edition-affects:fan-jiating-baoli-fa:%"))))


def test_a_new_edition_synced_from_content_tells_the_owners_once(app, plan, content):
    sync_modules()
    trainer = make_user("tr-follow", "trainer")
    app.config["CONTENT_DIR"] = str(content)
    assert sync_policy(content).new_editions == {}  # the library as shipped: nothing new, nobody told
    assert _messages() == []

    _new_edition(content)
    report = sync_policy(content)
    assert report.new_editions == {"fan-jiating-baoli-fa": "2025-01-01"}
    assert any("new edition 2025-01-01" in line for line in report.lines())
    told = _messages()
    assert [m.dedupe_key for m in told] == ["edition-affects:fan-jiating-baoli-fa:2025-01-01:training"]
    assert "政策宣讲" in told[0].body and "第十二条" in told[0].body
    assert told[0].link == "/policy/fan-jiating-baoli-fa#affected"
    notice = db.session.scalar(sa.select(Notice).where(Notice.user_id == trainer.id))
    assert notice is not None and "2025年1月1日版本修改的条文" in notice.title

    again = sync_policy(content)  # the same text synced again: not new, nobody told again
    assert again.new_editions == {} and len(_messages()) == 1
    edition = db.session.scalar(sa.select(PolicyEdition).join(PolicyDocument).where(
        PolicyDocument.doc_id == "fan-jiating-baoli-fa", PolicyEdition.edition == "2025-01-01"))
    assert edition.current and edition.arrived_at is not None


def test_flask_portal_sync_tells_the_owners_and_says_so(app, plan, content, runner):
    sync_modules()
    make_user("tr-follow", "trainer")
    app.config["CONTENT_DIR"] = str(content)
    _new_edition(content)
    result = runner.invoke(args=["portal", "sync"])
    assert result.exit_code == 0, result.output
    assert "fan-jiating-baoli-fa: new edition 2025-01-01 in force" in result.output
    assert "owners told of what the new editions affect: 1 message(s)" in result.output
    assert len(_messages()) == 1
    again = runner.invoke(args=["portal", "sync"])
    assert again.exit_code == 0 and "new edition" not in again.output and len(_messages()) == 1


def test_an_earlier_edition_added_to_content_tells_nobody(app, plan, content):
    sync_modules()
    make_user("tr-follow", "trainer")
    _new_edition(content, "2010-01-01")  # older than the edition in force: recorded, not current
    report = sync_policy(content)
    assert report.new_editions == {} and _messages() == []


# ---- 重新安排学习 --------------------------------------------------------------------------------

def _arrived(days_ago: int) -> None:
    """The 2024 edition of 未成年人保护法 reached the library `days_ago` days ago (noon, local)."""
    edition = db.session.scalar(sa.select(PolicyEdition).join(PolicyDocument).where(
        PolicyDocument.doc_id == LAW, PolicyEdition.current))
    local = datetime.combine(today() - timedelta(days=days_ago), time(12), tzinfo=LOCAL_TZ)
    edition.arrived_at = local.astimezone(UTC).replace(tzinfo=None)  # stored as naive UTC
    db.session.commit()


def _trained():
    """主任乙 (盐湖区) and 主任戊 (永济市) completed the module before the new edition arrived, 主任丙 after;
    主任丁 never did. Returns (module, people by name)."""
    sync_modules()
    import_rows(*ROWS)
    admin = make_user("adm-follow", "admin")
    module = services.get_module(MODULE)
    people = {name: trainee(phone) for name, phone in (("乙", "13800000002"), ("丙", "13800000003"),
                                                        ("丁", "13800000004"), ("戊", "13800000005"))}
    services.assign_people(admin, module, list(people.values()), today() + timedelta(days=5))
    services.mark_completed(admin, people["乙"], module, today() - timedelta(days=20))
    services.mark_completed(admin, people["戊"], module, today() - timedelta(days=15))
    services.mark_completed(admin, people["丙"], module, today() - timedelta(days=2))
    _arrived(10)
    return module, people


def _standing(person, module) -> Completion | None:
    db.session.expire_all()
    return services.current_completion(person.id, module.id)


def test_the_module_page_shows_the_change_and_how_many_to_retrain(app, plan, auth, client):
    module, _ = _trained()
    auth.as_role("admin")
    html = client.get(f"/training/modules/{MODULE}").get_data(as_text=True)
    panel = html[html.index('data-testid="module-editions"'):]
    assert "《中华人民共和国未成年人保护法》2024年4月26日版本修改了本模块引用的第九条" in panel
    assert 'data-testid="old-text-count">2<' in panel  # 乙 and 戊: 丙 completed after the edition arrived
    assert URL in panel
    page = client.get(URL).get_data(as_text=True)
    assert "全市在" in page and "<strong>2</strong> 人" in page and "重新安排学习（2 人）" in page
    law = client.get(f"/policy/{LAW}").get_data(as_text=True)  # the law's affected list links here too
    assert URL in law[law.index('data-testid="affected-module"'):]


def test_a_trainee_sees_the_change_but_no_count_and_may_not_retrain(app, plan, auth, client):
    _trained()
    auth.as_role("staff")
    html = client.get(f"/training/modules/{MODULE}").get_data(as_text=True)
    assert "本模块引用的第九条" in html and "old-text-count" not in html and URL not in html
    assert client.get(URL).status_code == 403


def test_retrain_assigns_again_only_the_people_trained_on_the_old_text(app, plan, auth, client):
    module, people = _trained()
    before = {n: _standing(p, module) for n, p in people.items()}
    user = auth.as_role("admin")
    due = today() + timedelta(days=30)
    r = auth.post(URL, data={"due": f"{due.year}年{due.month}月{due.day}日"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/training/modules/{MODULE}")
    for name in ("乙", "戊"):  # trained on the old text: the completion stays, no longer counts; due again
        old = db.session.get(Completion, before[name].id)
        assert old.superseded_at is not None and "第九条" in old.superseded_reason and not old.voided
        assert _standing(people[name], module) is None
        a = db.session.scalar(sa.select(Assignment).where(Assignment.trainee_id == people[name].id,
                                                          Assignment.module_id == module.id))
        assert a.active and a.due == due
        state = [st for _, m, st, _ in services.assignments_of(people[name]) if m.id == module.id]
        assert state == [training_rules.NOT_STARTED]
    assert _standing(people["丙"], module).id == before["丙"].id  # trained after the edition arrived
    assert _standing(people["丁"], module) is None
    a = db.session.scalar(sa.select(Assignment).where(Assignment.trainee_id == people["丁"].id,
                                                      Assignment.module_id == module.id))
    assert a.due == today() + timedelta(days=5)  # not trained: not this action's business
    assert tally.drift() == []  # the figures' summary followed
    history = client.get(f"/training/trainees/{people['乙'].id}").get_data(as_text=True)
    assert "重新安排学习：《中华人民共和国未成年人保护法》2024年4月26日版本修改了本模块引用的第九条" in history
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "retrain"))
    assert entry.actor_id == user.id and entry.object_id == MODULE
    assert entry.after["assigned"] == 2 and sorted(entry.after["trainees"]) == ["主任乙", "主任戊"]
    page = client.get(URL).get_data(as_text=True)
    assert "<strong>0</strong> 人" in page and "重新安排学习（" not in page  # nothing left to do
    # the person completes it again: counted as done again, and not counted for retraining
    services.mark_completed(db.session.merge(user), people["乙"], module, today())
    assert _standing(people["乙"], module) is not None and tally.drift() == []


def test_a_county_trainer_retrains_only_their_county(app, plan, auth, client):
    module, people = _trained()
    make_user("yh-follow", "trainer", unit="yanhu-mz")
    auth.login("yh-follow")
    page = client.get(URL).get_data(as_text=True)
    assert "盐湖区在" in page and "<strong>1</strong> 人" in page  # 乙; 戊 is in 永济市
    due = today() + timedelta(days=20)
    assert auth.post(URL, data={"due": due.isoformat()}).status_code == 302
    assert _standing(people["乙"], module) is None
    assert _standing(people["戊"], module) is not None  # another county's person: untouched


def test_a_bad_due_date_is_refused_beside_the_form(app, plan, auth, client):
    module, people = _trained()
    auth.as_role("admin")
    for typed, said in (("2020年1月1日", "完成时限不能早于今天"), ("明年", "")):
        r = auth.post(URL, data={"due": typed})
        html = r.get_data(as_text=True)
        assert r.status_code == 422
        refused = html[html.index('data-testid="form-refused"'):]
        message = refused.split(">", 1)[1].split("</p>")[0]
        assert said in message and message.strip()
        assert f'value="{typed}"' in html  # what was typed kept
    assert _standing(people["乙"], module) is not None  # nothing changed
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "retrain")) is None


def test_a_module_the_new_edition_does_not_affect_has_no_retrain_page(app, plan, auth, client):
    sync_modules()
    auth.as_role("admin")
    assert client.get(f"/policy/{LAW}/retrain/fangan-yu-zhize").status_code == 404
    assert client.get("/policy/no-such-law/retrain/weibao-gongzuozhan").status_code == 404


# ---- the register's 施行 date for an edition ------------------------------------------------------

def test_import_takes_the_effective_date_the_register_states(app, runner, content):
    """慈善法's 2023 amendment took effect on 2024-09-05 (the register, checked); its text states only the
    2016 original's 本法自2016年9月1日起施行, so without the register the importer presumed the edition's date."""
    app.config["CONTENT_DIR"] = str(content)
    source = content / "policy" / "sources" / "慈善法(2023-12-29).md"
    result = runner.invoke(args=["portal", "import-policy", str(source)])
    assert result.exit_code == 0, result.output
    text = (content / "policy" / "cishan-fa.md").read_text(encoding="utf-8")
    assert "\neffective: 2024-09-05\n" in text and "\nedition: 2023-12-29\n" in text
    earlier = (content / "policy" / "cishan-fa@2016-03-16.md").read_text(encoding="utf-8")
    assert "\neffective: 2016-09-01\n" in earlier  # no register row names that edition: the text's own date
    edition = db.session.scalar(sa.select(PolicyEdition).join(PolicyDocument).where(
        PolicyDocument.doc_id == "cishan-fa", PolicyEdition.edition == "2023-12-29"))
    assert edition.current and edition.effective.isoformat() == "2024-09-05"


def test_without_a_register_row_the_importer_presumes_as_before(app, content):
    from portal.policy.importing import plan_import

    register = content / "policy" / "register.csv"
    register.write_text("\n".join(line for line in register.read_text(encoding="utf-8").splitlines()
                                  if not line.startswith("cishan-fa,")) + "\n", encoding="utf-8")
    [outcome] = plan_import([content / "policy" / "sources" / "慈善法(2023-12-29).md"], content / "policy")
    assert "\neffective: 2023-12-29\n" in outcome.conversion.markdown
