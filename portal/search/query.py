"""The query language, as a civil servant types it — parsed into plain parts, never raising.

* several words rank by relevance (the engine ORs them with a coordination boost);
* ``"quoted phrases"`` (ASCII or Chinese quotes, 「」『』) must match exactly;
* a 文号 matches however its brackets were typed: 晋民发〔2021〕42号 = 晋民发[2021]42号 =
  晋民发【2021】42号 = 晋民发(2021)42号 = 晋民发2021 42号 …; so does an order's number
  (民政部令第63号 = 民政部63号令, 国务院令第674号);
* clause citations — 三（一）2, 三(二)8, 四（二）, 第八条, 第二章, 第八条第（三）项, 第十二条第三款 (its
  article) — become clause ids, in numerals or digits alike (第一千零九十八条 = 第1098条: the digit
  form is searched as the numeral form statutes write); a 《document title》 next to one says which
  document;
* question words, frames and filler (怎么, 如何, 哪些, 能不能, 的, 了, 吗 …) are dropped (``phrasing``);
* query syntax (AND OR NOT * ? ~ ^ field:) is plain text: index queries are built, never parsed.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from portal.content import citations
from portal.limits import SEARCH_BOX
from portal.search import phrasing, tokenizer

MAX_QUERY_CHARS = SEARCH_BOX  # what the boxes send by GET; a longer text is posted and cut here, saying so
MAX_WORDS = 24
SYNONYMS_NAME = "synonyms.txt"  # in tokenizer.search_dir(), beside the user dictionary
COLLOQUIAL_NAME = "colloquial.txt"  # everyday word → the statutes' words (one direction), same folder

STOPWORDS = frozenset("""
怎么 怎么样 怎样 怎么办 如何 哪些 哪个 哪里 哪儿 什么 什么样 为什么 为何 是否 是不是 有没有 能不能
可不可以 多少 几 谁 吗 呢 吧 啊 呀 嘛 么 的 地 得 了 着 过 和 与 及 以及 或 或者 在 是 有 要 我 我们
你 您 他 她 它 他们 请问 请 一下 能 能否 可以 应该 需要 该 这 那 这个 那个 这些 那些 关于 有关 相关
规定 什么时候 何时 办 做 去 到 给 把 被 让 就 都 也 还 又 对 从 向 以 为 将 之 其 等 个 些 啦 哦 嗯
以后 之后 以前 之前 之间
and or not the a an of to in
""".split())

CN = "[一二三四五六七八九十百千零〇两]"

QUOTE_PAIRS = {'"': '"', "“": "”", "”": "“", "「": "」", "『": "』", "＂": "＂", "'": "'", "‘": "’"}
# 文号: issuer prefix, year in any (or no) brackets, number, 号 — or an order's number, which has
# no year: 民政部令第63号, 国务院令第674号, 主席令第四十三号 (also said 民政部第63号令).
WENHAO_RE = re.compile(
    r"([\u4e00-\u9fff]{1,12}?)\s*[〔\[【(（［{〈<]?\s*((?:19|20)\d{2})\s*[〕\]】)）］}〉>年]?\s*第?\s*(\d{1,4})\s*号"
    rf"|([\u4e00-\u9fff]{{1,11}}?令)\s*第?\s*(\d{{1,5}}|{CN}+)\s*号"
    rf"|([\u4e00-\u9fff]{{1,11}}?)\s*第?\s*(\d{{1,5}}|{CN}+)\s*号令")
ORDER_SHORTEST = 3   # an order's keys share 3+ characters of its issuer (民政部令 and 公安部令 share only 部令)
CLAUSE_RE = re.compile(
    rf"({CN}+)\s*[、.．]?\s*[（(]\s*({CN}+)\s*[）)]\s*(\d{{1,2}}(?!\d))?"          # 三（一）2 / 四（二）
    rf"|第\s*({CN}+|\d+)\s*条(?:之({CN}+))?(?:\s*第?\s*({CN}+|\d+)\s*款)?"      # 第八条（之一）（第二款）
    rf"(?:\s*第?\s*[（(]?\s*({CN}+|\d+)\s*[）)]?\s*项)?"                           # （第（三）项）
    rf"|第\s*({CN}+|\d+)\s*章")
TITLE_RE = re.compile(r"《([^《》]{1,80})》")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


def cn_to_int(text: str) -> int:
    """An article, chapter or item number as typed (八, 一千零九十八, 1098) → 1098; -1 if it is no
    number. The one reading is ``portal.content.citations.cn_to_int`` (the importers' too)."""
    try:
        return citations.cn_to_int(text)
    except ValueError:
        return -1


def wenhao_keys(prefix: str, year: str, number: str | int) -> list[str]:
    """Index/query keys for a 文号: the trailing 2..6 characters of the issuer prefix, so
    晋民发 and 省民政厅晋民发 share keys; more shared characters rank higher. An order's number
    (no year) keeps 3+ characters: 民政部令第63号 is not 公安部令第63号."""
    prefix = re.sub(r"\s+", "", prefix)
    number = str(int(number))
    shortest = 2 if year else min(ORDER_SHORTEST, len(prefix))
    keys = [f"{prefix[-k:]}{year}n{number}" for k in range(shortest, min(len(prefix), 6) + 1)]
    return keys or [f"{prefix}{year}n{number}"]


def _wenhao_match_keys(m: re.Match) -> list[str]:
    if m.group(1):
        return wenhao_keys(m.group(1), m.group(2), m.group(3))
    issuer, number = (m.group(4), m.group(5)) if m.group(4) else (m.group(6) + "令", m.group(7))  # 民政部第63号令
    number = cn_to_int(number)
    return wenhao_keys(issuer, "", number) if number > 0 else []


def wenhaos_in(text: str) -> list[str]:
    keys: list[str] = []
    for m in WENHAO_RE.finditer(tokenizer.normalise(text or "")):
        keys += _wenhao_match_keys(m)
    return keys


def same_wenhao(a: str, b: str) -> bool:
    """Whether two texts name the same 文号, however its brackets were typed, one issuer possibly
    written out longer than the other (省民政厅晋民发〔2021〕42号 = 晋民发[2021]42号): the shorter
    issuer's longest key is one of the longer one's keys."""
    def numbers(text: str) -> list[list[str]]:
        return [ks for m in WENHAO_RE.finditer(tokenizer.normalise(text or "")) if (ks := _wenhao_match_keys(m))]

    in_a, in_b = numbers(a), numbers(b)
    keys_a, keys_b = {k for ks in in_a for k in ks}, {k for ks in in_b for k in ks}
    return any(ks[-1] in keys_b for ks in in_a) or any(ks[-1] in keys_a for ks in in_b)


def _load_synonyms(path: Path) -> dict[str, tuple[str, ...]]:
    groups: dict[str, set[str]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            words = [w.lower() for w in re.split(r"[\s,，/、]+", line) if w]
            for w in words:
                groups.setdefault(w, set()).update(x for x in words if x != w)
    return {w: tuple(sorted(s)) for w, s in groups.items()}


def read_colloquial(path: Path) -> list[tuple[int, str, tuple[str, ...], tuple[str, ...]]]:
    """(line number, everyday word, the statutes' words, where they are written) per entry."""
    out = []
    if path.exists():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cols = [c.strip() for c in line.split("\t")]
            word, targets = cols[0].lower(), tuple(t.lower() for t in (cols[1] if len(cols) > 1 else "").split())
            out.append((n, word, targets, tuple((cols[2] if len(cols) > 2 else "").split())))
    return out


_synonyms: tuple[int, dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]] | None = None
# (tokenizer.generation(), synonym groups, everyday words)


def _loaded() -> tuple[int, dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    global _synonyms
    loaded = _synonyms
    if loaded is None or loaded[0] != tokenizer.generation():
        folder = tokenizer.search_dir()
        colloquial: dict[str, tuple[str, ...]] = {}
        for _, word, targets, _ in read_colloquial(folder / COLLOQUIAL_NAME):
            colloquial[word] = tuple(dict.fromkeys(colloquial.get(word, ()) + targets))
        loaded = _synonyms = (tokenizer.generation(), _load_synonyms(folder / SYNONYMS_NAME), colloquial)
    return loaded


def synonyms(word: str) -> tuple[str, ...]:
    """The reviewed equivalents of ``word`` (the content folder's search/synonyms.txt), the
    statutes' words for an everyday one (search/colloquial.txt) first."""
    _, groups, colloquial = _loaded()
    return tuple(dict.fromkeys(colloquial.get(word, ()) + groups.get(word, ())))


def everyday_words() -> frozenset[str]:
    """Every word the reviewed synonyms and everyday words read (for pinyin typed for them)."""
    _, groups, colloquial = _loaded()
    return frozenset(groups) | frozenset(colloquial)


def statute_words(word: str) -> tuple[str, ...]:
    """The statutes' words for an everyday word (search/colloquial.txt): 网吧 → 互联网上网服务营业场所."""
    return _loaded()[2].get(word, ())


@dataclass
class ParsedQuery:
    text: str                       # the cleaned query (what was searched for)
    phrases: list[list[str]] = field(default_factory=list)   # each: main words, in order
    phrase_texts: list[str] = field(default_factory=list)    # the phrases as typed (cleaned)
    words: list[str] = field(default_factory=list)           # free words, stopwords removed
    wenhao: list[str] = field(default_factory=list)          # 文号 keys
    citations: list[str] = field(default_factory=list)       # clause ids (a8.*.3: any 款's third item)
    citation_texts: list[str] = field(default_factory=list)  # … as statutes write them (第一千零九十八条)
    doc_titles: list[str] = field(default_factory=list)      # 《…》 titles named in the query
    unquoted: str = ""              # the text without its quoted phrases (normalised)
    rest: str = ""                  # … and without 文号, citations and 《titles》
    notice: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.phrases or self.words or self.wenhao or self.citations or self.doc_titles or self.as_typed)

    @property
    def as_typed(self) -> bool:
        """Filler words only (规定的, 怎么办), yet 2+ characters to find as typed: a substring scan
        would find them, so the search does too (a lone 的 is no query)."""
        bare = "".join(self.unquoted.split())
        return len(bare) >= 2 and bool(tokenizer.WORD_CHAR.search(bare))


def clean(raw) -> tuple[str, str | None]:
    """Any input → a printable single-line string of at most MAX_QUERY_CHARS, plus a notice."""
    if raw is None:
        return "", None
    text = str(raw)
    text = CONTROL_RE.sub(" ", text)
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    text = re.sub(r"\s+", " ", text).strip()
    notice = None
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS].rstrip()
        notice = f"查询词过长，只按前 {MAX_QUERY_CHARS} 个字查找"
    return text, notice


