"""Import what can be read, flag what could not (file:line and reason): a list that breaks after
a paragraph, a missing chapter heading, an article number typed twice, a file without a date in
its name — on real statute text (content/policy/sources), never refusing the whole law."""
from portal.content.importer import convert_text
from tests.conftest import ROOT

SOURCES = ROOT / "content" / "policy" / "sources"
MINORS = (SOURCES / "未成年人保护法(2024-04-26).md").read_text(encoding="utf-8")
VIOLENCE = (SOURCES / "反家庭暴力法(2015-12-27).md").read_text(encoding="utf-8")


def _convert(text: str, name: str):
    conv = convert_text(text, name, "test-law")
    assert conv.ok, conv.problems[:3]
    return conv, {c.id for c in conv.parsed.clauses}


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), start=1) if line.startswith(needle))


def test_a_list_that_resumes_after_a_paragraph_is_imported_and_flagged_where_it_breaks():
    # numbered on after the paragraph: the paragraph is item （一）'s, （二） is still an item
    text = MINORS.replace("（二）放任、教唆或者利用未成年人", "前款行为包括下列情形：\n\n（二）放任、教唆或者利用未成年人", 1)
    conv, ids = _convert(text, "未成年人保护法(2024-04-26).md")
    assert {"a17", "a17.1.1", "a17.1.2", "a18"} <= ids and not conv.flags
    # a number that does not go on ((三) after (一)): imported as text of the article, flagged
    text = MINORS.replace("（二）放任、教唆或者利用未成年人", "前款行为包括下列情形：\n\n（三）放任、教唆或者利用未成年人", 1)
    conv, ids = _convert(text, "未成年人保护法(2024-04-26).md")
    assert {"a17", "a17.1.1", "a18"} <= ids and "a17.1.2" not in ids
    assert conv.parsed.meta["edition"] == "2024-04-26"
    flag = next(f for f in conv.flags if "（三）" in f.message)
    assert flag.line == _line(text, "（三）放任、教唆") and "第十七条" in flag.message
    a17 = next(c for c in conv.parsed.clauses if c.id == "a17")
    assert "放任、教唆或者利用未成年人实施违法犯罪行为" in a17.text  # the text is kept


def test_a_missing_chapter_heading_and_a_repeated_article_number_are_flagged_not_refused():
    text = VIOLENCE.replace("## 第一章 总则\n", "", 1).replace("第十条 人民调解组织", "第十一条 人民调解组织", 1)
    conv, ids = _convert(text, "反家庭暴力法(2015-12-27).md")
    assert conv.parsed.meta.get("numbering") == "原文编号"
    assert "ch2" in ids and "ch1" not in ids and "a10" not in ids and {"a11", "a12", "a38"} <= ids
    messages = [(f.line, f.message) for f in conv.flags]
    assert any("第二章之前缺少第一章" in m for _, m in messages)
    assert (_line(text, "第十一条 人民调解组织"), "第十一条之前缺少第十条（原文如此），已按原文编号导入") in messages
    assert (_line(text, "第十一条 用人单位"), "第十一条重复或倒退（前一条是第十一条），已作为第十一条的一段导入") in messages
    a11 = next(c for c in conv.parsed.clauses if c.id == "a11")
    assert "用人单位发现本单位人员有家庭暴力情况" in a11.text


def test_a_file_without_a_date_in_its_name_or_history_is_imported(app, content, auth):
    from io import BytesIO

    app.config["CONTENT_DIR"] = str(content)
    auth.as_role("admin")
    body = (SOURCES / "未成年人网络保护条例(2023-10-16).md").read_text(encoding="utf-8")
    body = body.replace("未成年人网络保护条例", "未成年人网络保护试行条例", 1)  # no history lines: no date at all
    r = auth.post("/admin/library/upload", data={"files": [(BytesIO(body.encode()), "未成年人网络保护试行条例.md")]},
                  content_type="multipart/form-data")
    batch = r.headers["Location"].rsplit("/", 1)[-1]
    page = auth.post("/admin/library/import", data={"batch": batch}).get_data(as_text=True)
    assert "已导入 1 份" in page, page
    doc = auth.client.get("/policy/weichengnianren-wangluo-baohu-shixing-tiaoli").get_data(as_text=True)
    assert "未成年人网络保护试行条例" in doc


def test_flags_are_shown_in_the_preview_and_on_the_library_page(app, content, auth):
    from io import BytesIO

    app.config["CONTENT_DIR"] = str(content)
    auth.as_role("admin")
    text = VIOLENCE.replace("反家庭暴力法", "反家庭冷暴力法", 1).replace("第十条 人民调解组织", "第十一条 人民调解组织", 1)
    r = auth.post("/admin/library/upload", data={"files": [(BytesIO(text.encode()), "反家庭冷暴力法(2015-12-27).md")]},
                  content_type="multipart/form-data")
    line = _line(text, "第十一条 人民调解组织")
    preview = auth.client.get(r.headers["Location"]).get_data(as_text=True)
    assert "可导入 1 份" in preview
    assert f"反家庭冷暴力法(2015-12-27).md 第 {line} 行：第十一条之前缺少第十条（原文如此），已按原文编号导入" in preview
    auth.post("/admin/library/import", data={"batch": r.headers["Location"].rsplit("/", 1)[-1]})
    library = auth.client.get("/admin/library/").get_data(as_text=True)
    assert "有 2 处未能识别" in library
    assert f"反家庭冷暴力法(2015-12-27).md 第 {line} 行：第十一条之前缺少第十条" in library
