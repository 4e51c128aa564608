"""From a parsed query to a plan the ranker runs: concepts with their equivalents and counts,
exact strings, citations and the documents they point into.

* a **concept** is one query word with its equivalents: the reviewed synonyms and abbreviations
  (content/search/synonyms.txt), for a single character the most frequent words starting with
  it, and for a word the index never saw whole, its dictionary parts (all required);
* the **whole** query (without quotes, of any length) and its unquoted runs of 3+ characters
  (**verbatim**) are exact strings — every clause holding the whole query is a result, as in a
  substring scan, whatever the segmenter made of the text (儿童 inside 儿童福利机构, a pasted
  fragment that cuts words in half) — the whole query even when it holds a 第X条 or a 文号;
* a pasted passage that is *nearly* verbatim (two words swapped, a character missing or added,
  other punctuation) is planned as **near**: its characters without punctuation, their
  trigrams (``near_grams``) and a few windows to look up; the ranker puts clauses holding most
  of those trigrams (``NEAR_COVER``) right after the verbatim matches;
* **phrases** (quoted) are required substrings;
* words found nowhere in the library are listed in ``missing`` (the page says 未找到‘…’).
"""
from __future__ import annotations

import fnmatch
import functools
import math
import re
import sqlite3
from dataclasses import dataclass, field

from portal.content.citations import CN_NUMERALS
from portal.search import jurisdiction, phrasing, tokenizer
from portal.search.query import STOPWORDS, ParsedQuery, statute_words, synonyms

FTS_TERM = re.compile(r"^[0-9a-z\u3400-\u9fff\uf900-\ufaff]+$")
NEAR_MIN = 10             # characters (punctuation aside) from which a query may be a pasted passage
NEAR_WINDOW, NEAR_STEP, NEAR_LOOKUPS = 5, 4, 8   # windows looked up for a near-verbatim passage
NON_WORD = re.compile(r"[^0-9a-z\u3400-\u9fff\uf900-\ufaff]+")
MAX_EXPANSIONS = 6        # words a single character stands for (迁 → 迁移, 迁入 …)
SYNONYM_WEIGHT = 0.6
EXPANSION_WEIGHT = 0.5      # a statute's words for how a question was worded (phrasing.txt): below the words as typed
APART_WORDS = 2           # a query of at most this many words: a clause holding every one ranks above the rest
PIECES_WEIGHT = 0.3         # an equivalent's words held apart, not as written
# A typed word held whole by fewer clauses than this is searched by its dictionary parts too: 立遗嘱 (2
# clauses) is the everyday verb for what the statute writes 通过遗嘱指定 (民法典第二十九条).
RARE_WHOLE = 3
# … and so is one held whole by a tenth of the clauses holding its rarest part or fewer (立遗嘱 beside 遗嘱:
# in a larger library the compound is in more clauses, its parts in many more)
PARTS_RATIO = 10
PARTS_UP_TO = 500     # a word more clauses hold whole than this is searched as typed only (no parts looked up)


def fts_quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