def _citations(text: str) -> tuple[list[str], list[str], str]:
    """Clause ids cited in ``text``, the citations as written, and the text without them."""
    ids: list[str] = []
    written: list[str] = []

    def found(m: re.Match) -> str:
        written.append(re.sub(r"\s+", "", m.group(0)))
        if m.group(1):
            top, sub = cn_to_int(m.group(1)), cn_to_int(m.group(2))
            if top > 0 and sub > 0:
                ids.append(f"{top}.{sub}" + (f".{int(m.group(3))}" if m.group(3) else ""))
        elif m.group(4):
            art = cn_to_int(m.group(4))
            inserted = cn_to_int(m.group(5)) if m.group(5) else -1   # 第十七条之一: the article a17-1
            para = cn_to_int(m.group(6)) if m.group(6) else -1
            item = cn_to_int(m.group(7)) if m.group(7) else -1
            article = f"a{art}" + (f"-{inserted}" if inserted > 0 else "")
            if art > 0 and item > 0 and para > 0:
                ids.append(f"{article}.{para}.{item}")
            elif art > 0 and item > 0:  # 第八条第（三）项: an item of the article, or of one of its 款
                ids.extend((f"{article}.{item}", f"{article}.*.{item}"))
            elif art > 0:  # a 款 alone is no clause of its own: its article is
                ids.append(article)
        elif m.group(8):
            ch = cn_to_int(m.group(8))
            if ch > 0:
                ids.append(f"ch{ch}")
        return " "

    rest = CLAUSE_RE.sub(found, text)
    return ids, written, rest


