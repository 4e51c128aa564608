"""Every quiz question of the shipped training modules carries a 解析 a trainee can trust: it cites a
clause that resolves in the policy library ([[3.2.10]] for the 方案, [[doc-id:a11]] for an article),
and each 「quotation」 in it occurs verbatim (whitespace aside) in a clause the 解析 cites.

Stricter than `flask portal check-content`, which lets a reference to a document not in the library
through unchecked: here every cited document must be present, so every quotation is checked."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal.content.check import clause_lookups
from portal.content.library import scan_library
from portal.content.training_file import QUOTE_RE, REFERENCE, parse_module

ROOT = Path(__file__).parents[2]
TRAINING = ROOT / "content" / "training"

# (module file, question number) → why no shipped text supports an explanation. Empty: every question
# of every module has one. Add a question here only with the reason no 方案 clause or shipped
# article states its answer.
WITHOUT_EXPLANATION: dict[tuple[str, int], str] = {}

MODULE_FILES = sorted(p for p in TRAINING.glob("*.md") if not p.name.upper().startswith("README"))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def clause_text():
    lib = scan_library(ROOT / "content" / "policy", ROOT)
    assert lib.good_docs
    return clause_lookups(lib)[1]


def _questions(path: Path):
    spec, problems = parse_module(path.read_bytes(), path.name)
    assert spec is not None, [str(p) for p in problems]
    assert spec.quiz is not None and spec.quiz.questions, f"{path.name} has no quiz"
    return spec.quiz.questions


def test_the_shipped_modules_are_found():
    assert len(MODULE_FILES) >= 9


@pytest.mark.parametrize("path", MODULE_FILES, ids=lambda p: p.name)
def test_every_question_has_an_explanation_unless_listed(path):
    for q in _questions(path):
        listed = (path.name, q.number) in WITHOUT_EXPLANATION
        if listed:
            assert not q.explanation, f"{path.name} question {q.number} now has a 解析: drop it from WITHOUT_EXPLANATION"
        else:
            assert q.explanation, f"{path.name}:{q.line}: question {q.number} has no '> 解析：…' line"


@pytest.mark.parametrize("path", MODULE_FILES, ids=lambda p: p.name)
def test_every_explanation_cites_resolving_clauses_and_quotes_them_verbatim(path, clause_text):
    for q in _questions(path):
        if not q.explanation:
            continue
        where = f"{path.name}:{q.explanation_line} (question {q.number})"
        refs = [(m.group(1), m.group(2)) for m in REFERENCE.finditer(q.explanation)]
        assert refs, f"{where}: the 解析 cites no clause: add [[doc-id:clause]]"
        texts = []
        for doc, cid in refs:
            text = clause_text(doc, cid)
            assert text is not None, f"{where}: [[{doc + ':' if doc else ''}{cid}]] does not resolve in the library"
            texts.append(_squash(text))
        quotes = QUOTE_RE.findall(q.explanation)
        assert quotes, f"{where}: the 解析 quotes nothing of the clause it cites (quote it in 「」)"
        for quote in quotes:
            assert _squash(quote) and any(_squash(quote) in t for t in texts), \
                f"{where}: 「{quote}」 is not verbatim in the clauses cited"


def test_the_check_catches_a_misquotation(clause_text, tmp_path):
    """The checks above would catch a 解析 that changes one word of the statute."""
    good = (TRAINING / "09-qiangzhi-baogao.md").read_text(encoding="utf-8")
    assert "应当立即向公安、民政、教育等有关部门报告」" in good
    bad = tmp_path / "09-qiangzhi-baogao.md"
    bad.write_text(good.replace("应当立即向公安、民政、教育等有关部门报告」", "应当及时向公安、民政、教育等有关部门报告」", 1),
                   encoding="utf-8")
    with pytest.raises(AssertionError, match="is not verbatim"):
        test_every_explanation_cites_resolving_clauses_and_quotes_them_verbatim(bad, clause_text)


def test_the_check_catches_a_missing_explanation_and_a_dangling_reference(clause_text, tmp_path):
    good = (TRAINING / "09-qiangzhi-baogao.md").read_text(encoding="utf-8")
    lines = good.split("\n")
    first = next(i for i, line in enumerate(lines) if line.startswith("> 解析"))
    missing = tmp_path / "09-qiangzhi-baogao.md"
    missing.write_text("\n".join(lines[:first] + lines[first + 1:]), encoding="utf-8")
    with pytest.raises(AssertionError, match="has no '> 解析"):
        test_every_question_has_an_explanation_unless_listed(missing)
    dangling = tmp_path / "09-dangling.md"
    dangling.write_text(good.replace("[[weichengnianren-baohu-fa:a11]]", "[[weichengnianren-baohu-fa:a999]]"),
                        encoding="utf-8")
    with pytest.raises(AssertionError, match="does not resolve"):
        test_every_explanation_cites_resolving_clauses_and_quotes_them_verbatim(dangling, clause_text)
