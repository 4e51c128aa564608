"""The 台账's page and export are drawn from one column spec (portal/duties/ledger_columns.py)."""
from __future__ import annotations

import csv
import io
import re

from portal.duties.ledger_columns import COLUMNS, EXPORT, PAGE, PAGE_COLUMNS
from tests.conftest import AuthActions, make_user


def test_page_and_export_headers_come_from_the_spec(app, plan):
    make_user("cols", "leader")
    auth = AuthActions(app.test_client())
    auth.login("cols")
    html = auth.client.get("/tasks/").get_data(as_text=True)
    thead = re.search(r"<thead><tr>(.*?)</tr></thead>", html, re.S).group(1)
    assert re.findall(r"<th>(.*?)</th>", thead) == [c.header for c in PAGE_COLUMNS]
    row = re.search(r'<tr data-key="[^"]+">(.*?)</tr>', html, re.S).group(1)
    assert row.count("<td") == len(PAGE)
    empty = auth.client.get("/tasks/?q=没有这样的任务").get_data(as_text=True)
    assert f'colspan="{len(PAGE)}"' in empty
    header = next(csv.reader(io.StringIO(auth.client.get("/tasks/export.csv").data.decode("utf-8-sig"))))
    assert header == [COLUMNS[k].export_header or COLUMNS[k].header for k in EXPORT]


def test_every_column_is_shown_somewhere_and_says_how():
    for key, col in COLUMNS.items():
        assert key in PAGE or key in EXPORT, key
        assert (key in PAGE) == (col.cell is not None), key
        assert (key in EXPORT) == (col.value is not None), key
