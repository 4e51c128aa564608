"""The citation resolver is kept per process with the reference data (`policy.services.library_resolver`):
a register entry added or renamed — on this host or another — is linked on the next request."""
from __future__ import annotations

import sqlalchemy as sa

from portal.extensions import db
from portal.models import RegulationEntry

KEY = "jiating-jiyang-guanli-banfa"
NEW = "儿童福利机构测试管理办法"


def test_a_new_register_entry_is_linked_on_the_next_request(library, auth):
    entry = db.session.scalar(sa.select(RegulationEntry).where(RegulationEntry.key == KEY))
    entry.notes = f"与《{NEW}》配套执行。"
    db.session.commit()
    auth.as_role("staff")
    page = auth.client.get(f"/policy/register/{KEY}").get_data(as_text=True)
    assert f"《{NEW}》" in page and "/policy/register/ceshi-banfa" not in page  # nothing to link yet

    db.session.add(RegulationEntry(key="ceshi-banfa", title=NEW, sort_order=999))
    db.session.commit()
    page = auth.client.get(f"/policy/register/{KEY}").get_data(as_text=True)
    assert 'href="/policy/register/ceshi-banfa"' in page

    db.session.scalar(sa.select(RegulationEntry).where(RegulationEntry.key == "ceshi-banfa")).active = False
    db.session.commit()
    page = auth.client.get(f"/policy/register/{KEY}").get_data(as_text=True)
    assert 'href="/policy/register/ceshi-banfa"' not in page
