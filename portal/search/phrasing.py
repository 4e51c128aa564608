"""A question as people word it → the words a statute answering it uses (issue 22).

Two reviewed rules, both query-side only (no reindex):

* **question frames** are not what is asked: 能不能 / 收不收 / 是不是 (an A不A question) keep their
  verb once, and the question words a frame is made of (怎么办, 需要什么, 哪里, 谁, 吗 …) never become
  search words (``plain_question``) — so 能不能开网吧 searches 开 网吧, not 不能;
* **everyday phrasing** (``content/search/phrasing.txt``, reviewed content): a phrase found anywhere
  in the query (孩子, 上小学, 几岁, 低保, 条件, 多少钱) also searches the statutes' words for it
  (未成年人, 入学 义务教育, 周岁, 最低生活保障, 具备 符合, 标准) — at a lower weight than the words
  as typed (``query_plan.EXPANSION_WEIGHT``), so a question typed in the statute's own words ranks
  as before. Every statute word is quoted from a clause the file names (tests/search/test_colloquial.py).

``plain_question`` and ``matches``/``attach`` are pure; ``entries()`` reads the file once per
content folder generation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from portal.search import tokenizer

PHRASING_NAME = "phrasing.txt"   # in tokenizer.search_dir(), beside synonyms.txt and colloquial.txt

# 能不能 可不可以 收不收 会不会: the question's verb once (可不可以 → 可以, 收不收学费 → 收学费)
A_NOT_A = re.compile(r"([\u4e00-\u9fff]{1,2})不\1")
# question words and frames that ask, never say what is asked (longest first in the alternation)
FRAMES = ("什么时候", "什么情况下", "什么是", "什么叫", "是指什么", "指的是", "需要什么", "需要哪些", "要哪些", "有什么", "有哪些", "是什么", "是多少", "怎么办", "怎么样", "怎么",
          "怎么处理", "如何处理", "违法吗", "犯法吗", "合法吗",   # session 13: 处理, 违法 are asked, not what the answer says
          "怎样", "如何", "哪里", "哪儿", "哪些", "哪个", "什么", "为什么", "是否", "请问", "还能", "还可以", "谁")
# a particle that ends a question (吗, 呢 at the end or before punctuation; never 吧: 网吧, 酒吧)
FRAME_RE = re.compile("|".join(sorted(map(re.escape, FRAMES), key=len, reverse=True))
                      + r"|[吗呢嘛](?=[\s？?！!。，,]|$)")
RUN_BREAK = re.compile(r"[^\u3400-\u9fff]+")


@dataclass(frozen=True)
class Entry:
    line: int
    typed: tuple[str, ...]      # the ways people type it (孩子 小孩 儿童)
    words: tuple[str, ...]      # the statutes' words for it (未成年人)
    sources: tuple[str, ...]    # doc:clause where those words are written


def plain_question(text: str) -> str:
    """``text`` without what only makes it a question: A不A said once, question words as spaces.
    The words left are what is asked (学校周边能不能开网吧 → 学校周边 开网吧)."""
    text = A_NOT_A.sub(r"\1", text)
    return FRAME_RE.sub(" ", text)


def asked(text: str) -> list[str]:
    """The runs of a question left when its frames are gone (严重不良行为有哪些 → 严重不良行为): what a
    definition would name. Runs of 2–12 characters, a trailing 的 dropped."""
    runs = [r.removesuffix("的") for r in RUN_BREAK.split(plain_question(text))]
    return [r for r in runs if 2 <= len(r) <= 12]


def read(path: Path) -> list[Entry]:
    """The reviewed entries of a phrasing file: typed forms, statute words, sources (tab-separated
    columns; words within a column separated by spaces; # starts a comment line)."""
    out = []
    if path.exists():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cols = [c.strip() for c in line.split("\t")] + ["", ""]
            out.append(Entry(n, tuple(cols[0].lower().split()), tuple(cols[1].lower().split()),
                             tuple(cols[2].split())))
    return out


def matches(text: str, entries: list[Entry]) -> list[tuple[int, int, tuple[str, ...]]]:
    """(start, end, statute words) of each typed phrase found in ``text`` (lower-cased): the longest
    first, never overlapping, in the order of the text."""
    forms = sorted(((t, e.words) for e in entries for t in e.typed if t), key=lambda f: -len(f[0]))
    taken: list[tuple[int, int, tuple[str, ...]]] = []
    for form, words in forms:
        start = text.find(form)
        while start >= 0:
            end = start + len(form)
            if not any(s < end and start < e for s, e, _ in taken):
                taken.append((start, end, words))
            start = text.find(form, end)
    return sorted(taken)


def attach(text: str, words: list[str], found: list[tuple[int, int, tuple[str, ...]]]
           ) -> tuple[list[str], dict[str, tuple[str, ...]]]:
    """The query's search words and, per word, the statute words it also searches.

    A phrase inside one longer query word lends that word its statute words in its place (留守儿童 →
    留守未成年人, as 未成年人保护法 writes it). Its statute words go to the
    longest query word inside the phrase (上小学 → 小学 also
    searches 入学 义务教育); a phrase holding no word of two characters or more is a word of its own
    (几岁); a single character inside a phrase is part of it, not a word (上 of 上小学, 开 of 开网吧)."""
    spans = _spans(text, words)
    out = list(words)
    extra: dict[str, tuple[str, ...]] = {}
    for start, end, targets in found:
        around = [w for w, (s, e) in spans.items() if s <= start and end <= e and (s, e) != (start, end)]
        if around:  # part of one longer word: that word with the statute's words in its place (留守儿童 → 留守未成年人)
            w, form = around[0], text[start:end]
            extra[w] = tuple(dict.fromkeys(extra.get(w, ()) + tuple(w.replace(form, t) for t in targets)))
            continue
        inside = [w for w, (s, e) in spans.items() if start <= s and e <= end]
        heads = [w for w in inside if len(w) > 1]
        if heads:
            head = max(heads, key=len)
        else:
            head = text[start:end]
            if head not in out:
                out.append(head)
        extra[head] = tuple(dict.fromkeys(extra.get(head, ()) + tuple(t for t in targets if t not in words)))
        out = [w for w in out if not (len(w) == 1 and w in inside)]
    return out, extra


def without_single(words: list[str]) -> list[str]:
    """A question's single characters left out when two words of two or more remain: a lone 玩, 上,
    开 or 交 is the verb of an everyday phrase (玩网络游戏, 上户口), and searched alone it stands for
    every word starting with it (上 → 上级 上述 上网 …), pulling unrelated clauses in."""
    longer = [w for w in words if len(w) > 1]
    return longer if len(longer) >= 2 else words


def _spans(text: str, words: list[str]) -> dict[str, tuple[int, int]]:
    """Where each query word first stands in ``text``."""
    out: dict[str, tuple[int, int]] = {}
    for w in words:
        i = text.find(w)
        if i >= 0:
            out[w] = (i, i + len(w))
    return out


_loaded: tuple[int, list[Entry]] | None = None


def entries() -> list[Entry]:
    """The content folder's phrasing entries (re-read when the folder changes)."""
    global _loaded
    held = _loaded
    if held is None or held[0] != tokenizer.generation():
        held = _loaded = (tokenizer.generation(), read(tokenizer.search_dir() / PHRASING_NAME))
    return held[1]


def typed_forms() -> frozenset[str]:
    """Every everyday phrase the file reads (a typo correction leaves them as typed)."""
    return frozenset(t for e in entries() for t in e.typed)