CITATION_REST = 8    # word characters besides its citations and law names a query may have to be a citation
LAW_NAME = re.compile(r"(?:法|法典|条例|办法|规定|细则|决定|中华人民共和国)$")
AFTER_CITATION = re.compile(r"[\s，,。.；;：:、！!？?）)]|$")


def citation_query(text: str, rest: str) -> bool:
    """Whether the citations in ``text`` are what the query asks for (民法典第1098条, 《…》第八条,
    三（一）2 家庭寄养) rather than words of a pasted sentence (…由价格 第五条规定…): each stands
    free on its right (the end, a space or a punctuation mark, not the next word), and little else
    is typed beside them."""
    for m in CLAUSE_RE.finditer(text):
        if not AFTER_CITATION.match(text, m.end()):
            return False
    words = [w for w, _, _ in tokenizer.words(rest) if w not in STOPWORDS and not LAW_NAME.search(w)]
    return sum(len(w) for w in words) <= CITATION_REST


def _as_written(m: re.Match) -> str:
    """A 第N条/第N款/第N项/第N章 reference with its digits written as statutes write them
    (第1098条 → 第一千零九十八条), so the digit form is searched exactly as the numeral form is."""
    if m.group(1):
        return m.group(0)
    return re.sub(r"\d+", lambda d: citations.int_to_cn(int(d.group(0))) if 0 < int(d.group(0)) < 10_000
                  else d.group(0), m.group(0))