@dataclass
class Concept:
    word: str
    terms: tuple[str, ...]            # the word and its equivalents (any one matches)
    parts: tuple[str, ...] = ()       # the word's parts, when it is not indexed whole (all match)
    df: int = 0                       # clauses holding it (an upper bound for equivalents)
    idf: float = 0.0
    strong: int = 1                   # the first ``strong`` terms count fully (the word, the statutes' words for it)
    expanded: int = 0                 # the last ``expanded`` terms come from phrasing.txt (EXPANSION_WEIGHT)
    pieces: dict[str, tuple[str, ...]] = field(default_factory=dict)  # an equivalent not indexed whole: its words
    negated: dict[str, str] = field(default_factory=dict)  # a term → the library's word negating it (``NEGATIONS``)

    def fts(self) -> str:
        alts = [fts_quote(t) for t in self.terms if FTS_TERM.match(t) and t not in self.pieces]
        alts += ["(" + " AND ".join(fts_quote(p) for p in ps) + ")" for ps in self.pieces.values()]
        if self.parts:
            alts.append("(" + " AND ".join(fts_quote(p) for p in self.parts) + ")")
        return "(" + " OR ".join(alts) + ")" if alts else ""

    def weight_in(self, hay: str) -> float:
        """How often the concept occurs in ``hay`` (lower-cased text); equivalents count less, and
        the statutes' words for how a question was worded only in a clause holding none of the rest
        (they reach the article that does not use the typed word; they never outweigh one that does)."""
        tf = 0.0
        plain = len(self.terms) - self.expanded
        for i, t in enumerate(self.terms[:plain]):
            n = self._count(t, hay)
            if n:
                tf += n if i < self.strong else SYNONYM_WEIGHT * n
        if not tf and self.parts and all(p in hay for p in self.parts):
            tf = 0.8
        if not tf and self.expanded:
            tf = EXPANSION_WEIGHT * sum(self._count(t, hay) for t in self.terms[plain:])
        return tf

    def held_in(self, hay: str) -> bool:
        """Whether ``hay`` holds the word or an equivalent as a substring scan finds it (成年人 inside
        未成年人 too): what decides which clauses hold every word, before how well they score."""
        return any(t in hay for t in self.terms[:len(self.terms) - self.expanded])

    def _count(self, term: str, hay: str) -> float:
        n = hay.count(term)
        if n and term in self.negated:  # 成年人 inside 未成年人 is its opposite, not an occurrence
            n -= hay.count(self.negated[term])
        if n and (term[0] in NUMERALS or term[-1] in NUMERALS):  # 十五岁 inside 三十五岁 is another number
            n = len(_numeral_bounded(term).findall(hay))
        if not n and term in self.pieces and all(p in hay for p in self.pieces[term]):
            return PIECES_WEIGHT  # its words apart (what the word index matched): a clause holding something of it
        return n


@dataclass
class QueryPlan:
    concepts: list[Concept] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)      # required substrings (normalised, lower)
    whole: str = ""                                        # the whole query as an exact string
    verbatim: list[str] = field(default_factory=list)     # its runs between spaces and quotes
    wenhao: list[str] = field(default_factory=list)       # 文号 keys
    numbered_docs: list[str] = field(default_factory=list)  # documents whose own 文号 was typed
    citations: list[str] = field(default_factory=list)
    cited_texts: list[str] = field(default_factory=list)  # the citations as statutes write them (marked)
    cited_docs: list[str] = field(default_factory=list)   # documents named beside a citation
    titled_docs: list[str] = field(default_factory=list)  # documents named by 《title》
    near: str = ""                                         # a long query's characters, punctuation left out
    near_grams: frozenset[str] = frozenset()               # … its trigrams
    near_windows: list[str] = field(default_factory=list)  # … and pieces of it looked up
    highlight: set[str] = field(default_factory=set)
    missing: list[str] = field(default_factory=list)      # words found nowhere
    clauses: int = 0                                       # clauses in the index
    own_docs: frozenset[str] = frozenset()                 # the city's own documents (the 方案)
    idf_total: float = 0.0                                 # the concepts' idf, summed
    pairs: frozenset[str] = frozenset()                    # the query's character pairs (words and neighbours)
    defines: tuple[str, ...] = ()                          # 所称X / X，是指 for a question what X is
    asks_list: bool = False    # 谁可以 / 哪些 / 什么条件: the answer is a list (下列…：), scored on its items too
    apart: bool = False        # words typed apart (儿童 福利): a clause holding every one ranks above the rest
    loose: bool = False        # one everyday word (童工): held inside other words (儿童工作) it is no match
    tiers: dict[str, int] = field(default_factory=dict)   # doc → 0 the office's own in force, 1 an edition
    #                                                        no longer in force, 2 another place's, 3 both
    facts: dict[str, dict] = field(default_factory=dict)  # the documents' facts (which copy of a text is kept)

    @property
    def empty(self) -> bool:
        return not (self.concepts or self.phrases or self.whole or self.verbatim or self.wenhao or self.citations
                    or self.titled_docs)

    def cites(self, clause_id: str) -> bool:
        """Whether a citation points at ``clause_id`` (a8.*.3 stands for a8.1.3, a8.2.3 …)."""
        return clause_id in self.citations or any(
            "*" in c and fnmatch.fnmatchcase(clause_id, c) for c in self.citations)

    def words_fts(self, require_all: bool = False, concepts: list[Concept] | None = None) -> str:
        parts = [c.fts() for c in (self.concepts if concepts is None else concepts)]
        parts = [p for p in parts if p]
        return (" AND " if require_all else " OR ").join(parts)


