"""Dates that are no day and numbers beyond 9999 in statutes (issue 18). A file named
`…(2026-02-30).md` used to pass the preview, fail the import after writing its content file, pass
`check-content`, and crash every later `setup` and `sync`; 第10000条 gave a 500 in the preview and a
traceback in the CLI. Now each is refused before anything is written, with file, line and reason; a
bad file already on disk is reported and the last good version keeps serving."""
from __future__ import annotations

from io import BytesIO

import sqlalchemy as sa

from portal.extensions import db
from portal.models import PolicyClause, PolicyDocument
from portal.policy import sync as policy_sync
from portal.policy.services import get_document
from tests.policy.conftest import STATUTE_MD

FEB_30 = "家庭寄养办法(2026-02-30).md"


def files_of(content) -> dict:
    return {p.relative_to(content).as_posix(): p.read_bytes() for p in sorted((content / "policy").rglob("*"))
            if p.is_file() and p.name != ".import.lock"}


def test_a_version_date_that_is_no_day_is_refused_before_anything_is_written(app, content, runner, tmp_path):
    app.config["CONTENT_DIR"] = str(content)
    src = tmp_path / FEB_30
    src.write_text(STATUTE_MD, encoding="utf-8")
    before = files_of(content)
    result = runner.invoke(args=["portal", "import-policy", str(src)])
    assert result.exit_code == 1 and result.exception is None or isinstance(result.exception, SystemExit)
    assert (f"{src}:1: the version date in the file name 2026-02-30 is not a real date (there is no such day)"
            in result.output), result.output
    assert "0 imported, 0 updated, 0 unchanged, 1 refused" in result.output
    assert files_of(content) == before  # no document file, no source copy
    for command in (["portal", "check-content"], ["portal", "sync"]):
        again = runner.invoke(args=command)
        assert again.exit_code == 0, again.output  # nothing left behind to trip over


def test_a_history_date_that_is_no_day_names_its_line(app, content, runner, tmp_path):
    app.config["CONTENT_DIR"] = str(content)
    src = tmp_path / "家庭寄养办法.txt"
    src.write_text(STATUTE_MD.replace("2014年9月24日", "2014年2月30日"), encoding="utf-8")
    before = files_of(content)
    result = runner.invoke(args=["portal", "import-policy", str(src), "--id", "jiating-jiyang"])
    assert result.exit_code == 1
    assert f"{src}:3: 2014年2月30日 is not a real date (there is no such day)" in result.output, result.output
    assert files_of(content) == before


