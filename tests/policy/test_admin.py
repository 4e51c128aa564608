"""The library's admin page: upload, preview with problems, import; register metadata edited with history."""
from io import BytesIO

from tests.conftest import ROOT

SOURCE = ROOT / "content" / "policy" / "sources"


def _upload(auth, files):
    data = {"files": [(BytesIO(body), name) for name, body in files]}
    return auth.post("/admin/library/upload", data=data, content_type="multipart/form-data")


def test_upload_preview_and_import(app, content, auth, tmp_path):
    app.config["CONTENT_DIR"] = str(content)
    auth.as_role("admin")
    client = auth.client
    good = (SOURCE / "反家庭暴力法(2015-12-27).md").read_bytes().replace("反家庭暴力法".encode(), "反家庭冷暴力法".encode(), 1)
    bad = "# 某某条例\n\n甲。\n\n乙。\n".encode()
    before = sorted((content / "policy").rglob("*"))
    r = _upload(auth, [("反家庭冷暴力法(2015-12-27).md", good), ("坏文件.md", bad)])
    assert r.status_code == 302 and "/admin/library/upload/" in r.headers["Location"]
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "共 2 份文件（组），可导入 1 份，有问题 1 份" in page
    assert "《中华人民共和国反家庭冷暴力法》" in page and "共 38 条" in page
    assert "坏文件.md 第 1 行：没有找到任何条文" in page
    assert sorted((content / "policy").rglob("*")) == before  # nothing written before the import
    batch = r.headers["Location"].rsplit("/", 1)[-1]
    page = auth.post("/admin/library/import", data={"batch": batch}).get_data(as_text=True)
    assert "已导入 1 份，已更新 0 份，未变化 0 份，未导入 1 份" in page
    assert sorted((content / "policy").rglob("*")) == before  # imported into the database, not content/
    doc_page = client.get("/policy/fan-jiating-lengbaoli-fa").get_data(as_text=True)
    assert "中华人民共和国反家庭冷暴力法" in doc_page
    assert client.get(r.headers["Location"]).status_code == 302  # the batch is gone once imported


def test_upload_refuses_other_files(app, content, auth):
    app.config["CONTENT_DIR"] = str(content)
    auth.as_role("admin")
    r = _upload(auth, [("表.xlsx", b"PK\x03\x04")])
    assert r.status_code == 400 and "只接受 .md 或 .txt 文本文件：表.xlsx" in r.get_data(as_text=True)


def test_register_metadata_edited_with_history_and_no_lost_update(app, content, auth):
    app.config["CONTENT_DIR"] = str(content)
    auth.as_role("admin")
    client = auth.client
    form = client.get("/admin/library/register/jiating-jiyang-guanli-banfa").get_data(as_text=True)
    assert 'name="stamp"' in form
    import re

    stamp = re.search(r'name="stamp" type="hidden" value="([^"]*)"', form).group(1)
    values = {"title": "家庭寄养管理办法", "number": "民政部令第54号", "issuer": "民政部", "issued": "2014-09-24",
              "effective": "2014-12-01", "status": "现行有效", "aliases": "", "notes": "据管理员核实补录。",
              "stamp": stamp}
    r = auth.post("/admin/library/register/jiating-jiyang-guanli-banfa", data=values)
    assert r.status_code == 302
    page = client.get("/policy/register/jiating-jiyang-guanli-banfa").get_data(as_text=True)
    assert "民政部令第54号" in page and "2014年12月1日" in page
    assert "效力：（空） → 现行有效" in page  # the history says who changed what (the register ships 文号 and dates)
    assert "民政部令第54号" in (content / "policy" / "register.csv").read_text(encoding="utf-8")
    # a second editor who opened the form before the change is refused, not silently overwriting
    r = auth.post("/admin/library/register/jiating-jiyang-guanli-banfa", data={**values, "number": "民政部令第1号"})
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and "已被他人修改" in html
    # the version saved beside the one typed (still in the form); only the explicit choice replaces it
    assert re.search(r'data-testid="theirs-number"><div class="pre">民政部令第54号<', html)
    assert re.search(r'data-testid="mine-number"><div class="pre">民政部令第1号<', html) and 'value="民政部令第1号"' in html
    chosen = re.search(r'name="overwrite" value="([^"]+)"', html).group(1)
    r = auth.post("/admin/library/register/jiating-jiyang-guanli-banfa",
                  data={**values, "number": "民政部令第1号", "overwrite": chosen})
    assert r.status_code == 302 and "民政部令第1号" in (content / "policy" / "register.csv").read_text(encoding="utf-8")
    bad = auth.post("/admin/library/register/jiating-jiyang-guanli-banfa",
                      data={**values, "stamp": "x", "issued": "2014年9月24日"})
    assert bad.status_code == 400 and "日期应写成 2019-01-01 这样的格式" in bad.get_data(as_text=True)
