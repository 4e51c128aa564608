"""``statute_doc.reusing_parses`` (a bulk import parses each statute body once): inside it a parse
gives what a fresh parse gives — clauses, errors named after the file asked for — and its clauses
belong to the caller (changing them changes no later parse)."""
from __future__ import annotations

from dataclasses import asdict

from portal.content.statute_doc import parse_statute, reusing_parses
from tests.conftest import ROOT

POLICY = ROOT / "content" / "policy"
BROKEN = "---\nid: x\ntitle: 某某条例\nstatus: 现行有效\n---\n\n{#a1}\n第一条 甲。\n\n{#a3}\n第三条 丙。\n"


def _seen(doc) -> tuple:
    return doc.filename, doc.meta, [asdict(c) for c in doc.clauses], [(e.file, e.line, e.message) for e in doc.errors]


def test_a_reused_parse_is_the_fresh_parse():
    texts = [p.read_text(encoding="utf-8") for p in sorted(POLICY.glob("*.md")) if "{#a1}" in p.read_text(encoding="utf-8")]
    assert len(texts) >= 5
    fresh = [_seen(parse_statute(t, f"f{i}.md")) for i, t in enumerate(texts)]
    with reusing_parses():
        first = [_seen(parse_statute(t, f"f{i}.md")) for i, t in enumerate(texts)]
        again = [_seen(parse_statute(t, f"f{i}.md")) for i, t in enumerate(texts)]
    assert first == fresh and again == fresh


def test_front_matter_and_file_name_are_read_afresh_and_clauses_are_the_callers():
    fresh = parse_statute(BROKEN, "a.md")
    assert fresh.errors  # 第三条 where 第二条 was expected
    with reusing_parses():
        parse_statute(BROKEN, "a.md").clauses[0].text = "changed by a caller"
        other = parse_statute(BROKEN.replace("status: 现行有效", "status: 已修订"), "b.md")
    assert other.meta["status"] == "已修订"
    assert [c.text for c in other.clauses] == [c.text for c in fresh.clauses]
    assert [(e.file, e.line, e.message) for e in other.errors] == [("b.md", e.line, e.message) for e in fresh.errors]