def test_an_article_number_beyond_9999_is_refused_without_a_traceback(app, content, runner, tmp_path):
    app.config["CONTENT_DIR"] = str(content)
    src = tmp_path / "大条号.txt"
    text = STATUTE_MD.replace("第五条", "第10000条")
    src.write_text(text, encoding="utf-8")
    line = text.split("\n").index(next(ln for ln in text.split("\n") if ln.startswith("第10000条"))) + 1
    result = runner.invoke(args=["portal", "import-policy", str(src), "--id", "da-tiaohao"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert f"{src}:{line}: 第10000条：编号超过9999，没有法规有这么多条，请核对编号" in result.output, result.output
    assert not (content / "policy" / "da-tiaohao.md").exists()


def test_the_admin_preview_shows_both_problems_instead_of_a_500(app, content, auth):
    app.config["CONTENT_DIR"] = str(content)
    auth.as_role("admin")
    before = files_of(content)
    files = [(FEB_30, STATUTE_MD.encode()), ("大条号.txt", STATUTE_MD.replace("第五条", "第10000条").encode())]
    response = auth.post("/admin/library/upload", data={"files": [(BytesIO(body), name) for name, body in files]},
                         content_type="multipart/form-data")
    assert response.status_code == 302
    page = auth.client.get(response.headers["Location"])
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "可导入 0 份，有问题 2 份" in text
    assert "2026-02-30 is not a real date" in text and "第10000条：编号超过9999" in text
    batch = response.headers["Location"].rsplit("/", 1)[-1]
    done = auth.post("/admin/library/import", data={"batch": batch})
    assert done.status_code == 200 and "未导入 2 份" in done.get_data(as_text=True)
    assert files_of(content) == before


def test_a_bad_file_already_on_disk_is_reported_and_the_last_good_version_serves(app, content, runner):
    app.config["CONTENT_DIR"] = str(content)
    path = content / "policy" / "cishan-fa.md"
    good = path.read_text(encoding="utf-8")
    served = {c.clause_id: c.text for c in get_document("cishan-fa").clauses}
    lines = good.split("\n")
    edition_line = next(i for i, ln in enumerate(lines, start=1) if ln.startswith("edition: "))
    path.write_text(good.replace(lines[edition_line - 1], "edition: 2026-02-30", 1), encoding="utf-8")
    check = runner.invoke(args=["portal", "check-content"])
    assert check.exit_code == 1
    assert f"cishan-fa.md:{edition_line}: edition 2026-02-30 is not a real date (there is no such day)" in check.output
    sync = runner.invoke(args=["portal", "sync"])
    assert sync.exit_code == 1 and sync.exception is None or isinstance(sync.exception, SystemExit)
    assert f"cishan-fa.md:{edition_line}: edition 2026-02-30 is not a real date" in sync.output
    assert "previous versions keep serving" in sync.output
    db.session.expire_all()
    assert {c.clause_id: c.text for c in get_document("cishan-fa").clauses} == served


def test_a_register_date_that_is_no_day_is_reported_not_a_crash(app, content, runner):
    app.config["CONTENT_DIR"] = str(content)
    register = content / "policy" / "register.csv"
    text = register.read_text(encoding="utf-8")
    row = next(i for i, ln in enumerate(text.split("\n"), start=1) if ",2018-10-30," in ln)
    register.write_text(text.replace(",2018-10-30,", ",2018-02-30,", 1), encoding="utf-8")
    result = runner.invoke(args=["portal", "sync"])
    assert isinstance(result.exception, (SystemExit, type(None))), result.exception
    assert f"register.csv:{row}: issued 2018-02-30 is not a real date" in result.output, result.output


def test_a_file_that_fails_in_a_way_no_check_foresaw_is_refused_and_the_rest_loads(app, content, runner, monkeypatch):
    app.config["CONTENT_DIR"] = str(content)
    path = content / "policy" / "cishan-fa.md"
    path.write_text(path.read_text(encoding="utf-8").replace("第一条", "第一条 ", 1), encoding="utf-8")
    other = content / "policy" / "canjiren-baozhang-fa.md"
    other.write_text(other.read_text(encoding="utf-8").replace("第一条", "第一条 ", 1), encoding="utf-8")
    real = policy_sync._copy_metadata

    def fails_for_one(ldoc, doc):
        if ldoc.doc_id == "cishan-fa":
            raise ValueError("an unforeseen value")
        return real(ldoc, doc)

    monkeypatch.setattr(policy_sync, "_copy_metadata", fails_for_one)
    result = runner.invoke(args=["portal", "sync"])
    assert isinstance(result.exception, (SystemExit, type(None))), result.exception
    assert "cishan-fa.md:1: cannot be loaded (ValueError: an unforeseen value); the last good version keeps serving" \
        in result.output, result.output
    assert "canjiren-baozhang-fa v2" in result.output  # the other changed document was loaded
    db.session.expire_all()
    version = db.session.scalar(sa.select(PolicyDocument.version).where(PolicyDocument.doc_id == "cishan-fa"))
    assert version == 1 and db.session.scalar(sa.select(sa.func.count(PolicyClause.id))) > 0


def test_a_statute_upload_larger_than_any_statute_is_refused_before_it_is_kept(app, content, auth, monkeypatch):
    from portal.policy import admin_services

    app.config["CONTENT_DIR"] = str(content)
    assert admin_services.MAX_FILE_BYTES == 5 * 1024 * 1024
    monkeypatch.setattr(admin_services, "MAX_FILE_BYTES", 2048)  # (the test client spools 5 MB bodies to files)
    auth.as_role("admin")
    huge = STATUTE_MD.encode() + "第六条　甲。\n".encode() * 200
    response = auth.post("/admin/library/upload", data={"files": [(BytesIO(huge), "巨大.txt")]},
                         content_type="multipart/form-data")
    assert response.status_code == 400 and "单个法规文本不能超过 2.0 KB：巨大.txt" in response.get_data(as_text=True)
