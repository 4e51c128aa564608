"""Whole-roster .xlsx files as background exports (issue 24): a large matrix or overdue list is built
in the background and downloaded from its job's page, with the same cells as the direct download; the
file goes only to the person who asked, every download is audited, and a file built from the same
figures is handed out again at once (a change of the figures builds a new one)."""
from __future__ import annotations

import time
from datetime import timedelta
from io import BytesIO

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from portal import refdata
from portal.core.time import today
from portal.extensions import db
from portal.models import AuditEntry, ImportJob, Trainee
from portal.training import export_jobs, services
from tests.conftest import make_user, signed_in
from tests.training.helpers import import_rows, sync_modules

MATRIX = "/training/reports/matrix?county=yanhu&format=xlsx"
OVERDUE = "/training/reports/overdue?format=xlsx"


def people(n: int) -> list[str]:
    return [f"主任{k},儿童主任,盐湖区,第{k % 3 + 1}镇,第{k % 3 + 1}镇第{k}村,136{k:08d},," for k in range(n)]


def grown_county(n: int = 12) -> None:
    """`n` people of 盐湖区: one module overdue for all, one due later, some completed, one started."""
    sync_modules()
    import_rows(*people(n))
    admin = make_user("adm", "admin")
    everyone = db.session.scalars(sa.select(Trainee).order_by(Trainee.id)).all()
    first, second = services.live_modules()[:2]
    services.assign_people(admin, first, [p for p in everyone if p.post in first.audience],
                           today() - timedelta(days=3), backdated=True)
    services.assign_people(admin, second, [p for p in everyone if p.post in second.audience],
                           today() + timedelta(days=20))
    for person in everyone[:4]:
        services.mark_completed(admin, person, second, today())
    db.session.commit()


def fetched(response):
    """The response with its body read and its file closed (a kept file is sent from disk)."""
    response.get_data()
    response.close()
    return response


def cells(data: bytes) -> list[tuple]:
    return [tuple(row) for row in load_workbook(BytesIO(data)).active.iter_rows(values_only=True)]


def job_id_of(response) -> int:
    assert response.status_code == 303, response.status_code
    assert "/training/exports/" in response.headers["Location"]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def wait_done(job_id: int, seconds: float = 60) -> ImportJob:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.rollback()
        job = db.session.get(ImportJob, job_id)
        db.session.refresh(job)
        if job.state in ("done", "failed"):
            return job
        time.sleep(0.1)
    pytest.fail("the export did not finish")


def exports_audited(what: str) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(
        AuditEntry.action == "export", AuditEntry.object_type == "export", AuditEntry.object_id == what))


