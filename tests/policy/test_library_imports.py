"""Statutes imported on the library page live in the database (and so in backups), never in
content/; a full sync keeps them; a mistaken import is retired with a reason and can be restored;
junk files are refused and GB18030 files read, with messages in Chinese."""
from io import BytesIO

import sqlalchemy as sa

from portal.extensions import db
from portal.models import AuditEntry, LibraryImport, PolicyDocument
from portal.policy.sync import sync_policy
from tests.conftest import ROOT

SOURCE = ROOT / "content" / "policy" / "sources"
LAW = "反家庭暴力法(2015-12-27).md"


def _upload(auth, files):
    data = {"files": [(BytesIO(body), name) for name, body in files]}
    r = auth.post("/admin/library/upload", data=data, content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)
    return r.headers["Location"]


def _import(auth, files):
    location = _upload(auth, files)
    batch = location.rsplit("/", 1)[-1]
    return auth.post("/admin/library/import", data={"batch": batch}).get_data(as_text=True)


def _renamed(name: str) -> bytes:
    return (SOURCE / LAW).read_bytes().replace("反家庭暴力法".encode(), name.encode(), 1)


def _one_import(app, content, auth) -> LibraryImport:
    """An administrator has imported one law (反家庭冷暴力法, 2015-12-27) on the library page: its import row."""
    app.config["CONTENT_DIR"] = str(content)
    auth.as_role("admin")
    _import(auth, [("反家庭冷暴力法(2015-12-27).md", _renamed("反家庭冷暴力法"))])
    return db.session.scalars(sa.select(LibraryImport)).one()


def _doc(doc_id):
    return db.session.scalars(sa.select(PolicyDocument).where(PolicyDocument.doc_id == doc_id)).first()


def test_import_lives_in_the_database_and_a_full_sync_keeps_it(app, content, auth):
    app.config["CONTENT_DIR"] = str(content)
    auth.as_role("admin")
    before = sorted((content / "policy").rglob("*"))
    page = _import(auth, [("反家庭冷暴力法(2015-12-27).md", _renamed("反家庭冷暴力法"))])
    assert "已导入 1 份" in page
    assert sorted((content / "policy").rglob("*")) == before
    row = db.session.scalars(sa.select(LibraryImport)).one()
    assert row.doc_id == "fan-jiating-lengbaoli-fa" and "反家庭冷暴力法" in row.markdown
    assert "反家庭冷暴力法" in row.source_text  # the text as uploaded, for provenance
    report = sync_policy(content, actor_name="sync")  # `flask portal sync`: content/ is the seed
    assert "fan-jiating-lengbaoli-fa" not in report.retired
    assert _doc("fan-jiating-lengbaoli-fa").active
    assert auth.client.get("/policy/fan-jiating-lengbaoli-fa/a1").status_code == 200


def test_junk_file_is_refused_with_a_chinese_reason(app, content, auth):
    app.config["CONTENT_DIR"] = str(content)
    auth.as_role("admin")
    location = _upload(auth, [("这不是法规.txt", "这不是法规\n随便写的两行字。\n".encode())])
    page = auth.client.get(location).get_data(as_text=True)
    assert "可导入 0 份" in page and "这不像是法规文本，未导入" in page
    assert _doc("zhe-bushi-fagui") is None


def test_gb18030_file_is_read_and_an_unreadable_one_gets_a_chinese_message(app, content, auth):
    app.config["CONTENT_DIR"] = str(content)
    auth.as_role("admin")
    gbk = _renamed("反家庭冷暴力法").decode("utf-8").encode("gb18030")
    location = _upload(auth, [("反家庭冷暴力法(2015-12-27).txt", gbk), ("乱码.txt", b"\xff\xfe\xff\x00abc\x81")])
    page = auth.client.get(location).get_data(as_text=True)
    assert "《中华人民共和国反家庭冷暴力法》" in page and "共 38 条" in page
    assert "乱码.txt 第 1 行：文件编码无法识别（既不是 UTF-8，也不是 GB18030/GBK），未导入。" in page
    assert "not valid UTF-8" not in page


