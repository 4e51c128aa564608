"""flask portal import-policy / check-content / sync."""
from __future__ import annotations

import sqlalchemy as sa

from portal.extensions import db
from portal.models import PolicyChange, PolicyCitation
from portal.policy.services import get_document
from tests.policy.conftest import STATUTE_MD


def test_check_content_passes_on_the_repo(app, runner):
    result = runner.invoke(args=["portal", "check-content"])
    assert result.exit_code == 0, result.output
    assert "content OK" in result.output


def test_check_content_reports_file_and_line(app, runner, content):
    app.config["CONTENT_DIR"] = str(content)
    (content / "policy" / "bad.txt").write_text(STATUTE_MD.replace("第四条", "第六条"), encoding="utf-8")
    (content / "policy" / "gbk.md").write_bytes("---\nid: gbk\n标题\n".encode("gbk"))
    result = runner.invoke(args=["portal", "check-content"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    bad_line = STATUTE_MD.split("\n").index(next(l for l in STATUTE_MD.split("\n") if l.startswith("第四条"))) + 1
    assert any(l.endswith(f"bad.txt:{bad_line}: numbering skips or repeats: article a6 where a4 was expected")
               for l in lines), lines
    assert any(l.endswith("gbk.md:3: not valid UTF-8 (byte 0xb1); save the file as UTF-8") for l in lines), lines


def test_import_policy_then_reimport_keeps_ids_and_records_changes(app, runner, content, tmp_path):
    app.config["CONTENT_DIR"] = str(content)
    src = tmp_path / "家庭寄养管理办法.txt"
    src.write_text(STATUTE_MD, encoding="utf-8")
    result = runner.invoke(args=["portal", "import-policy", str(src), "--id", "jiating-jiyang"])
    assert result.exit_code == 0, result.output
    assert "imported: " in result.output and "-> jiating-jiyang@2014-09-24 (statute, 5 articles)" in result.output
    assert "1 imported, 0 updated, 0 unchanged, 0 refused; search index:" in result.output
    assert (content / "policy" / "jiating-jiyang.md").exists()
    assert (content / "policy" / "sources" / "家庭寄养管理办法.txt").read_text(encoding="utf-8") == STATUTE_MD
    first = {c.clause_id: c.id for c in get_document("jiating-jiyang").clauses}
    # an admin fills in a field the text does not state; a re-import keeps it
    md = content / "policy" / "jiating-jiyang.md"
    md.write_text(md.read_text(encoding="utf-8").replace("addressees: \n", "addressees: 各县民政局\n"), encoding="utf-8")
    src.write_text(STATUTE_MD.replace("有稳定的经济收入", "有稳定的经济收入和住房")
                   .replace("第五条　本办法", "第五条　本办法由民政部负责解释。\n第六条　本办法"), encoding="utf-8")
    # without --id the document keeps the id the library has for its title
    result = runner.invoke(args=["portal", "import-policy", str(src)])
    assert result.exit_code == 0, result.output
    assert "updated: " in result.output and "-> jiating-jiyang@2014-09-24" in result.output
    doc = get_document("jiating-jiyang")
    assert doc.addressees == "各县民政局" and doc.version == 2
    after = {c.clause_id: c.id for c in doc.clauses}
    assert all(after[cid] == pk for cid, pk in first.items())
    change = db.session.scalars(sa.select(PolicyChange).where(PolicyChange.document_id == doc.id)
                                .order_by(PolicyChange.id.desc())).first()
    assert change.summary["added"] == ["a6"] and set(change.summary["changed"]) == {"a3", "a3.1.2", "a5"}
    assert "jiating-jiyang v2: 1 added, 3 changed" in result.output
    result = runner.invoke(args=["portal", "import-policy", str(src)])
    assert "0 imported, 0 updated, 1 unchanged, 0 refused" in result.output


def test_import_flags_a_numbering_slip_and_refuses_a_file_with_no_articles(app, runner, content, tmp_path):
    app.config["CONTENT_DIR"] = str(content)
    src = tmp_path / "jy.txt"
    src.write_text(STATUTE_MD.replace("（二）有稳定", "（三）有稳定"), encoding="utf-8")
    result = runner.invoke(args=["portal", "import-policy", str(src)])
    assert result.exit_code == 0, result.output
    assert "jy.txt:" in result.output and "flagged: " in result.output and "第三条中的（三）项接不上前文的项目编号" in result.output
    junk = tmp_path / "junk.txt"
    junk.write_text("某某规定\n随便写的一行。\n", encoding="utf-8")
    result = runner.invoke(args=["portal", "import-policy", str(junk)])
    assert result.exit_code == 1
    assert "junk.txt -- 没有找到任何条文" in result.output
    assert not list((content / "policy").glob("moumou*.md")) and not (content / "policy" / "sources" / "junk.txt").exists()
    assert "0 imported, 0 updated, 0 unchanged, 1 refused" in result.output


def test_import_resolves_an_article_citation(app, runner, content, tmp_path):
    app.config["CONTENT_DIR"] = str(content)
    statute = tmp_path / "ertong.txt"
    statute.write_text("儿童福利机构管理办法\n\n第一章　总则\n\n" + "".join(
        f"第{n}条　第{n}条的内容。\n" for n in "一二三四五六七八") + "第九条　本办法自公布之日起施行。\n", encoding="utf-8")
    jy = tmp_path / "jiating-jiyang.txt"
    jy.write_text(STATUTE_MD, encoding="utf-8")
    assert runner.invoke(args=["portal", "import-policy", str(jy)]).exit_code == 0
    result = runner.invoke(args=["portal", "import-policy", str(statute), "--id", "ertong-fuli-jigou"])
    assert result.exit_code == 0, result.output
    row = db.session.scalar(sa.select(PolicyCitation).where(PolicyCitation.text == "《儿童福利机构管理办法》第八条"))
    assert (row.target_doc, row.target_clause) == ("ertong-fuli-jigou", "a8")


def test_sync_command_reports_refused_files(app, runner, content):
    app.config["CONTENT_DIR"] = str(content)
    (content / "policy" / "bad.txt").write_text("没有标题的文本\n第一条　甲。\n第三条　乙。\n", encoding="utf-8")
    result = runner.invoke(args=["portal", "sync"])
    assert result.exit_code == 1
    assert "policy: not loaded (previous versions keep serving)" in result.output
    assert "bad.txt:3: numbering skips or repeats: article a3 where a2 was expected" in result.output


def test_import_a_folder_groups_codes_and_versions_with_stable_ids(app, runner, content, tmp_path):
    import shutil

    app.config["CONTENT_DIR"] = str(content)
    policy = content / "policy"
    for path in policy.glob("*.md"):  # an empty library apart from the 方案
        if not path.name.startswith("yunmin"):
            path.unlink()
    register = policy / "register.csv"
    lines = register.read_text(encoding="utf-8").splitlines()
    # the register's first rows, and the one that states 慈善法's 施行 date (the importer takes it)
    register.write_text("\n".join(lines[:5] + [ln for ln in lines if ln.startswith("cishan-fa,")]) + "\n",
                        encoding="utf-8")
    folder = tmp_path / "incoming"
    shutil.copytree(policy / "sources", folder)
    shutil.rmtree(policy / "sources")
    (folder / "坏文件.md").write_text("# 某某条例\n\n甲。\n\n乙。\n", encoding="utf-8")
    result = runner.invoke(args=["portal", "import-policy", str(folder)])
    assert result.exit_code == 1  # one file refused; the others are imported
    assert "18 imported, 0 updated, 0 unchanged, 1 refused" in result.output, result.output
    assert "policy: 0 created, 0 updated, 16 unchanged, 0 retired" in result.output  # same ids, same text
    assert "refused: " in result.output and "坏文件.md:1: 没有找到任何条文" in result.output
    # ids derived from titles; 民法典's two 编 are one document; versions are editions of one
    assert "-> minfadian@2020-05-28 (statute, 283 articles)" in result.output
    assert (policy / "hukou-dengji-tiaoli.md").exists() and (policy / "weichengnianren-baohu-fa@2020-10-17.md").exists()
    assert get_document("weichengnianren-baohu-fa").clause_count == 132
    again = runner.invoke(args=["portal", "import-policy", str(folder)])
    assert "0 imported, 0 updated, 18 unchanged, 1 refused" in again.output, again.output