class Vocabulary:
    """Term counts of one index generation, cached (the ``terms`` table)."""

    def __init__(self, clauses: int):
        self.clauses = max(1, clauses)
        self._df: dict[str, int] = {}
        self._of_facts: dict[tuple, object] = {}

    def of_facts(self, key: tuple, make):
        """What ``make`` derives from the generation's document facts (read only), made once: every
        query read the facts of each document (thousands in a grown library) to find the same tiers."""
        if key not in self._of_facts:
            self._of_facts[key] = make()
        return self._of_facts[key]

    def df(self, conn: sqlite3.Connection, term: str) -> int:
        n = self._df.get(term)
        if n is None:
            row = conn.execute("SELECT df FROM terms WHERE term = ?", (term,)).fetchone()
            n = self._df[term] = row[0] if row else 0
            if len(self._df) > 50_000:
                self._df.clear()
        return n

    def starting_with(self, conn: sqlite3.Connection, prefix: str, limit: int, longest: int = 4) -> list[tuple[str, int]]:
        rows = conn.execute("SELECT term, df FROM terms WHERE term > ? AND term < ? AND length(term) <= ? "
                            "ORDER BY df DESC LIMIT ?", (prefix, prefix + "\uffff", longest, limit)).fetchall()
        return [(t, n) for t, n in rows]

    def idf(self, df: int) -> float:
        return math.log(1 + (self.clauses - df + 0.5) / (df + 0.5))


# A word written with one of these before it is another word, its opposite (成年人 / 未成年人, 婚生子女 /
# 非婚生子女): the ranking counts a term's occurrences on the text, and every 未成年人 holds 成年人.
NEGATIONS = ("未", "非")


def _negated(conn: sqlite3.Connection, vocab: Vocabulary, terms: list[str]) -> dict[str, str]:
    """term → its negation, for the terms whose negation the library holds as a word."""
    out = {}
    for t in terms:
        for neg in NEGATIONS:
            if len(t) > 1 and not t.startswith(neg) and FTS_TERM.match(t) and vocab.df(conn, neg + t):
                out[t] = neg + t
                break
    return out


NUMERALS = frozenset(CN_NUMERALS + "万0123456789")
_NUM_CLASS = CN_NUMERALS + "万0-9"
AGE = re.compile(f"^([{_NUM_CLASS}]+)岁$")   # 十五岁 as typed; statutes write 十五周岁


@functools.lru_cache(maxsize=256)
def _numeral_bounded(term: str) -> re.Pattern:
    """``term`` where no numeral runs on before or after it (十五岁, not 三十五岁)."""
    before = f"(?<![{_NUM_CLASS}])" if term[0] in NUMERALS else ""
    after = f"(?![{_NUM_CLASS}])" if term[-1] in NUMERALS else ""
    return re.compile(before + re.escape(term) + after)


