"""Converting regulation text into library Markdown (pure)."""
from portal.content.importer import convert_text
from tests.policy.conftest import STATUTE_MD


def test_statute_layout():
    conv = convert_text(STATUTE_MD, "jy.txt", "jiating-jiyang", "jiating-jiyang.source.txt")
    assert conv.ok, conv.problems
    doc = conv.parsed
    assert conv.layout == "statute"
    assert doc.meta["title"] == "家庭寄养管理办法"
    assert doc.meta["date"] == "2014-09-24" and doc.meta["status"] == "待核实"
    ids = [c.id for c in doc.clauses]
    assert ids == ["history", "ch1", "a1", "a2", "ch2", "a3", "a3.1.1", "a3.1.2", "a3.1.3", "a4", "ch3", "a5"]
    a3 = doc.get("a3")
    assert (a3.label, a3.parent) == ("第三条", "ch2")
    assert "寄养家庭的主要照料人" in a3.text  # the second paragraph (款) stays in the article
    item = doc.get("a3.1.2")
    assert (item.label, item.parent, item.text) == ("第三条第一款第（二）项", "a3", "（二）有稳定的经济收入；")
    assert doc.get("ch2").title == "寄养条件"
    assert "目" not in doc.get("history").text


def test_statute_numbering_problems_name_source_lines():
    text = STATUTE_MD.replace("第五条", "第七条").replace("（三）家庭", "（四）家庭")
    conv = convert_text(text, "jy.txt", "jiating-jiyang")
    lines = text.split("\n")
    assert conv.ok, conv.problems  # imported all the same; the slips are flagged where they are
    got = sorted((p.line, p.message) for p in conv.flags)
    assert [m for _, m in got] == ["第三条中的（四）项接不上前文的项目编号（此处应为（三）），已作为普通段落导入，不能单独引用该项",
                                   "第七条之前缺少第五条（原文如此），已按原文编号导入"]
    assert lines[got[0][0] - 1].startswith("（四）")
    assert lines[got[1][0] - 1].startswith("第七条")
    assert all(p.file == "jy.txt" for p in conv.flags)
    assert {"a3", "a3.1.2", "a7"} <= {c.id for c in conv.parsed.clauses}


def test_markdown_input_with_chapter_headings():
    md = "# 儿童福利机构管理办法\n\n## 第一章 总则\n\n**第一条** 为了加强管理，制定本办法。\n\n**第二条** 本办法适用于……\n"
    conv = convert_text(md, "x.md", "ertong-fuli")
    assert conv.ok, conv.problems
    assert [c.id for c in conv.parsed.clauses] == ["ch1", "a1", "a2"]


def test_scheme_layout():
    text = "\n".join([
        "某县民政局文件", "某民发〔2022〕3号", "关于做好儿童移交工作的实施方案", "各乡镇：",
        "为做好移交工作，制定本方案。",
        "一、工作目标", "2022年底前完成。",
        "二、工作任务", "（一）做好摸底。", "1.梳理信息。", "逐户登记。", "2.整理档案。", "（二）做好移交。",
        "3.办理手续。依照《家庭寄养管理办法》办理移交手续，确保不出现遗漏，做到档案齐全、手续完备、交接清楚。",
        "某县民政局", "2022年3月1日",
    ])
    conv = convert_text(text, "s.txt", "mou-2022-3")
    assert conv.ok, conv.problems
    doc = conv.parsed
    assert conv.layout == "scheme"
    assert doc.meta["number"] == "某民发〔2022〕3号" and doc.meta["date"] == "2022-03-01"
    assert doc.meta["addressees"] == "各乡镇" and doc.meta["kind"] == "实施方案"
    assert [c.id for c in doc.sections] == ["header", "preamble", "1", "2", "2.1", "2.1.1", "2.1.2", "2.2",
                                            "2.2.3", "closing"]
    assert doc.get("2.2.3").title == "办理手续"
    assert doc.get("closing").text.startswith("某县民政局")
