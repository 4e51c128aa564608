"""Find citations of other regulations in policy text, and resolve them.

Pure functions only. A citation is one of:

* ``《title》`` optionally followed by its 文号 in brackets and/or an article:
  ``《儿童福利机构管理办法》第八条``, ``《…意见》（晋民发〔2021〕42号）``;
* a bare 文号 such as ``晋民发〔2021〕42号`` — also when typed with ``[ ]``, ``【 】``,
  ``( )`` or ``（ ）`` instead of ``〔 〕``; it is normalised to ``〔 〕``;
* a register phrase (a name the register lists for a regulation that is cited
  without 《》, e.g. 残疾儿童康复救助制度).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

CN_NUMERALS = "零〇一二三四五六七八九十百千两"
_NUM = rf"[{CN_NUMERALS}0-9０-９]+"

TITLE_RE = re.compile(r"《(?P<title>[^《》\n]{2,100})》")
NUMBER_BODY = (
    r"(?P<prefix>[\u4e00-\u9fff]{1,12}?)\s*[〔\[【(（]\s*(?P<year>(?:19|20)\d{2})\s*[〕\]】)）]"
    r"\s*第?\s*(?P<seq>\d{1,5})\s*号"
)
NUMBER_RE = re.compile(NUMBER_BODY)
# Greedy variant for bare numbers in running text: the prefix is trimmed afterwards.
BARE_NUMBER_RE = re.compile(NUMBER_BODY.replace("{1,12}?", "{1,12}"))
# The 文号 right after a title: 《…》（晋民发〔2021〕42号）
AFTER_TITLE_NUMBER_RE = re.compile(r"\s*[（(]\s*" + NUMBER_BODY + r"\s*[）)]")
# 第十七条之一 (an article an amendment inserted after 第十七条) is an article of its own
ARTICLE_RE = re.compile(
    rf"\s*第(?P<art>{_NUM})条(?:之(?P<ins>[{CN_NUMERALS}]+))?(?:第(?P<para>{_NUM})款)?(?:第[（(]?(?P<item>{_NUM})[）)]?项)?"
)
# Words that often run into a bare 文号 from the left ("根据晋民发〔2021〕42号").
LEAD_WORDS = ("根据", "按照", "依据", "依照", "贯彻", "落实", "印发", "转发", "执行", "参照", "结合",
              "对照", "关于", "通过", "见", "的", "和", "及", "与", "或", "、", "经")


@dataclass(frozen=True)
class Citation:
    start: int
    end: int
    text: str  # as written
    title: str = ""
    number: str = ""  # normalised 文号 (〔〕 brackets)
    article: int | None = None
    item: int | None = None
    kind: str = "title"  # "title", "number" or "phrase"
    paragraph: int | None = None  # 第X款
    inserted: int | None = None  # 之N of 第十七条之一

    @property
    def clause(self) -> str:
        """The statute clause id this citation points at ('' for the whole document): a8, a8.2.3
        (第八条第二款第三项), a8.3 (第八条第三项: resolved against the document's items), a17-1
        (第十七条之一)."""
        if self.article is None:
            return ""
        article = f"a{self.article}" + (f"-{self.inserted}" if self.inserted else "")
        if self.item and self.paragraph:
            return f"{article}.{self.paragraph}.{self.item}"
        return article + (f".{self.item}" if self.item else "")


_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_ASCII_DIGITS = re.compile(r"[0-9]+")


def cn_to_int(numeral: str) -> int:
    """The one reading of an article, chapter or item number, as statutes and people write it:
    一百零五 → 105, 十二 → 12, 一十二 → 12, 二十 → 20, 一千零九十八 → 1098, 两百 → 200,
    一〇九八 → 1098 (digit by digit), 8 / ８ → 8. Raises ValueError for anything else: units out
    of order or repeated (十十, 十百), a digit without its unit (二百五), a trailing or doubled 零."""
    numeral = numeral.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if _ASCII_DIGITS.fullmatch(numeral):
        return int(numeral)
    if not numeral or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in numeral):
        raise ValueError(f"not a Chinese numeral: {numeral!r}")
    if not any(ch in _CN_UNITS for ch in numeral):  # 八, 一〇九八: digit by digit
        return _digit_by_digit(numeral)
    return _positional(numeral)


def _not_a_numeral(numeral: str) -> ValueError:
    return ValueError(f"not a Chinese numeral: {numeral!r}")


def _digit_by_digit(numeral: str) -> int:
    """八, 一〇九八: each character one digit, no unit written."""
    if len(numeral) > 1 and (numeral[0] in "零〇" or "两" in numeral):
        raise _not_a_numeral(numeral)
    return int("".join(str(_CN_DIGITS[ch]) for ch in numeral))


def _positional(numeral: str) -> int:
    """一百零五, 十二, 两百: digits with their units, units strictly falling."""
    total, digit, unit, zero = 0, None, 10_000, False
    for ch in numeral:
        if ch in _CN_UNITS:
            value = _CN_UNITS[ch]
            if digit is None and total == 0 and value == 10 and not zero:
                digit = 1  # 十二: the leading 一 is not written
            if digit is None or digit == 0 or value >= unit:
                raise _not_a_numeral(numeral)
            total, digit, unit, zero = total + digit * value, None, value, False
        elif _CN_DIGITS[ch] == 0:  # 零 marks a skipped unit: between two written digits only
            if zero or digit is not None or total == 0:
                raise _not_a_numeral(numeral)
            zero = True
        elif digit is not None:
            raise _not_a_numeral(numeral)
        else:
            digit = _CN_DIGITS[ch]
    if digit is None:
        if zero:
            raise _not_a_numeral(numeral)
        return total
    if unit > 10 and not zero:  # 二百五: colloquial for 250, never how a number is cited
        raise _not_a_numeral(numeral)
    return total + digit


def int_to_cn(n: int) -> str:
    """1..9999 as Chinese numerals the way statutes write them: 105 → 一百零五, 110 → 一百一十."""
    if not 0 < n < 10000:
        raise ValueError(f"cannot write {n} in Chinese numerals")
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n - 10] if n > 10 else "")
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, value)
        if d:
            if zero and out:
                out += "零"
            out += digits[d] + unit
            zero = False
        else:
            zero = bool(out)
    return out


def normalise_number(prefix: str, year: str, seq: str) -> str:
    return f"{prefix}〔{year}〕{int(seq)}号"


def normalise_title(title: str) -> str:
    return re.sub(r"\s+", "", title)


def _trim_prefix(prefix: str, known_numbers: Iterable[str], year: str, seq: str) -> str:
    for known in known_numbers:
        m = NUMBER_RE.fullmatch(known)
        if m and (m["year"], int(m["seq"])) == (year, int(seq)) and prefix.endswith(m["prefix"]):
            return m["prefix"]
    changed = True
    while changed and len(prefix) > 2:
        changed = False
        for word in LEAD_WORDS:
            if prefix.startswith(word) and len(prefix) - len(word) >= 2:
                prefix = prefix[len(word):]
                changed = True
    return prefix


def _article(text: str, pos: int) -> tuple[int | None, int | None, int, int | None, int | None]:
    """(article, item, end, 款, 之N) of the article cited at ``pos``, or Nones and ``pos``."""
    m = ARTICLE_RE.match(text, pos)
    if not m:
        return None, None, pos, None, None
    try:
        art = cn_to_int(m["art"])
        item = cn_to_int(m["item"]) if m["item"] else None
        para = cn_to_int(m["para"]) if m["para"] else None
        inserted = cn_to_int(m["ins"]) if m["ins"] else None
    except ValueError:
        return None, None, pos, None, None
    return art, item, m.end(), para, inserted


def find_citations(text: str, known_numbers: Iterable[str] = (), phrases: Iterable[str] = ()) -> list[Citation]:
    """Every citation in `text`, in order, non-overlapping."""
    known_numbers = list(known_numbers)
    found: list[Citation] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for m in TITLE_RE.finditer(text):
        end, number = m.end(), ""
        nm = AFTER_TITLE_NUMBER_RE.match(text, end)
        if nm:
            number, end = normalise_number(nm["prefix"], nm["year"], nm["seq"]), nm.end()
        art, item, art_end, para, inserted = _article(text, end)
        if art is not None:
            end = art_end
        found.append(Citation(m.start(), end, text[m.start():end], title=normalise_title(m["title"]),
                              number=number, article=art, item=item, kind="title", paragraph=para,
                              inserted=inserted))
        taken.append((m.start(), end))
    # a 文号 ends in 号: most clauses have none, and the bare-number pattern's long prefix makes scanning
    # a clause for it the costliest step of a library sync (31,000 clauses of 300 laws: 0.8 s)
    for m in (BARE_NUMBER_RE.finditer(text) if "号" in text else ()):
        prefix = _trim_prefix(m["prefix"], known_numbers, m["year"], m["seq"])
        start = m.end("prefix") - len(prefix)
        if not free(start, m.end()):
            continue
        found.append(Citation(start, m.end(), text[start:m.end()],
                              number=normalise_number(prefix, m["year"], m["seq"]), kind="number"))
        taken.append((start, m.end()))
    for phrase in sorted({p for p in phrases if p}, key=len, reverse=True):
        for m in (re.finditer(re.escape(phrase), text) if phrase in text else ()):
            if free(m.start(), m.end()):
                found.append(Citation(m.start(), m.end(), phrase, title=phrase, kind="phrase"))
                taken.append((m.start(), m.end()))
    return sorted(found, key=lambda c: c.start)


# ---------------------------------------------------------------- resolving


@dataclass(frozen=True)
class LibraryEntry:
    """A document whose full text is in the library."""

    doc_id: str
    title: str
    number: str = ""
    short_title: str = ""
    # (edition, effective date) of each version, when the library holds several; the current last
    editions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RegisterEntry:
    key: str
    title: str
    number: str = ""
    aliases: tuple[str, ...] = ()
    document: str = ""  # doc_id of its full text, when an admin named it


@dataclass(frozen=True)
class Target:
    register_key: str | None  # the register entry, when there is one
    doc_id: str | None  # the library document, when its full text is imported
    clause: str | None  # the clause in that document (a8, a8.3), when the citation names one
    edition: str | None = None  # an earlier version in force at the citing document's date (None: current)
    note: str = ""  # why the link may not be the one meant (said on the page)
    candidates: tuple[str, ...] = ()  # documents an ambiguous title could mean

    @property
    def resolved(self) -> bool:
        return bool(self.register_key or self.doc_id)


def edition_in_force(editions: tuple[tuple[str, str], ...], at: str | None) -> tuple[str | None, str]:
    """The version of a law in force on `at` (YYYY-MM-DD): (edition or None for the current
    one, a note when the choice is not certain)."""
    if len(editions) < 2:
        return None, ""
    if not at:
        return None, "引用文件未载明日期，无法确定所指版本，链接到现行版本"
    in_force = [e for e, effective in editions if (effective or e) <= at]
    if not in_force:
        return editions[0][0], "引用文件日期早于该法各版本的施行日期，链接到最早的版本"
    chosen = in_force[-1]
    return (None if chosen == editions[-1][0] else chosen), ""


@dataclass
class Resolver:
    documents: list[LibraryEntry] = field(default_factory=list)
    register: list[RegisterEntry] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._doc_by_title: dict[str, list[str]] = {}
        self._doc_by_number = {}
        self._editions = {d.doc_id: d.editions for d in self.documents}
        for d in self.documents:
            for t in (d.title, d.short_title):
                if t:
                    ids = self._doc_by_title.setdefault(normalise_title(t), [])
                    if d.doc_id not in ids:
                        ids.append(d.doc_id)
            if d.number:
                self._doc_by_number.setdefault(d.number, d.doc_id)
        self._reg_by_title, self._reg_by_number, self._reg_by_doc = {}, {}, {}
        for r in self.register:
            for t in (r.title, *r.aliases):
                if t:
                    self._reg_by_title.setdefault(normalise_title(t), r.key)
            if r.number:
                self._reg_by_number.setdefault(r.number, r.key)
            if r.document:
                self._reg_by_doc.setdefault(r.document, r.key)
        self._reg = {r.key: r for r in self.register}

    @property
    def known_numbers(self) -> list[str]:
        return [n for n in [*self._doc_by_number, *self._reg_by_number] if n]

    @property
    def phrases(self) -> list[str]:
        return [a for r in self.register for a in r.aliases]

    def find(self, text: str) -> list[Citation]:
        return find_citations(text, self.known_numbers, self.phrases)

    def resolve(self, c: Citation, at: str | None = None) -> Target:
        """Where a citation points; `at` is the citing document's date (the version in force then)."""
        title = normalise_title(c.title) if c.title else ""
        key = (self._reg_by_number.get(c.number) if c.number else None) or (
            self._reg_by_title.get(title) if title else None)
        doc = self._doc_by_number.get(c.number) if c.number else None
        candidates: tuple[str, ...] = ()
        if doc is None and title:
            ids = self._doc_by_title.get(title, [])
            if len(ids) == 1:
                doc = ids[0]
            elif len(ids) > 1:
                candidates = tuple(sorted(ids))
        if doc is None and not candidates and key is not None and self._reg[key].document:
            doc = self._reg[key].document
        if candidates:
            return Target(key, None, None, note="有多个文件使用此名称，未自动选择", candidates=candidates)
        if key is None and doc is not None:
            key = self._reg_by_doc.get(doc)
        edition, note = edition_in_force(self._editions.get(doc, ()), at) if doc else (None, "")
        return Target(key, doc, c.clause or None if doc else None, edition, note)