def _cover(word: str, vocab: Vocabulary, conn: sqlite3.Connection) -> tuple[str, ...]:
    """The longest dictionary parts that cover ``word``, when each is indexed (else ())."""
    pieces = [p for p in tokenizer.segmenter().cut_for_search(word) if p != word and len(p) > 1]
    pieces = [p for p in dict.fromkeys(pieces) if p not in STOPWORDS and FTS_TERM.match(p)]
    cover = tuple(p for p in pieces if not any(p != q and p in q for q in pieces))
    return cover if cover and all(vocab.df(conn, p) for p in cover) else ()


def _concept(conn: sqlite3.Connection, vocab: Vocabulary, word: str, extra: tuple[str, ...] = ()) -> Concept | None:
    """``extra``: the statutes' words for how the question was worded (phrasing.txt), weighed less."""
    strong = (word,) + statute_words(word)
    if len(strong) > 1 and not vocab.df(conn, word):  # 童工: by the statutes' words, not inside 儿童工作
        strong = strong[1:]
    terms = list(dict.fromkeys(strong + synonyms(word)))
    if AGE.match(word):  # an age as typed (十五岁) is written 十五周岁 in the statutes
        terms.append(word[:-1] + "周岁")
    if len(word) == 1 and word not in STOPWORDS:
        terms += [t for t, _ in vocab.starting_with(conn, word, MAX_EXPANSIONS) if t not in terms]
    extra = tuple(t for t in dict.fromkeys(extra) if t not in terms)
    df, df_extra, pieces = 0, 0, {}
    for i, t in enumerate(terms + list(extra)):
        n = vocab.df(conn, t) if FTS_TERM.match(t) else 0
        if not n and t != word and len(t) > 2:  # 互联网上网服务营业场所: the words it is indexed as
            cover = _cover(t, vocab, conn)
            if cover:
                pieces[t] = cover
                n = min(vocab.df(conn, p) for p in cover)
        if i < len(terms):
            df += n
        else:
            df_extra += n
    terms += extra
    parts: tuple[str, ...] = ()
    whole_df = vocab.df(conn, word)
    if len(word) > 2 and whole_df <= PARTS_UP_TO:
        parts = _cover(word, vocab, conn)
        part_df = min((vocab.df(conn, p) for p in parts), default=0)
        if parts and whole_df >= RARE_WHOLE and whole_df * PARTS_RATIO > part_df:
            parts = ()   # held whole about as often as its parts: the word as typed is what is meant
        if parts:
            df += part_df
    df = df or df_extra  # a word's rarity is its own (and its equivalents'), not its expansions'
    if not df:
        return Concept(word=word, terms=tuple(terms), df=0)
    return Concept(word=word, terms=tuple(terms), parts=parts, df=df, idf=vocab.idf(min(df, vocab.clauses)),
                   strong=len(dict.fromkeys(strong)), pieces=pieces, expanded=len(extra),
                   negated=_negated(conn, vocab, terms))


# A question whose answer is a list: who may, which ones, on what conditions (民法典第一千零九十四条
# 「下列个人、组织可以作送养人：」, 第一千零九十八条「收养人应当同时具备下列条件：」).
LIST_CUE = re.compile(r"谁可以|谁能|哪些人|哪些|什么条件|条件|什么情形|什么情况|哪几")
DEFINITION_CUE = re.compile(r"什么是|是什么|是指|什么叫|指的是|定义|含义|哪些属于|包括哪些|有哪些")
# a question asking what a word means (not what a list holds): the statutes' own words for it name the definition too
MEANING_CUE = re.compile(r"什么是|是指|什么叫|指的是|定义|含义")


def pairs(text: str, words: list[str]) -> frozenset[str]:
    """Character pairs of the query's words and of neighbouring words (不良 良行 行为 …): what a
    clause saying the same thing in the same order holds. Filler words (怎么, 哪些) break a run."""
    keep = set(words)
    out: set[str] = set()
    run = ""
    for w, _, _ in tokenizer.words(text):
        if w in keep and FTS_TERM.match(w) and not w.isascii():
            run += w
            continue
        out |= {run[i:i + 2] for i in range(len(run) - 1)}
        run = ""
    out |= {run[i:i + 2] for i in range(len(run) - 1)}
    return frozenset(out)