def _phrases(text: str) -> tuple[list[str], str]:
    """Pull out quoted phrases; an unmatched quote is dropped, its text kept as words."""
    out, rest, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch in QUOTE_PAIRS:
            close = QUOTE_PAIRS[ch]
            j = text.find(close, i + 1)
            if ch == "”":
                j = -1  # a closing quote first: stray
            if j > i:
                out.append(text[i + 1:j])
                rest.append(" ")
                i = j + 1
                continue
            rest.append(" ")
        else:
            rest.append(ch)
        i += 1
    return [p for p in out if p.strip()], "".join(rest)


def _words(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for w, _, _ in tokenizer.words(text):
        if w not in STOPWORDS and not (len(w) == 1 and not w.isalnum()):
            seen.setdefault(w, None)
    return list(seen)


def parse(raw) -> ParsedQuery:
    text, notice = clean(raw)
    q = ParsedQuery(text=text, notice=notice)
    if not text:
        return q
    rest = text
    phrase_texts, rest = _phrases(rest)
    for p in phrase_texts:
        p = p.strip()
        ws = [w for w, _, _ in tokenizer.words(p)]
        if ws:
            q.phrases.append(ws)
            q.phrase_texts.append(p)
    norm = CLAUSE_RE.sub(_as_written, tokenizer.normalise(rest))
    q.unquoted = norm

    def wenhao(m: re.Match) -> str:
        q.wenhao.extend(_wenhao_match_keys(m))
        return " "

    norm = WENHAO_RE.sub(wenhao, norm)
    q.doc_titles = [t.strip() for t in TITLE_RE.findall(norm) if t.strip()]
    norm = TITLE_RE.sub(" ", norm)
    ids, written, rest = _citations(norm)
    if ids and citation_query(norm, rest):
        q.citations, q.citation_texts, norm = ids, written, rest
    q.rest = norm
    q.words = _words(phrasing.plain_question(norm))[:MAX_WORDS]  # 能不能开网吧: 开 网吧, not 不能
    q.phrases = q.phrases[:8]
    return q


def highlight_terms(q: ParsedQuery) -> set[str]:
    terms = set(q.words)
    for w in q.words:
        terms.update(synonyms(w))
    for ws in q.phrases:
        terms.update(ws)
    return {t for t in terms if t}
