"""The units file: parsing, validation, sync, and the CLI listing."""
from __future__ import annotations

import sqlalchemy as sa

from portal.content.units_file import parse_units
from portal.extensions import db
from portal.models import Unit
from portal.units.services import sync_units
from tests.conftest import ROOT, make_user

HEADER = "code,name,short_name,level,parent,aliases\n"


def test_units_file_has_every_unit_the_plan_names():
    rows, problems = parse_units((ROOT / "content/units.csv").read_bytes(), "content/units.csv")
    assert problems == []
    names = {r.name for r in rows}
    short = {r.short_name for r in rows}
    for issuing in ["市民政局", "市委编办", "市发展改革委", "市教育局", "市公安局", "市人社局", "市住建局",
                    "市卫健委", "市应急局", "市市场监管局", "市医保局", "市残联", "市政府征兵办"]:
        assert issuing in short, issuing
    for other in ["市财政局", "市疾控中心", "运城军分区", "市福利院"]:
        assert other in short, other
    # 四（二）'s 兵役机关 is a function, not a name: the unit carries its proper name, the term is an alias
    by_code = {r.code: r for r in rows}
    assert by_code["city-by"].name == "运城军分区" and "兵役机关" in by_code["city-by"].aliases
    assert {"闻喜县儿童福利院", "新绛县儿童福利院"} <= names
    counties = [r for r in rows if r.level == "县级" and not r.parent]
    assert len(counties) == 13
    for county in counties:
        assert f"{county.name}民政局" in names
    assert {r.level for r in rows} == {"市级", "县级", "机构"}


def test_problems_name_file_line_and_reason():
    data = (HEADER + "a-one,甲,甲,市级,,\n" + "a-one,乙,乙,市级,,\n" + "Bad Code,丙,丙,省级,,\n"
            + "b-two,丁,丁,县级,nowhere,\n" + "c-three,戊,戊\n").encode()
    _, problems = parse_units(data, "units.csv")
    text = [str(p) for p in problems]
    assert "units.csv:3: duplicate code a-one (first at line 2)" in text
    assert any(t.startswith("units.csv:4: code 'Bad Code'") for t in text)
    assert any(t.startswith("units.csv:4: level '省级'") for t in text)
    assert "units.csv:5: parent nowhere is not a unit code in this file" in text
    assert "units.csv:6: expected 6 columns, found 3" in text


def test_bad_encoding_and_header_and_cycles():
    _, problems = parse_units(HEADER.encode() + "a-one,甲,甲,市级,,\n".encode("gbk"), "u.csv")
    assert str(problems[0]).startswith("u.csv:2: not valid UTF-8")
    _, problems = parse_units(b"code,name\n", "u.csv")
    assert str(problems[0]).startswith("u.csv:1: header must be")
    _, problems = parse_units((HEADER + "a-a,甲,甲,市级,b-b,\nb-b,乙,乙,市级,a-a,\n").encode(), "u.csv")
    assert any("loops back" in str(p) for p in problems)


def test_resync_renames_without_losing_what_is_attached(app, tmp_path):
    user = make_user("liaison", "liaison", unit="yanhu-mz")
    unit_id = user.unit_id
    content = tmp_path / "content"
    content.mkdir()
    text = (ROOT / "content/units.csv").read_text(encoding="utf-8")
    text = text.replace("yanhu-mz,盐湖区民政局,盐湖区民政局", "yanhu-mz,运城市盐湖区民政局,盐湖区民政局")
    # Drop one unit: it is retired, not deleted.
    text = "\n".join(line for line in text.splitlines() if not line.startswith("ruicheng-cz,")) + "\n"
    (content / "units.csv").write_text(text, encoding="utf-8")
    report = sync_units(content)
    assert report.ok and report.updated == ["yanhu-mz"] and report.retired == ["ruicheng-cz"]
    db.session.expire_all()
    unit = db.session.get(Unit, unit_id)
    assert unit.name == "运城市盐湖区民政局"
    assert user.unit_id == unit_id
    retired = db.session.scalar(sa.select(Unit).where(Unit.code == "ruicheng-cz"))
    assert retired is not None and retired.active is False


def test_sync_of_a_malformed_file_changes_nothing(app, runner, tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    good = (ROOT / "content/units.csv").read_text(encoding="utf-8")
    bad = good.replace("yanhu-mz,盐湖区民政局", "yanhu-mz,改名了").replace("city-ga,运城市公安局,市公安局,市级", "city-ga,运城市公安局,市公安局,国家级")
    (content / "units.csv").write_text(bad, encoding="utf-8")
    app.config["CONTENT_DIR"] = str(content)
    result = runner.invoke(args=["portal", "sync"])
    assert result.exit_code == 1
    assert f"{content / 'units.csv'}:6: level '国家级'" in result.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(Unit.name).where(Unit.code == "yanhu-mz")) == "盐湖区民政局"


def test_cli_units_lists_code_space_name(runner):
    result = runner.invoke(args=["portal", "units"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "city-mz 运城市民政局"
    assert "wenxi-mz 闻喜县民政局" in lines
    assert "inst-sfly 运城市社会福利院" in lines
    assert all(len(line.split(" ", 1)) == 2 for line in lines)


def test_units_pages(auth):
    auth.as_role("staff")
    html = auth.client.get("/units/").get_data(as_text=True)
    assert "盐湖区民政局" in html and "运城市社会福利院" in html
    html = auth.client.get("/units/?level=机构").get_data(as_text=True)
    assert "闻喜县儿童福利院" in html and "运城市公安局" not in html
    assert auth.client.get("/units/inst-wenxi-fly").status_code == 200
    assert "闻喜县民政局" in auth.client.get("/units/inst-wenxi-fly").get_data(as_text=True)
    assert auth.client.get("/units/nope").status_code == 404
