"""The duty page's 督办 card with nothing in it says so in a sentence, not as item 「1.」 of a list."""
import re

from tests.conftest import instance_by_key, make_user


def test_an_empty_duban_card_is_not_a_numbered_item(app, plan, auth):
    make_user("yh", "liaison", unit="yanhu-mz")
    auth.login("yh")
    inst = instance_by_key("transfer-children@yanhu-mz")
    page = auth.client.get(f"/tasks/{inst.id}").get_data(as_text=True)
    card = page.split('data-testid="duban"')[1].split("</section>")[0]
    assert "暂无催办和督办" in card
    assert not re.search(r"<li[^>]*>\s*暂无催办和督办", card) and "<ol" not in card
