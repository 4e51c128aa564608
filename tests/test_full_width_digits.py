"""Digits typed with a Chinese input method come full width (１２): the one input parser reads them as
12; other digit-like characters (①, ²) stay refused."""
from portal.web.inputs import parse_int
from tests.conftest import instance_by_key, make_user


def test_full_width_digits_read_as_numbers():
    assert parse_int("１２") == 12 and parse_int(" ３ ") == 3 and parse_int("1２") == 12
    assert parse_int("①") is None and parse_int("²") is None and parse_int("１２．５") is None


def test_a_figure_typed_in_full_width_digits_is_taken(app, plan, auth):
    make_user("yh", "liaison", unit="yanhu-mz")
    auth.login("yh")
    inst = instance_by_key("transfer-children@yanhu-mz")
    page = auth.client.get(f"/tasks/{inst.id}").get_data(as_text=True)
    assert 'id="indicator-value"' in page and 'pattern="[0-9]*"' not in page  # the browser would refuse １２
    response = auth.post(f"/board/instances/{inst.id}/indicators", {"name": "移交儿童人数", "value": "１２"},
                         follow_redirects=True)
    assert "已填报移交儿童人数：12" in response.get_data(as_text=True)
