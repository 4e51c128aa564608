"""The register's metadata agrees with the shipped texts: a 令号 is paired with the date it was
公布 under, a statute's 施行 date is the one its text states (or left empty when the text states
none for the version in force), and a law's issuer is the body that adopted the version in force."""
import csv
import re

from tests.conftest import ROOT

POLICY = ROOT / "content" / "policy"
DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


def _rows():
    with open(POLICY / "register.csv", encoding="utf-8") as f:
        return {r["key"]: r for r in csv.DictReader(f)}


def _source(doc_id: str) -> str:
    head = (POLICY / f"{doc_id}.md").read_text(encoding="utf-8").split("---")[1]
    name = re.search(r"^source: (.+)$", head, re.M).group(1).split(";")[0].strip()
    return (POLICY / name).read_text(encoding="utf-8")


def _iso(m) -> str:
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"


def test_an_order_number_is_paired_with_the_date_it_was_published_under():
    checked = 0
    for row in _rows().values():
        if not (row["number"] and row["document"]):
            continue
        history = _source(row["document"]).split("<!-- INFO END -->")[0]
        line = next((ln for ln in history.splitlines() if row["number"].removeprefix("国务院令") in ln), None)
        if line is None:
            continue  # the text does not state its 令号: nothing to check it against
        assert row["issued"] == _iso(DATE.search(line)), (row["key"], line)
        checked += 1
    assert checked >= 3


def test_a_stated_effective_date_is_the_one_the_text_states():
    rows = _rows()
    for key, article_date in (("shehui-jiuzhu-zanxing-banfa", "2014-05-01"),
                              ("canji-yufang-he-canjiren-kangfu-tiaoli", "2017-07-01")):
        text = _source(rows[key]["document"])
        assert any(_iso(m) == article_date for m in re.finditer(r"自(\d{4})年(\d{1,2})月(\d{1,2})日起施行", text))
        assert rows[key]["effective"] == article_date


def test_an_amended_law_is_not_given_a_presumed_effective_date_or_the_original_issuer():
    rows = _rows()
    for key in ("cishan-fa", "yiwu-jiaoyu-fa"):
        history = _source(key).split("<!-- INFO END -->")[0]
        last = [ln for ln in history.splitlines() if DATE.search(ln)][-1]
        assert rows[key]["issued"] == _iso(DATE.search(last)) and "全国人民代表大会常务委员会" in last
        assert rows[key]["issuer"] == "全国人民代表大会常务委员会"
    # the shipped text does not state it: left empty, 待核实 in the notes …
    assert rows["yiwu-jiaoyu-fa"]["effective"] == "" and "待" in rows["yiwu-jiaoyu-fa"]["notes"]
    # … unless the notes name the published source that does (the amendment's own 施行 date, not the
    # date it was adopted, which the register once presumed)
    cishan = rows["cishan-fa"]
    assert cishan["effective"] == "2024-09-05" != cishan["issued"] and "公报" in cishan["notes"]