def _whole(text: str, shortest: int = 3) -> str:
    whole = " ".join(tokenizer.normalise(text).lower().split())
    return whole if len(whole) >= shortest and any(tokenizer.WORD_CHAR.match(ch) for ch in whole) else ""


def _chunks(text: str) -> list[str]:
    """Runs of 3+ characters between spaces and quotes, normalised and lower-cased."""
    out = []
    for piece in re.split(r"[\s\"“”「」『』＂'‘’]+", text):
        piece = tokenizer.normalise(piece).lower()
        if len(piece) >= 3 and any(tokenizer.WORD_CHAR.match(ch) for ch in piece):
            out.append(piece)
    return list(dict.fromkeys(out))[:5]


def trigrams(text: str) -> frozenset[str]:
    return frozenset(text[i:i + 3] for i in range(len(text) - 2))


def _near(whole: str) -> tuple[str, frozenset[str], list[str]]:
    """A long query as a near-verbatim passage: its characters without punctuation or spaces,
    their trigrams, and windows inside its runs (a window never spans a punctuation mark, so
    other punctuation in the clause does not hide it)."""
    near = NON_WORD.sub("", whole)
    if len(near) < NEAR_MIN:
        return "", frozenset(), []
    windows: list[str] = []
    for run in NON_WORD.split(whole):
        if len(run) < NEAR_WINDOW:
            continue
        starts = list(range(0, len(run) - NEAR_WINDOW + 1, NEAR_STEP))
        if starts[-1] != len(run) - NEAR_WINDOW:
            starts.append(len(run) - NEAR_WINDOW)
        windows += [run[i:i + NEAR_WINDOW] for i in starts]
    windows = list(dict.fromkeys(windows))
    if len(windows) > NEAR_LOOKUPS:  # spread over the whole passage
        windows = [windows[round(i * (len(windows) - 1) / (NEAR_LOOKUPS - 1))] for i in range(NEAR_LOOKUPS)]
    return near, trigrams(near), windows


def _named_docs(facts: dict[str, dict], names: list[str]) -> list[str]:
    """The documents whose title holds most of ``names`` (中华人民共和国未成年人保护法: the
    law, not every law whose title starts with 中华人民共和国)."""
    best, docs = 0, []
    for d, f in facts.items():
        title = (f.get("title") or "").lower()
        size = sum(len(t) for t in set(names) if t in title)
        if size and size > best:
            best, docs = size, [d]
        elif size and size == best:
            docs.append(d)
    return docs


OUTDATED = frozenset({"已修订", "已修正", "已废止", "失效", "已失效", "废止"})


def doc_tiers(facts: dict[str, dict], asked: frozenset[str]) -> dict[str, int]:
    """doc → its tier (0 is first): another place's rules (unless the query names the place) and
    texts no longer in force come after the office's own (``jurisdiction``)."""
    out = {}
    for d, f in facts.items():
        tier = 2 * jurisdiction.rank(f.get("jurisdiction") or "", asked) + (f.get("validity") in OUTDATED)
        if tier:
            out[d] = tier
    return out


def _defines(pq: ParsedQuery, concepts: list[Concept]) -> tuple[str, ...]:
    """For a question what a thing is, how the clause defining it starts: each word, and the
    question's words together (严重不良行为有哪些: 本法所称严重不良行为); for one asking what a word
    means, its reviewed equivalents too (家暴是指哪些行为: 本法所称家庭暴力). An everyday word typed alone
    (义工) asks the same of the statutes' words for it (本条例所称志愿服务，是指志愿者…)."""
    if len(concepts) == 1 and len(pq.words) == 1 and concepts[0].terms[0] != concepts[0].word:
        c = concepts[0]
        return tuple(f for t in c.terms[:c.strong] if len(t) > 1 for f in (f"所称{t}", f"{t}，是指", f"{t}是指"))
    if not DEFINITION_CUE.search(pq.text):
        return ()
    named = [c.word for c in concepts if len(c.word) > 1] + phrasing.asked(pq.rest)
    if MEANING_CUE.search(pq.text):
        named += [t for c in concepts for t in c.terms[:len(c.terms) - c.expanded] if len(t) > 1]
    return tuple(f for w in dict.fromkeys(named) for f in (f"所称{w}", f"{w}，是指", f"{w}是指"))


