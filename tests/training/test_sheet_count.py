"""Ticking a box on the attendance sheet answers with the row and, out of band, the sheet's new count."""
import re

from portal.core.time import today
from portal.training import services
from tests.conftest import make_user
from tests.training.helpers import ROWS, county, db_area, import_rows, sync_modules, trainee


def test_tick_response_carries_the_new_count_out_of_band(app, plan, client, auth):
    sync_modules()
    import_rows(*ROWS)
    trainer = make_user("tr", "trainer")
    sheet = services.create_sheet(trainer, services.get_module("xinxi-modi-paicha"), county("yanhu"),
                                    db_area("北城街道"), today(), "会议室", "王老师")
    auth.login("tr")
    page = client.get(f"/training/sessions/{sheet.id}").get_data(as_text=True)
    assert re.search(r'<label for="tick-(\d+)">主任乙</label>', page)  # the name is the box's label
    url = f"/training/sessions/{sheet.id}/people/"
    for phone, count in (("13800000002", 1), ("13800000001", 2)):
        html = auth.post(url + str(trainee(phone).id), data={"present": "y"},
                         headers={"HX-Request": "true"}).get_data(as_text=True)
        assert re.search(rf'<span id="sheet-count" hx-swap-oob="true">{count}</span>', html), html
    html = auth.post(url + str(trainee("13800000002").id), data={}, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert '<span id="sheet-count" hx-swap-oob="true">1</span>' in html
