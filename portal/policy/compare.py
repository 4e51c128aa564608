"""对照版: two editions of a law side by side, article by article — added, removed, changed (with
the changed words marked) — and which articles changed between them (portal.policy.affected uses it).

Articles are paired by their text, not their number: an amendment that inserts an article
renumbers every article after it, and those are unchanged. Pure functions over library Markdown.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from portal.content.statute_doc import article_key, is_article_id, parse_statute

_LABEL_RE = re.compile(r"^\**\s*第[零〇一二三四五六七八九十百千两\d]+条(?:之[零〇一二三四五六七八九十百千两]+)?\**\s*")


@dataclass(frozen=True)
class Article:
    clause_id: str  # a12, a12-1 (第十二条之一)
    label: str  # 第十二条
    text: str  # without its 第X条

    @property
    def number(self) -> int:
        return article_key(self.clause_id)[0]


@dataclass
class Row:
    kind: str  # changed | added | removed | same
    old: Article | None = None
    new: Article | None = None
    old_html: Markup = Markup("")
    new_html: Markup = Markup("")

    @property
    def kind_label(self) -> str:
        return {"changed": "修改", "added": "新增", "removed": "删除", "same": "未变"}[self.kind]


@dataclass
class Comparison:
    rows: list[Row] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for r in self.rows if r.kind == kind)

    @property
    def changes(self) -> list[Row]:
        return [r for r in self.rows if r.kind != "same"]

    def changed_old_ids(self) -> set[str]:
        """Articles of the older edition whose text changed or that were removed (what a citation
        of the old text may no longer say)."""
        return {r.old.clause_id for r in self.rows if r.old is not None and r.kind in ("changed", "removed")}


def articles(markdown: str, name: str = "") -> list[Article]:
    """The articles (第X条) of an edition's library Markdown, each without its label."""
    parsed = parse_statute(markdown, name)
    out = []
    for c in parsed.clauses:
        if c.kind == "section" and is_article_id(c.id):
            text = re.sub(r"[ \u3000\t]+", "", _LABEL_RE.sub("", c.text.strip()))  # spacing carries no meaning
            out.append(Article(c.id, c.label, text.strip()))
    return out


def compare_editions(old_markdown: str, new_markdown: str) -> Comparison:
    return compare(articles(old_markdown), articles(new_markdown))


def changed_articles(old_markdown: str, new_markdown: str) -> set[str]:
    """``compare_editions(old, new).changed_old_ids()`` without pairing or marking words: an old article
    outside the runs of equal text is paired as changed or left as removed, either way it counts. (The
    search index asks this of every earlier edition in the library; the pairing was most of the work.)"""
    old, new = articles(old_markdown), articles(new_markdown)
    matcher = difflib.SequenceMatcher(None, [a.text for a in old], [a.text for a in new], autojunk=False)
    return {a.clause_id for op, i1, i2, _, _ in matcher.get_opcodes() if op != "equal" for a in old[i1:i2]}


def compare(old: list[Article], new: list[Article]) -> Comparison:
    """Pair the articles of two editions: equal text is the same article (renumbered or not);
    within a replaced run, articles are paired in order as changed, the rest added or removed."""
    result = Comparison()
    matcher = difflib.SequenceMatcher(None, [a.text for a in old], [a.text for a in new], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            result.rows += [Row("same", o, n) for o, n in zip(old[i1:i2], new[j1:j2], strict=True)]
            continue
        olds, news = old[i1:i2], new[j1:j2]
        for o, n in _pair(olds, news):
            if o is not None and n is not None:
                oh, nh = mark_words(o.text, n.text)
                result.rows.append(Row("changed", o, n, oh, nh))
            elif o is not None:
                result.rows.append(Row("removed", o, None, Markup("<del>%s</del>") % o.text))
            else:
                result.rows.append(Row("added", None, n, Markup(""), Markup("<ins>%s</ins>") % n.text))
    return result


def _pair(olds: list[Article], news: list[Article]) -> list[tuple[Article | None, Article | None]]:
    """In a replaced run, pair each old article with the most similar new one in order (a changed
    article); what has no counterpart similar enough was removed or added."""
    pairs: list[tuple[Article | None, Article | None]] = []
    j = 0
    for o in olds:
        best, best_ratio = None, 0.0
        for k in range(j, len(news)):
            ratio = difflib.SequenceMatcher(None, o.text, news[k].text, autojunk=False).quick_ratio()
            if ratio > best_ratio:
                best, best_ratio = k, ratio
        if best is not None and best_ratio >= 0.5:
            pairs += [(None, n) for n in news[j:best]] + [(o, news[best])]
            j = best + 1
        else:
            pairs.append((o, None))
    pairs += [(None, n) for n in news[j:]]
    return pairs


def mark_words(old: str, new: str) -> tuple[Markup, Markup]:
    """The two texts with what was taken out marked <del> and what was put in marked <ins>."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    left, right = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            left.append(escape(old[i1:i2]))
            right.append(escape(new[j1:j2]))
            continue
        if i2 > i1:
            left.append(Markup("<del>%s</del>") % old[i1:i2])
        if j2 > j1:
            right.append(Markup("<ins>%s</ins>") % new[j1:j2])
    return Markup("").join(left), Markup("").join(right)
