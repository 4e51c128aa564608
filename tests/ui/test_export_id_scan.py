"""Issue 11: downloads read like the pages. Every export (任务台账 and 任务分工表 in xlsx and csv, the
通报 in xlsx and docx, the training reports and coverage sheet) is opened with the demo state loaded
and every cell, header and sheet name scanned for internal ids (the patterns of the page scan)."""
from __future__ import annotations

import csv
import io

import pytest
from docx import Document
from openpyxl import load_workbook

from tests.conftest import AuthActions, make_user
from tests.ui.idscan import forbidden, leaks_in

EXPORTS = [
    "/tasks/export.xlsx", "/tasks/export.csv", "/tasks/export.xlsx?unit=", "/tasks/export.csv?unit=",
    "/duties/plan.xlsx", "/duties/plan.csv",
    "/board/report.xlsx", "/board/report.docx",
    "/training/reports/matrix?county=yanhu&format=xlsx", "/training/reports/city?format=xlsx",
    "/training/reports/overdue?format=xlsx", "/training/coverage/yanhu.xlsx", "/training/roster/template.xlsx",
    "/admin/audit/export.xlsx", "/admin/audit/export.csv",  # the auditor's (三员分立)
]
AUDIT_EXPORTS = ("/admin/audit/",)


def export_texts(data: bytes, mimetype: str) -> list[tuple[str, str]]:
    """(where, text) for every sheet name and cell, hidden or not, or every paragraph and table cell."""
    if mimetype.endswith("spreadsheetml.sheet"):
        book = load_workbook(io.BytesIO(data))
        out = []
        for ws in book.worksheets:
            out.append((f"sheet {ws.title}", ws.title))
            out += [(f"{ws.title}!{c.coordinate}", str(c.value)) for row in ws.iter_rows() for c in row
                    if c.value is not None]
        return out
    if mimetype.endswith("wordprocessingml.document"):
        doc = Document(io.BytesIO(data))
        out = [(f"paragraph {n}", p.text) for n, p in enumerate(doc.paragraphs, 1)]
        out += [(f"table {t}", c.text) for t, table in enumerate(doc.tables, 1) for row in table.rows for c in row.cells]
        return out
    assert mimetype.startswith("text/csv"), mimetype
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    return [(f"row {r} column {c}", v) for r, row in enumerate(rows, 1) for c, v in enumerate(row, 1)]


@pytest.mark.parametrize("role,unit", [("admin", None), ("liaison", "yanhu-mz"), ("auditor", None)])
def test_no_internal_ids_in_any_export(app, demo, role, unit):
    auth = AuthActions(app.test_client())
    assert auth.login(make_user(f"export-{role}", role, unit=unit).username).status_code == 302
    patterns = forbidden()
    leaks, opened = [], []
    for url in EXPORTS:
        response = auth.client.get(url)
        if response.status_code in (403, 404) and (role != "admin" or url.startswith(AUDIT_EXPORTS)):
            continue  # not this role's download
        assert response.status_code == 200, (url, response.status_code)
        texts = export_texts(response.data, response.mimetype)
        assert texts, url
        opened.append(url)
        for where, text in texts:
            leaks += leaks_in(text, f"{url} {where}", patterns)
    assert len(opened) >= (len(EXPORTS) - 2 if role == "admin" else 2 if role == "auditor" else 4), opened
    assert not leaks, "\n".join(leaks[:40])


def test_the_scan_would_catch_an_instance_key(app, demo):
    """The patterns see the old 任务编号 column's values."""
    leaks = leaks_in("transfer-children@yanhu-mz", "cell", forbidden())
    assert leaks and leaks_in("盐湖区民政局 移交儿童", "cell", forbidden()) == []
