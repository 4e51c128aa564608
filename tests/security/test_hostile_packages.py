"""Hostile Office packages: a 5 KB workbook that claims a cell at XFD20000, zip bombs, lying zip
headers, too many cells. Each is refused with a Chinese message in well under a second, before
openpyxl builds anything (portal/files/packages.py)."""
from __future__ import annotations

import io
import json
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from portal.files.packages import Limits, PackageRefused, open_package, read_first_sheet
from portal.training.roster_file import HEADERS, read_table
from tests.conftest import make_user

ROOT = Path(__file__).resolve().parents[2]


def workbook(rows=(HEADERS,), far_cell: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    if far_cell:
        sheet[far_cell] = "x"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def replace_member(data: bytes, name: str, body: bytes | None = None, writer=None) -> bytes:
    """The package with one member's content replaced or added (written by `writer(stream)` when given)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info, source.read(info))
        if writer is not None:
            with target.open(name, "w") as stream:
                writer(stream)
        else:
            target.writestr(name, body)
    return out.getvalue()


def read_bounded(tmp_path, data: bytes, filename: str = "r.xlsx") -> dict:
    """read_table in a child process held to 1 GB of memory and 20 s: today's hostile files cannot
    take the test run down with them. Returns the problems and the seconds the read took."""
    path = tmp_path / filename
    path.write_bytes(data)
    script = ("import json, sys, time\n"
              "from portal.training.roster_file import read_table\n"
              "data = open(sys.argv[1], 'rb').read()\n"
              "start = time.perf_counter()\n"
              "rows, problems = read_table(data, sys.argv[1])\n"
              "print(json.dumps({'seconds': time.perf_counter() - start, 'rows': len(rows),\n"
              "                  'problems': [p.zh for p in problems]}))\n")

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    try:
        done = subprocess.run([sys.executable, "-c", script, str(path)], cwd=ROOT, capture_output=True, text=True,
                              timeout=120, preexec_fn=limit)  # the interpreter starts slowly on a loaded host
    except subprocess.TimeoutExpired:
        pytest.fail("reading the file took more than 120 s")
    assert done.returncode == 0, f"the read died: {done.stderr[-600:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_5_kb_workbook_with_a_cell_at_xfd20000_is_refused_in_well_under_a_second(tmp_path):
    data = workbook(far_cell="XFD20000")
    assert len(data) < 6000
    got = read_bounded(tmp_path, data)
    assert got["seconds"] < 3.0, got  # generous for a loaded host; the old path ran 30 s and 2 GB
    assert got["problems"] == ["第一个工作表第 XFD 列还有内容，超过 64 列的上限；请删除模板列右侧的所有内容（含空白格式）后重试"]


def test_a_cell_far_down_is_refused_by_its_row(tmp_path):
    got = read_bounded(tmp_path, workbook(far_cell="A1048576"))
    assert got["seconds"] < 3.0, got  # generous for a loaded host; the old path ran 30 s and 2 GB
    assert got["problems"][0].startswith("第一个工作表第 1048576 行还有内容，超过 20,000 人（20002 行）的上限")


def test_the_dimension_a_file_claims_is_not_trusted():
    """The <dimension> says A1:H2, the cells say otherwise: the cells count."""
    data = workbook(far_cell="ZZ5")
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    lying = sheet.replace(b'<dimension ref="A1:ZZ5"/>', b'<dimension ref="A1:H2"/>')
    assert lying != sheet
    with pytest.raises(PackageRefused, match="第 ZZ 列还有内容"):
        read_first_sheet(replace_member(data, "xl/worksheets/sheet1.xml", lying), Limits(), columns=9)


def test_a_zip_bomb_is_refused_from_its_directory_before_anything_is_unpacked():
    def zeros(stream):
        block = b"<!-- -->" * (1 << 17)  # 1 MB
        for _ in range(64):
            stream.write(block)

    bomb = replace_member(workbook(), "xl/sharedStrings.xml", writer=zeros)
    assert len(bomb) < 300_000
    start = time.perf_counter()
    rows, problems = read_table(bomb, "r.xlsx")
    assert time.perf_counter() - start < 2.0  # refused from the directory: unpacking took minutes
    assert [p.zh for p in problems] == ["表格文件解压后约 64 MB，超过 40 MB 的上限；请删除多余的工作表、图片和空白行列后重试，或分批导入"]


def test_a_member_that_unpacks_to_more_than_it_declares_is_cut_off():
    """A zip header can lie about a member's size: zipfile stops at the declared size and fails the
    checksum, so no parser ever sees more than the directory promised."""
    data = workbook([HEADERS, ["张三", "儿童主任", "盐湖区", "北城街道", "红旗社区", "13800000001"]])
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    grown = sheet.replace(b"</sheetData>", b"<row r=\"3\">" + b"<c r=\"A3\"/>" * 400_000 + b"</row></sheetData>")
    packed = replace_member(data, "xl/worksheets/sheet1.xml", grown)
    honest = zipfile.ZipFile(io.BytesIO(packed)).getinfo("xl/worksheets/sheet1.xml").file_size
    lying = packed.replace(honest.to_bytes(4, "little"), len(sheet).to_bytes(4, "little"))
    assert lying != packed
    start = time.perf_counter()
    rows, problems = read_table(lying, "r.xlsx")
    assert time.perf_counter() - start < 3.0  # bounds generous for a loaded host; the old path ran 30 s
    assert [p.zh for p in problems] == ["文件不是有效的 .xlsx 表格（无法打开），请使用下载的模板"] and rows == []


def test_too_many_cells_in_a_small_file(tmp_path):
    data = workbook()
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    many = b"".join(b'<row r="%d">%s</row>' % (r, b'<c r="A%d" s="0"/>' % r * 20) for r in range(2, 20_002))
    packed = replace_member(data, "xl/worksheets/sheet1.xml", sheet.replace(b"</sheetData>", many + b"</sheetData>"))
    got = read_bounded(tmp_path, packed)
    assert got["seconds"] < 3.0, got  # generous for a loaded host; the old path ran 30 s and 2 GB
    assert got["problems"][0].startswith("第一个工作表中的单元格超过 240,000 个")


def test_an_encrypted_member_and_garbage_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("a.xml", b"x")
    flagged = bytearray(out.getvalue())
    flagged[6] |= 1  # local header's flag
    central = flagged.rfind(b"PK\x01\x02")
    flagged[central + 8] |= 1
    with pytest.raises(PackageRefused, match="已加密"):
        open_package(bytes(flagged), Limits())
    with pytest.raises(PackageRefused, match="已损坏"):
        open_package(b"PK\x03\x04 not really", Limits())


def test_a_good_workbook_streams_its_rows():
    data = workbook([HEADERS, ["张三", "儿童主任", "盐湖区", "北城街道", "红旗社区", 13800000001]])
    sheet = read_first_sheet(data, Limits(), columns=9)
    assert sheet.rows[1][:6] == ("张三", "儿童主任", "盐湖区", "北城街道", "红旗社区", 13800000001)
    assert all(len(r) == 9 for r in sheet.rows)
    rows, problems = read_table(data, "r.xlsx")
    assert not problems and rows[1][5] == "13800000001"


def test_the_import_page_answers_the_crafted_workbook_quickly(app, client, auth):
    make_user("tr", "trainer")
    auth.login("tr")
    start = time.perf_counter()
    response = auth.post("/training/roster/import",
                         data={"file": (io.BytesIO(workbook(far_cell="XFD20000")), "花名册.xlsx")},
                         content_type="multipart/form-data")
    assert time.perf_counter() - start < 5.0  # the old path: 30 s of CPU, then the worker killed
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "第 XFD 列还有内容" in page  # refused, the reason under the form
