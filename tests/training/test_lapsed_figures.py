"""An expired certificate's completion no longer counts as done: the matrix, the city's figures, the
overdue list and the county's coverage all show the person as due again, on the day it expired (the
daily recount) and for completions that expired before the summary last counted them."""
from datetime import timedelta

import sqlalchemy as sa

from portal.core import training_rules
from portal.core.time import today
from portal.extensions import db
from portal.models import Certificate
from portal.training import certificates as certs
from portal.training import services, tally
from portal.training.figures import city_totals, coverage, matrix, overdue_list
from portal.training.reminders import send_training_reminders
from tests.conftest import make_user
from tests.training.helpers import ROWS, county, import_rows, sync_modules, trainee

TODAY = today()


def _figures(person_id: int, module_id: int) -> dict:
    yanhu = county("yanhu")
    report = matrix(yanhu)
    col = [m.id for m in report.modules].index(module_id)
    rows, _ = coverage(yanhu)
    return {"cell": dict(report.rows())[next(t for t in report.trainees if t.id == person_id)][col],
            "city completed": city_totals().completed,
            "matrix completed": report.matrix.total.completed,
            "overdue": [r.trainee_id for r in overdue_list(yanhu.id)],
            "coverage trained": sum(r.trained for r in rows)}


def test_a_certificate_that_expires_stops_counting_after_the_daily_recount(app, plan):
    sync_modules()
    import_rows(*ROWS)
    admin = make_user("adm", "admin")
    module = services.get_module("fangan-yu-zhize")
    certs.arrangement().validity_months = {module.key: 12}
    db.session.commit()
    person = trainee("13800000002")
    services.assign_people(admin, module, [person], TODAY - timedelta(days=30), backdated=True)
    done = services.mark_completed(admin, person, module, TODAY - timedelta(days=20))
    valid = _figures(person.id, module.id)
    assert valid["cell"] == training_rules.COMPLETED and valid["city completed"] == 1
    assert valid["matrix completed"] == 1 and valid["coverage trained"] == 1 and person.id not in valid["overdue"]

    # The certificate ran out yesterday (as a term that ended would): the pages read the day's condition,
    # the summary is recounted by the daily run.
    # (A statement, not the ORM: nothing changes in the rows when a term runs out, only the day moves.)
    db.session.execute(sa.update(Certificate).where(Certificate.completion_id == done.id)
                       .values(expires_on=TODAY - timedelta(days=1)))
    db.session.commit()
    assert _figures(person.id, module.id)["cell"] == training_rules.OVERDUE  # the page reads the day's condition
    assert tally.drift() != []  # the summary still counts it, until the daily run
    lines = send_training_reminders(TODAY)
    assert "1 module figure(s) recounted" in lines[0]
    lapsed = _figures(person.id, module.id)
    assert lapsed["cell"] == training_rules.OVERDUE
    assert (lapsed["city completed"], lapsed["matrix completed"], lapsed["coverage trained"]) == (0, 0, 0)
    assert person.id in lapsed["overdue"]
    assert tally.drift() == []
    send_training_reminders(TODAY)  # twice: nothing changes
    assert tally.drift() == [] and city_totals().completed == 0

    # Renewed (recompletion): counted again, at once.
    services.mark_completed(admin, person, module, TODAY)
    renewed = _figures(person.id, module.id)
    assert renewed["cell"] == training_rules.COMPLETED and renewed["city completed"] == 1
    assert person.id not in renewed["overdue"] and tally.drift() == []


def test_a_completion_recorded_with_an_expired_certificate_is_not_counted(app, plan):
    sync_modules()
    import_rows(*ROWS)
    admin = make_user("adm", "admin")
    module = services.get_module("fangan-yu-zhize")
    certs.arrangement().validity_months = {module.key: 12}
    db.session.commit()
    person = trainee("13800000002")
    services.mark_completed(admin, person, module, TODAY - timedelta(days=400))  # its term is over already
    figures = _figures(person.id, module.id)
    assert figures["cell"] == training_rules.OVERDUE and figures["city completed"] == 0
    assert figures["coverage trained"] == 0 and tally.drift() == []