def make_query_plan(pq: ParsedQuery, conn: sqlite3.Connection, vocab: Vocabulary, facts: dict[str, dict],
              verbatim_text: str) -> QueryPlan:
    """The plan for ``pq``; ``verbatim_text`` is the query without its 文号, citations and
    《titles》 (those are planned on their own)."""
    plan = QueryPlan(clauses=vocab.clauses, citations=list(pq.citations), wenhao=list(pq.wenhao),
                cited_texts=[t.lower() for t in pq.citation_texts if len(t) >= 3])
    for p in pq.phrase_texts:
        norm = tokenizer.normalise(p.strip()).lower()
        if norm:
            plan.phrases.append(norm)
            plan.highlight.add(norm)
    for ws in pq.phrases:
        plan.highlight.update(ws)
    words, extra = phrasing.attach(pq.rest, pq.words, phrasing.matches(pq.rest, phrasing.entries()))
    words = phrasing.without_single(words)
    for w in words:
        c = _concept(conn, vocab, w, extra.get(w, ()))
        if c is None:
            continue
        if c.df == 0:
            plan.missing.append(w)
            continue
        plan.concepts.append(c)
        plan.highlight.update(c.terms)
        plan.highlight.update(c.parts)
    plan.idf_total = sum(c.idf for c in plan.concepts)
    plan.apart = len(pq.unquoted.split()) > 1 or len(plan.concepts) <= APART_WORDS
    plan.loose = len(pq.words) == 1 and not pq.phrases and bool(statute_words(pq.words[0]))
    plan.pairs = pairs(pq.rest, pq.words)
    plan.defines = _defines(pq, plan.concepts)
    plan.asks_list = bool(LIST_CUE.search(pq.text))
    plan.whole = _whole(pq.unquoted, shortest=1)  # 儿童, 童: every clause holding it, like a scan
    # the passage without its 文号, citations and 《titles》 (a query read as a citation is none)
    if len(plan.whole) >= 3 and not pq.phrase_texts and not pq.citations:
        plan.near, plan.near_grams, plan.near_windows = _near(_whole(verbatim_text))
    plan.verbatim = [v for v in _chunks(verbatim_text) if v not in plan.phrases and v != plan.whole]
    plan.numbered_docs = [d for d, f in facts.items() if set(pq.wenhao) & set(f.get("numbers") or ())] if pq.wenhao else []
    asked = jurisdiction.places_named(pq.words)
    plan.tiers = vocab.of_facts(("tiers", id(facts), asked), lambda: doc_tiers(facts, asked))
    plan.facts = facts
    plan.own_docs = vocab.of_facts(("own", id(facts)), lambda: frozenset(
        d for d, f in facts.items() if not jurisdiction.own(f.get("jurisdiction") or "")))
    titles = [tokenizer.normalise(t).lower() for t in pq.doc_titles]
    if titles:
        plan.titled_docs = [d for d, f in facts.items()
                            if any(t in tokenizer.normalise(f.get("title") or "").lower() for t in titles)]
        for t in pq.doc_titles:
            plan.highlight.update(w for w, _, _ in tokenizer.words(t))
    if plan.citations:
        names = [t for w in pq.words if len(w) > 1 and w not in STOPWORDS for t in (w, *synonyms(w)) if len(t) > 1]
        plan.cited_docs = plan.titled_docs or _named_docs(facts, names)
    return plan
