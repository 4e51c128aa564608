"""The township pickers list each county's towns under the county's name (works without JS) and keep
the choice when the form comes back with an error."""
import re
from datetime import timedelta

from portal.core.time import today
from tests.conftest import make_user
from tests.training.helpers import ROWS, db_area, import_rows, sync_modules


def test_townships_grouped_by_county_and_kept_after_a_refused_pair(app, plan, client, auth):
    sync_modules()
    import_rows(*ROWS)
    make_user("tr", "trainer")
    auth.login("tr")
    for url in ("/training/assign", "/training/sessions"):
        page = client.get(url).get_data(as_text=True)
        group = re.search(r'<optgroup label="盐湖区" data-county="yanhu">(.*?)</optgroup>', page, re.S).group(1)
        assert "北城街道" in group and "城西街道" not in group
    town = db_area("城西街道")  # in 永济市
    response = auth.post("/training/assign", data={"module": "xinxi-modi-paicha", "role": "", "county": "yanhu",
                                                   "township": town.id,
                                                   "due": (today() + timedelta(days=9)).isoformat()})
    page = response.get_data(as_text=True)
    assert "所选乡镇（街道）不在该县（市、区）" in page
    assert f'<option value="{town.id}" selected>城西街道</option>' in page