@pytest.mark.fresh_db
@pytest.mark.parametrize("url, object_type", [(MATRIX, "training_matrix"), (OVERDUE, "training_overdue")])
def test_a_large_file_is_built_in_the_background_with_the_same_cells(app, plan, monkeypatch, url, object_type):
    grown_county()
    trainer = signed_in(app, "yh-trainer", "trainer", unit="yanhu-mz").client
    direct = trainer.get(url)  # today's size limit: built within the request, as before
    assert direct.status_code == 200 and direct.mimetype.endswith("sheet")
    before = exports_audited(object_type)

    monkeypatch.setattr(export_jobs, "INLINE_ROWS", 5)  # this county is now "large"
    job_id = job_id_of(trainer.get(url))
    page = trainer.get(f"/training/exports/{job_id}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert 'data-testid="export-job"' in page.get_data(as_text=True)
    job = wait_done(job_id)
    assert job.state == "done", job.message
    ready = trainer.get(f"/training/exports/{job_id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "文件已生成" in ready and f"/training/exports/{job_id}/file" in ready and "hx-trigger" not in ready
    assert exports_audited(object_type) == before  # asking is not taking: the download is audited
    got = fetched(trainer.get(f"/training/exports/{job_id}/file"))
    assert got.status_code == 200 and got.headers["Cache-Control"] == "no-store"
    assert "attachment" in got.headers["Content-Disposition"]
    assert cells(got.data) == cells(direct.data)
    assert exports_audited(object_type) == before + 1


@pytest.mark.fresh_db
def test_only_the_person_who_asked_gets_the_file(app, plan, monkeypatch):
    grown_county()
    monkeypatch.setattr(export_jobs, "INLINE_ROWS", 5)
    asker = signed_in(app, "yh-trainer", "trainer", unit="yanhu-mz").client
    job_id = job_id_of(asker.get(MATRIX))
    assert wait_done(job_id).state == "done"
    for other in (signed_in(app, "city-trainer", "trainer").client, signed_in(app, "office", "admin").client):
        for url in (f"/training/exports/{job_id}/file", f"/training/exports/{job_id}"):
            response = fetched(other.get(url))
            assert response.status_code == 302 and "/training/exports" not in response.headers["Location"]
        assert "只给发起导出的人下载" in other.get("/training/").get_data(as_text=True)
    assert exports_audited("training_matrix") == 0


@pytest.mark.fresh_db
def test_the_same_figures_are_served_at_once_and_a_change_builds_a_new_file(app, plan, monkeypatch):
    grown_county()
    monkeypatch.setattr(export_jobs, "INLINE_ROWS", 5)
    trainer = signed_in(app, "yh-trainer", "trainer", unit="yanhu-mz").client
    first = wait_done(job_id_of(trainer.get(MATRIX)))
    built = fetched(trainer.get(f"/training/exports/{first.id}/file")).data

    again = fetched(trainer.get(MATRIX))  # nothing changed: the kept file, directly
    assert again.status_code == 200 and cells(again.data) == cells(built)
    other = signed_in(app, "yh-trainer-2", "trainer", unit="yanhu-mz").client
    assert cells(fetched(other.get(MATRIX)).data) == cells(built)  # kept per county, not per person
    assert exports_audited("training_matrix") == 3

    person = db.session.scalar(sa.select(Trainee).where(Trainee.phone == "13600000007"))
    services.mark_completed(make_user("adm2", "admin"), person, services.live_modules()[1], today())
    db.session.commit()
    second = wait_done(job_id_of(trainer.get(MATRIX)))  # the figures moved: built again
    rows = cells(fetched(trainer.get(f"/training/exports/{second.id}/file")).data)
    assert rows != cells(built)
    done = [r for r in rows if r[0] == "主任7"][0]
    assert done.count("✓ 已完成") == 1


@pytest.mark.fresh_db
def test_a_renamed_person_is_not_served_from_the_kept_file(app, plan, monkeypatch):
    grown_county()
    monkeypatch.setattr(export_jobs, "INLINE_ROWS", 5)
    trainer = signed_in(app, "yh-trainer", "trainer", unit="yanhu-mz").client
    first = wait_done(job_id_of(trainer.get(MATRIX)))
    assert first.state == "done"
    person = db.session.scalar(sa.select(Trainee).where(Trainee.phone == "13600000002"))
    person.name = "改名后"
    db.session.commit()
    second = wait_done(job_id_of(trainer.get(MATRIX)))
    names = [r[0] for r in cells(fetched(trainer.get(f"/training/exports/{second.id}/file")).data)]
    assert "改名后" in names and "主任2" not in names


@pytest.mark.fresh_db
def test_the_city_overdue_list_is_kept_until_a_training_record_changes(app, plan, monkeypatch):
    """The city's list is named by the training records' token (one row, not every person's version):
    kept while nothing changed, built again after a completion or a rename anywhere."""
    grown_county()
    token = refdata.training_stamp()
    assert token is not None  # the training writes above set it
    monkeypatch.setattr(export_jobs, "INLINE_ROWS", 5)
    trainer = signed_in(app, "city-trainer", "trainer").client
    first = wait_done(job_id_of(trainer.get(OVERDUE)))
    built = cells(fetched(trainer.get(f"/training/exports/{first.id}/file")).data)
    again = fetched(trainer.get(OVERDUE))  # nothing changed: the kept file, at once
    assert again.status_code == 200 and cells(again.data) == built

    admin = make_user("adm2", "admin")
    person = db.session.scalar(sa.select(Trainee).where(Trainee.phone == "13600000007"))
    services.mark_completed(admin, person, services.live_modules()[0], today())
    db.session.commit()
    assert refdata.training_stamp() != token  # the completion moved it, in its own transaction
    second = wait_done(job_id_of(trainer.get(OVERDUE)))  # one fewer overdue: built again
    rows = cells(fetched(trainer.get(f"/training/exports/{second.id}/file")).data)
    assert len(rows) == len(built) - 1 and not any("主任7" in r for r in rows)

    other = db.session.scalar(sa.select(Trainee).where(Trainee.phone == "13600000002"))
    other.name = "改名后"
    db.session.commit()
    third = wait_done(job_id_of(trainer.get(OVERDUE)))
    names = {v for r in cells(fetched(trainer.get(f"/training/exports/{third.id}/file")).data) for v in r}
    assert "改名后" in names and "主任2" not in names
