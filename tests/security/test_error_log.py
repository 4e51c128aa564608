"""The error log names the request and the ids, never people's text: a failing write of a note or an
upload leaves neither the note nor the file's name (nor any statement parameter) in the log."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from io import BytesIO

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.factories import gen_instance, gen_liaison, gen_session

NOTE = "张小明，身份证号140802201501010011，病情见附件"
FILE = "王小红户籍证明.pdf"


@contextmanager
def refused_inserts(table: str, error: str):
    """The database refuses every INSERT into `table` with the driver's `error` class."""

    def refuse(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(f"INSERT INTO {table.upper()}"):
            raise getattr(conn.dialect.loaded_dbapi, error)("injected failure")

    sa.event.listen(Engine, "before_cursor_execute", refuse)
    try:
        yield
    finally:
        sa.event.remove(Engine, "before_cursor_execute", refuse)


@pytest.fixture
def liaison(app, plan):
    return gen_session(app, gen_liaison("log-mz"))


@pytest.mark.parametrize("error, status", [("OperationalError", 503), ("IntegrityError", 500)])
def test_a_failing_note_leaves_its_text_out_of_the_log(app, liaison, caplog, error, status):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # the 500 handler, as in production
    inst = gen_instance("transfer-children@yanhu-mz")
    with caplog.at_level(logging.INFO), refused_inserts("duty_note", error):
        response = liaison.post(f"/tasks/{inst.id}/notes", {"body": NOTE})
    assert response.status_code == status
    logged = caplog.text
    assert "duty_note" in logged and f"'instance_id': {inst.id}" in logged  # where, and which duty
    assert NOTE not in logged and "张小明" not in logged and "140802" not in logged


def test_a_failing_upload_leaves_the_file_name_out_of_the_log(app, liaison, caplog):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    inst = gen_instance("transfer-children@yanhu-mz")
    with caplog.at_level(logging.INFO), refused_inserts("evidence", "IntegrityError"):
        response = liaison.post(f"/tasks/{inst.id}/evidence",
                                {"file": (BytesIO(b"%PDF-1.4\n% test\n"), FILE)}, content_type="multipart/form-data")
    assert response.status_code == 500
    assert "evidence" in caplog.text and f"'instance_id': {inst.id}" in caplog.text
    assert FILE not in caplog.text and "王小红" not in caplog.text