def test_retire_with_a_reason_takes_it_out_and_restore_brings_it_back(app, content, auth):
    row = _one_import(app, content, auth)
    r = auth.post(f"/admin/library/imports/{row.id}/retire", data={"reason": ""})
    assert r.status_code == 400 and "请写明撤下的理由" in r.get_data(as_text=True)
    assert _doc("fan-jiating-lengbaoli-fa").active
    r = auth.post(f"/admin/library/imports/{row.id}/retire", data={"reason": "误传的测试文件"})
    assert r.status_code == 302
    assert "已撤下《中华人民共和国反家庭冷暴力法》" in auth.client.get(r.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert not _doc("fan-jiating-lengbaoli-fa").active
    assert "反家庭冷暴力法" not in auth.client.get("/policy/").get_data(as_text=True)
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.object_type == "library_import",
                                                           AuditEntry.action == "retire")).one()
    assert entry.after["reason"] == "误传的测试文件"
    page = auth.client.get("/admin/library/").get_data(as_text=True)
    assert "已撤下" in page and "误传的测试文件" in page
    sync_policy(content, actor_name="sync")
    assert not _doc("fan-jiating-lengbaoli-fa").active  # a sync does not bring it back
    assert auth.post(f"/admin/library/imports/{row.id}/restore", data={}).status_code == 302
    db.session.expire_all()
    assert _doc("fan-jiating-lengbaoli-fa").active


def test_preview_says_what_each_file_will_do_to_the_library(app, content, auth):
    app.config["CONTENT_DIR"] = str(content)
    auth.as_role("admin")
    newer = (SOURCE / LAW).read_bytes()
    location = _upload(auth, [("反家庭暴力法(2025-01-01).md", newer), ("反家庭冷暴力法(2015-12-27).md", _renamed("反家庭冷暴力法"))])
    page = auth.client.get(location).get_data(as_text=True)
    assert "《中华人民共和国反家庭暴力法》的新版本，导入后成为现行文本，原现行版本标为已修订" in page
    assert "新增的法规" in page


def test_a_retired_import_is_deleted_for_good_with_a_reason_and_the_log_keeps_it(app, content, auth):
    row = _one_import(app, content, auth)
    r = auth.post(f"/admin/library/imports/{row.id}/delete", data={"reason": "测试"}, follow_redirects=True)
    assert "这份导入仍在法规库中，请先撤下再删除" in r.get_data(as_text=True)  # in the library: retire first
    assert db.session.get(LibraryImport, row.id) is not None
    auth.post(f"/admin/library/imports/{row.id}/retire", data={"reason": "误传的测试文件"})
    page = auth.client.get("/admin/library/").get_data(as_text=True)
    assert 'data-testid="delete-import"' in page and "删除后这份导入的文本不能再恢复" in page
    r = auth.post(f"/admin/library/imports/{row.id}/delete", data={"reason": "  "})
    assert r.status_code == 400 and "请写明删除的理由" in r.get_data(as_text=True)
    r = auth.post(f"/admin/library/imports/{row.id}/delete", data={"reason": "重复上传，原件已核对"}, follow_redirects=True)
    assert "已删除撤下的《中华人民共和国反家庭冷暴力法》导入记录及其文本" in r.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(LibraryImport.id))) == 0
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.object_type == "library_import",
                                                           AuditEntry.action == "delete")).one()
    assert entry.after["reason"] == "重复上传，原件已核对" and entry.before["reason"] == "误传的测试文件"
    assert entry.object_label == "中华人民共和国反家庭冷暴力法"
    assert auth.post(f"/admin/library/imports/{row.id}/delete", data={"reason": "x"}).status_code == 404


def test_a_refused_delete_or_restore_is_said_beside_the_import_with_the_reason_kept(app, content, auth):
    row = _one_import(app, content, auth)
    r = auth.post(f"/admin/library/imports/{row.id}/delete", data={"reason": "重复上传"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422  # drawn again, not a redirect
    refused = page.split('data-testid="form-refused"', 1)[1].split("</p>", 1)[0]
    assert "这份导入仍在法规库中，请先撤下再删除" in refused
    assert 'value="重复上传"' in page  # what was typed is kept
    assert db.session.get(LibraryImport, row.id) is not None
