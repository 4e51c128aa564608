"""Running a plan: bounded candidates from the two indexes, confirmed and ranked on the text.

Candidates come from cheap index lookups whose cost follows the *rare* parts of the query:
exact substrings (the character index, confirmed against the stored text), cited clauses and
文号, the word index's best BM25 matches for *all* words, and for the rarer words alone. Every
candidate is then ranked on its own text, in this order:

1. clauses holding the whole query as typed (a pasted fragment, even one holding a 第X条);
2. for a long query not found as typed, clauses holding most of its trigrams (punctuation
   aside): a pasted passage with two words swapped or a character missing or added, ranked by
   how much of it they hold (before a citation: a pasted 第十七条 heading names every law's);
2a. the clause a citation (三（一）2, 第九十二条, 《…》第八条) points at;
3. clauses holding more of the query's runs between spaces;
4. clauses naming the typed 文号;
5. clauses holding a query word (synonyms counting); among them the office's own rules (the 方案,
   national law, 山西 and 运城's) in force before another province's local rules or an edition no
   longer in force (``plan.tiers``); for a question asking what a thing is (什么是不良行为), the clause
   defining it (本法所称不良行为); articles before chapter headings; the city's own (运城: the 方案)
   before a statute scoring about as well (``OWN_BONUS``);
6. one score: BM25 computed on the candidate's text (word rarity, frequency, length — holding more
   of the query's words, rare words weighing more), plus the share of the query's character pairs
   it holds (``PAIR_WEIGHT``: its words in the query's order and neighbours), plus the largest
   share of the query's words one sentence of it holds (``CLOSE_WEIGHT``: a clause answering a
   question says it in one sentence; one holding the words scattered over unrelated sentences does
   not). How many words a clause holds is not a rank of its own above the score: a question's
   filler and near-synonyms (防止 for 防治) are missing from the article that answers it, while a
   long clause made of many topics holds them all.

A query matching at most ``SMALL`` candidates is ranked whole; one matching more is ordered in
two tiers (``tiers``), so its first pages rank only the best few of each lookup. Either way
``run`` returns one order every page is a slice of (the engine keeps it for the next pages).
The total is exact while the words' counts are small (``EXACT_COUNT``) and estimated above.
"""
from __future__ import annotations

import re
import sqlite3

from portal.content.citations import CN_NUMERALS
from portal.search import copies, own_first, store
from portal.search.limits import CANDIDATES, EXACT_COUNT, MATCHED, PASTED, RANK_CAP, RARE_DF, TITLED
from portal.search.memo import Memo
from portal.search.query_plan import FTS_TERM, NON_WORD, QueryPlan, fts_quote
from portal.search.rows import Filters, Ranked, Row, id_bits, id_runs  # the first three re-exported (engine, lookups)
from portal.search.tiers import Tiers

NEAR_COVER = 0.6          # share of a long query's trigrams a clause holds to count as near-verbatim
PHRASE_CAP = 2000         # clauses confirmed for one quoted phrase
BOUNDED = 1000            # each lookup's limit when the query matches more (engine.MAX_WINDOW: all a user can page to)
FULL_WORDS = 600          # word postings up to which every clause holding a query word is ranked (exact total)
SHORT_TERMS = 1500        # trigrams a 1–2 character string may start for the character index to list them
SMALL = 300               # candidates up to which a query is ranked whole on every page (one tier)
BITMAP_FROM = 2000        # word matches from which ``word_matches`` keeps them as a bitmap (10 KB at 80,000 clauses)
K1, B = 1.2, 0.3          # BM25, with mild length normalisation
OWN_BONUS = 2.0           # added to the BM25 of the city's own documents (the 方案)
CLOSE_WEIGHT = 3.0        # the largest share of the query's words one sentence holds, added to its BM25
SECTION_SHARE = 0.85      # a section with paragraphs: the better of its own part's score and this share of its whole text's
PAIR_WEIGHT = 1.5         # the share of the query's character pairs a clause holds, added to its BM25
SENTENCE = re.compile(r"[。；;！？!?]")
HEADING = re.compile(r"^(?:ch|pt|sec|s)\d")   # a chapter or part heading: after the articles that answer
# An article's own number at its start (第五十九条　…) names it and says nothing of what it says: a query
# word 第五十九 that is not a citation (依照本法第五十九条规定… pasted) matches a clause citing that
# article, not every law's fifty-ninth. A citation is found by its own lookup (``_pointed``), not scored.
# (In ``hay`` it follows the chapter's title, then a space: 总则 第一条 为了…)
OWN_LABEL = re.compile(rf"(?:^|\s)第[{CN_NUMERALS}\d]+条(?:之[{CN_NUMERALS}]+)?(?=\s)")
LABEL_WITHIN = 60         # characters from the start an article's own number is looked for (after its title)

RANK_COLUMNS = "c.id, c.doc, c.clause_id, c.wenhao, c.title, c.body, c.own, c.twin"  # what ranking reads (hay: store.hay)
SHOW_COLUMNS = "c.id, c.label, c.title, c.body, c.doc_title, c.url, c.validity, c.depts"  # the page's rows
COPY_COLUMNS = "c.id, c.label, c.doc_title, c.url, c.validity"   # … and the copies listed under them


class Ranker:
    def __init__(self, conn: sqlite3.Connection, plan: QueryPlan, flt: Filters, avg_chars: float,
                 memo: Memo | None = None):
        self.conn, self.plan, self.flt = conn, plan, flt
        self.memo = memo if memo is not None else Memo(kept=64)   # the generation's (``memo``), or this query's
        self.fsql, self.fargs = flt.sql()
        self.avg = max(1.0, avg_chars)
        self.pasted = False
        self.complete = False   # every match ranked (``everything``): the total is exact
        self.found: dict[str, set[int]] = {}   # the whole query's lookup (``whole_matches``)
        self.cut = False        # a word lookup came back at its limit (more clauses match than ranked)
        self._memo: dict[tuple, set[int]] = {}   # lookups asked again by another path of the same query

    # -- lookups (each returns clause ids)

    def _words(self, expr: str, limit: int, ranked: bool = True) -> set[int]:
        if not expr:
            return set()
        order = " ORDER BY rank" if ranked else ""
        if self.fsql:
            sql = (f"SELECT w.rowid FROM words w JOIN clause c ON c.id = w.rowid WHERE w.words MATCH ?{self.fsql}"
                   f"{order} LIMIT ?")
        else:
            sql = f"SELECT rowid FROM words WHERE words MATCH ?{order} LIMIT ?"
        # a ranked lookup computes BM25 for every clause matching (a common word: thousands): kept
        found = self.memo.kept(("words", sql, expr, *self.fargs, limit),
                               lambda: {r[0] for r in self.conn.execute(sql, (expr, *self.fargs, limit))})
        self.cut = self.cut or len(found) >= limit
        return found

    def own_matches(self, expr: str, limit: int) -> set[int]:
        """The best word matches in the city's own documents (the 方案, ranked with ``OWN_BONUS``)."""
        docs = sorted(self.plan.own_docs)
        if not expr or not docs:
            return set()
        marks = ",".join("?" * len(docs))
        # Their clauses' range of ids bounds the word index's walk: without it BM25 is computed for
        # every clause holding a common word (14,000 at 80,000 articles: ~100 ms) to keep a few dozen.
        lo, hi = self.conn.execute(f"SELECT min(id), max(id) FROM clause WHERE doc IN ({marks})", docs).fetchone()
        if lo is None:
            return set()
        sql = (f"SELECT w.rowid FROM words w JOIN clause c ON c.id = w.rowid WHERE w.words MATCH ? "
               f"AND w.rowid BETWEEN ? AND ? AND c.doc IN ({marks}){self.fsql} ORDER BY rank LIMIT ?")
        args = (expr, lo, hi, *docs, *self.fargs, limit)
        return self.memo.kept(("own", *args), lambda: {r[0] for r in self.conn.execute(sql, args)})

    def word_matches(self, among: set[int]) -> tuple[int, set[int]]:
        """How many clauses (within the filters) hold a query word in their title or text — each
        holds something of the query, so the count is part of the total — and which of ``among``
        do (read over ``among``'s ranges of ids only)."""
        expr = "{title body} : (" + self.plan.words_fts() + ")"
        if self.fsql:
            base = f"FROM words w JOIN clause c ON c.id = w.rowid WHERE w.words MATCH ?{self.fsql}"
        else:
            base = "FROM words w WHERE w.words MATCH ?"
        count = self.count(f"SELECT count(*) {base}", (expr, *self.fargs))
        if not among or not count:
            return count, set()
        if count >= BITMAP_FROM:  # a common word: which clauses hold it, one bit each, read once (``memo``)
            def read() -> bytes:
                ids = self.conn.execute(f"SELECT group_concat(w.rowid) {base}", (expr, *self.fargs)).fetchone()[0]
                return id_bits(map(int, ids.split(","))) if ids else b""
            bits = self.memo.kept(("bits", base, expr, *self.fargs), read)
            return count, {i for i in among if (i >> 3) < len(bits) and bits[i >> 3] >> (i & 7) & 1}
        found: set[int] = set()
        for lo, hi in id_runs(among):
            ids = self.conn.execute(f"SELECT group_concat(w.rowid) {base} AND w.rowid BETWEEN ? AND ?",
                                    (expr, *self.fargs, lo, hi)).fetchone()[0]
            found |= set(map(int, ids.split(","))) if ids else set()
        return count, found & among

    def count(self, sql: str, args: tuple) -> int:
        """A count of the word index's matches (a common word's walks its whole list: kept)."""
        return self.memo.kept(("count", sql, *args), lambda: self.conn.execute(sql, args).fetchone()[0])

    def any_word(self) -> bool:
        """Whether a clause (within the filters) holds a query word (each such clause is a hit)."""
        if not self.plan.concepts:
            return False
        expr = "{title body} : (" + self.plan.words_fts() + ")"
        if self.fsql:
            sql = f"SELECT 1 FROM words w JOIN clause c ON c.id = w.rowid WHERE w.words MATCH ?{self.fsql} LIMIT 1"
        else:
            sql = "SELECT 1 FROM words WHERE words MATCH ? LIMIT 1"
        return self.conn.execute(sql, (expr, *self.fargs)).fetchone() is not None

    def _short(self, text: str) -> str:
        """A character-index query for a 1–2 character string: any trigram it starts (the indexed
        text is padded, so each character starts one); "" when they are too many to list."""
        return self.memo.kept(("short", text), lambda: self._list_short(text))  # walks the trigram vocabulary

    def _list_short(self, text: str) -> str:
        if not self.conn.execute("SELECT 1 FROM temp.sqlite_master WHERE name = 'chars_vocab'").fetchone():
            self.conn.execute("CREATE VIRTUAL TABLE temp.chars_vocab USING fts5vocab(chars, chars, 'row')")
        terms = [t for (t,) in self.conn.execute("SELECT term FROM temp.chars_vocab WHERE term >= ? AND term < ? "
                                                 "LIMIT ?", (text, text + "\U0010ffff", SHORT_TERMS + 1))]
        return " OR ".join(fts_quote(t) for t in terms) if len(terms) <= SHORT_TERMS else ""

    def substring(self, text: str, limit: int) -> set[int]:
        """Clauses that may hold ``text`` (confirmed later against the stored text)."""
        if len(text) < 3:
            expr = self._short(text)
            if not expr:  # a very common character: the word index's matches
                return self._words(fts_quote(text), limit, ranked=False) if FTS_TERM.match(text) else set()
        else:
            grams = list(dict.fromkeys(text[i:i + 3] for i in list(range(0, len(text) - 2, 2)) + [len(text) - 3]))
            expr = " AND ".join(fts_quote(g) for g in grams)
        if self.fsql:
            sql = (f"SELECT x.rowid FROM chars.chars x JOIN clause c ON c.id = x.rowid WHERE x.chars MATCH ?"
                   f"{self.fsql} LIMIT ?")
        else:
            sql = "SELECT rowid FROM chars.chars WHERE chars MATCH ? LIMIT ?"
        # a common string's first matches merge the lists of every trigram it starts: kept
        return self.memo.kept(("chars", sql, expr, *self.fargs, limit),
                              lambda: {r[0] for r in self.conn.execute(sql, (expr, *self.fargs, limit))})

    def holds(self, text: str) -> bool:
        """Whether any clause (within the filters) holds ``text``."""
        return any(text in r.hay for r in self.fetch(self.substring(text, 50)))

    def _where(self, cond: str, args: list, limit: int) -> set[int]:
        sql = f"SELECT c.id FROM clause c WHERE {cond}{self.fsql} ORDER BY c.id LIMIT ?"
        return {r[0] for r in self.conn.execute(sql, (*args, *self.fargs, limit))}

    def fetch(self, ids: set[int]) -> list[Row]:
        out: list[Row] = []
        ids_list = sorted(ids)
        for i in range(0, len(ids_list), 900):
            chunk = ids_list[i:i + 900]
            sql = f"SELECT {RANK_COLUMNS} FROM clause c WHERE c.id IN ({','.join('?' * len(chunk))}){self.fsql}"
            out += [Row(i, d, cid, wh, store.row_hay(t, b), own, tw)
                    for i, d, cid, wh, t, b, own, tw in self.conn.execute(sql, (*chunk, *self.fargs))]
        return out

    def same_text(self, rows: list[Row]) -> set[int]:
        """The clauses (within the filters) carrying the text of one of ``rows`` (``copies``)."""
        twins = sorted({r.twin for r in rows if r.twin})
        out: set[int] = set()
        for i in range(0, len(twins), 900):
            chunk = twins[i:i + 900]
            sql = f"SELECT c.id FROM clause c WHERE c.twin IN ({','.join('?' * len(chunk))}){self.fsql}"
            out.update(r[0] for r in self.conn.execute(sql, (*chunk, *self.fargs)))
        return out

    def show(self, rows: list[Row]) -> list[Row]:
        """Read what the page shows of ``rows``."""
        if rows:
            by_id = {r.id: r for r in rows}
            sql = f"SELECT {SHOW_COLUMNS} FROM clause c WHERE c.id IN ({','.join('?' * len(by_id))})"
            for i, *rest in self.conn.execute(sql, list(by_id)):
                r = by_id[i]
                r.label, r.title, r.body, r.doc_title, r.url, r.validity, r.depts = rest
                r.body = store.body_text(r.body)   # stored as UTF-16 (``store.body_blob``)
            copied = {c.id: c for r in rows for c in r.copies}   # their links only, not their text
            ids = list(copied)
            for n in range(0, len(ids), 900):
                chunk = ids[n:n + 900]
                sql = f"SELECT {COPY_COLUMNS} FROM clause c WHERE c.id IN ({','.join('?' * len(chunk))})"
                for i, *rest in self.conn.execute(sql, chunk):
                    c = copied[i]
                    c.label, c.doc_title, c.url, c.validity = rest
        return rows

    # -- the plan

    def _bounded(self, text: str) -> set[int] | None:
        """Every clause that may hold ``text``, or None when more than BOUNDED may (kept for
        ``candidates``: the whole query's matches are listed in full whenever they are few)."""
        found, complete = self.whole_matches(text)
        return found if complete else None

    def whole_matches(self, text: str) -> tuple[set[int], bool]:
        """The first ``BOUNDED`` clauses that may hold ``text``, and whether they are all of them
        (one lookup, whichever path asks)."""
        if text not in self.found:
            self.found[text] = self.substring(text, BOUNDED + 1)
        found = self.found[text]
        if len(found) <= BOUNDED:
            return found, True
        return set(sorted(found)[:BOUNDED]), False

    def everything(self) -> set[int] | None:
        """Every clause the query can match, when they are few: the whole query as a substring,
        citations, 文号 and each word (``FULL_WORDS`` postings at most; a pasted fragment: its
        rarer words' ``CANDIDATES`` best), and the first ``CANDIDATES`` holding each run or window. Ranking them all makes the total
        exact and every page a slice of one order (no clause lost between pages). None when the
        query matches more: then bounded lookups (``candidates``)."""
        plan = self.plan
        ids: set[int] = set()
        if plan.whole:
            found = self._bounded(plan.whole)
            if found is None:
                return None
            self.pasted = len(plan.whole) >= PASTED and bool(found)
            ids |= found
        ids |= self._fragments()  # parts of the query: their first matches (a fixed number)
        if self.pasted:
            rare = [c for c in plan.concepts if c.df <= RARE_DF]
            ids |= self._words(plan.words_fts(concepts=rare), CANDIDATES) if rare else set()
        elif sum(c.df for c in plan.concepts) > FULL_WORDS:
            return None
        else:
            ids |= self._words(plan.words_fts(), FULL_WORDS * 2, ranked=False)
        return ids | self._pointed()

    def _fragments(self) -> set[int]:
        """The query's verbatim parts and (unless pasted whole) its near-verbatim windows: first matches."""
        key = ("fragments", self.pasted)
        if key not in self._memo:
            self._memo[key] = self._fragment_lookups()
        return self._memo[key]

    def _fragment_lookups(self) -> set[int]:
        plan, ids = self.plan, set()
        for v in plan.verbatim:
            ids |= self.substring(v, CANDIDATES)
        if plan.near and not self.pasted:
            for w in plan.near_windows:
                ids |= self.substring(w, CANDIDATES)
        for d in plan.defines:  # 什么是不良行为: the clause defining it, however many clauses hold the words
            ids |= self.substring(d, CANDIDATES)
        return ids

    def _pointed(self, wenhao_limit: int = BOUNDED) -> set[int]:
        """Clauses a citation, a 文号 or a 《title》 points at (bounded by what they name)."""
        key = ("pointed", wenhao_limit)
        if key not in self._memo:
            self._memo[key] = self._pointed_lookups(wenhao_limit)
        return self._memo[key]

    def _pointed_lookups(self, wenhao_limit: int) -> set[int]:
        plan, ids = self.plan, set()
        if plan.citations:
            exact = [c for c in plan.citations if "*" not in c]
            items = [c for c in plan.citations if "*" in c]  # a8.*.3: the third item of any 款 of 第八条
            conds = [f"c.clause_id IN ({','.join('?' * len(exact))})"] if exact else []
            conds += ["c.clause_id GLOB ?"] * len(items)
            ids |= self._where(f"({' OR '.join(conds)})", exact + items, 500)
        if plan.wenhao:
            ids |= self._words(" OR ".join(f"keys : {fts_quote(w)}" for w in plan.wenhao), wenhao_limit, ranked=False)
            for d in plan.numbered_docs:
                ids |= self._where("c.doc = ?", [d], 3)
        if plan.titled_docs and not plan.concepts:
            for d in plan.titled_docs[:20]:
                ids |= self._where("c.doc = ?", [d], 5)
        return ids

    def candidates(self, depth: int) -> set[int]:
        # the same lookups whatever the page: every page is a slice of one order (``depth`` unused)
        plan, k = self.plan, BOUNDED
        ids: set[int] = set()
        if plan.whole:  # every clause holding it, when they are few (``everything`` looked)
            ids = set(self.whole_matches(plan.whole)[0])
            # a pasted fragment found as it is: the rest of the page is its rarer words' matches
            self.pasted = len(plan.whole) >= PASTED and bool(ids)
        ids |= self._fragments()
        ids |= self._pointed(k)
        concepts = sorted(plan.concepts, key=lambda c: c.df)
        if len(concepts) == 1:
            ids |= self._words(concepts[0].fts(), k, ranked=concepts[0].df <= RANK_CAP)
        elif concepts:
            if not self.pasted:
                ids |= self._words(plan.words_fts(require_all=True), k, ranked=concepts[0].df <= RANK_CAP)
            rare = [c for c in concepts if c.df <= RARE_DF]
            if rare:
                ids |= self._words(plan.words_fts(concepts=rare), CANDIDATES)
            if not self.pasted:  # then clauses holding some of the words (what the total counts)
                ids |= self._words(plan.words_fts(), k, ranked=sum(c.df for c in concepts) <= RANK_CAP)
        return ids

    def total(self, ranked: list[Row]) -> tuple[int, bool]:
        plan = self.plan
        expr = plan.words_fts()
        if not expr and not self.complete and plan.whole and len(self.found.get(plan.whole, ())) > BOUNDED:
            # only words too common to search for (规定, 或者) and held by more clauses than ranked
            return max(len(ranked), self.whole_count(plan.whole)), True
        if not expr or self.complete or not self.cut:  # every match ranked: the total is what the pages list
            return len(ranked), False
        if self.pasted and len(ranked) < CANDIDATES:  # every lookup came back short of its limit: all found
            return len(ranked), False
        word_rows = sum(1 for r in ranked if r.key[MATCHED] < 0)
        extra = len(ranked) - word_rows  # found by substring, citation or 文号 only
        upper = sum(c.df for c in plan.concepts)
        if upper <= EXACT_COUNT and not self.pasted:
            if self.fsql:
                sql = f"SELECT count(*) FROM clause c WHERE c.id IN (SELECT rowid FROM words WHERE words MATCH ?){self.fsql}"
            else:
                sql = "SELECT count(*) FROM words WHERE words MATCH ?"
            return max(self.count(sql, (expr, *self.fargs)) + extra, len(ranked)), False
        n = plan.clauses
        missing = 1.0
        for c in plan.concepts:
            missing *= max(0.0, 1 - min(c.df, n) / n)
        estimate = int(n * (1 - missing))
        if self.flt.active:
            estimate = max(word_rows, estimate // 4)
        return max(estimate + extra, len(ranked)), True

    def whole_count(self, text: str) -> int:
        """About how many clauses hold ``text``: those holding it as a word, else its trigrams (counting
        every trigram a common two-character string starts costs more than the query)."""
        row = self.conn.execute("SELECT df FROM terms WHERE term = ?", (text,)).fetchone()
        n = row[0] if row else 0
        if not n and len(text) >= 3:
            grams = " AND ".join(fts_quote(text[i:i + 3]) for i in range(len(text) - 2))
            n = self.count("SELECT count(*) FROM chars.chars WHERE chars MATCH ?", (grams,))
        return n // 4 if self.flt.active else n   # as for the words' estimate (``total``)

    def key(self, r: Row) -> tuple:
        plan = self.plan
        hay = r.hay
        cited = 0
        if plan.cites(r.clause_id):
            cited = 2 if (not plan.cited_docs or r.doc in plan.cited_docs) else 1
        exact = [plan.whole] if plan.whole else plan.phrases
        whole = 0
        if exact and not plan.loose and all(e in hay for e in exact):  # a section holding it in a paragraph only: after
            whole = 1 if r.own and not all(e in r.own for e in exact) else 2
        verbatim = sum(1 for v in plan.verbatim if v in hay)
        wenhao = 2 if plan.wenhao and set(r.wenhao.split()) & set(plan.wenhao) else (
            1 if r.doc in plan.numbered_docs else 0)
        # a section with paragraphs matches through them, but they are clauses of their own, ranked on
        # what they say: scored on its whole text it outscores each of them and a page shows the same
        # words twice (三（一）1 and its paragraph). A list's lead-in (下列条件：) keeps most of its items' score.
        matched, score = self.score(hay)
        if r.own:  # … unless a question asks for a list and the lead-in names it (下列…可以作送养人：)
            own_matched, own_score = self.score(r.own)
            score = max(own_score, score if plan.asks_list and own_matched else SECTION_SHARE * score)
        # holds a query word (2: every one of words typed apart); how many and how close together: the score
        cover = (2 if plan.apart and matched == len(plan.concepts) else 1) if matched else 0
        defines = 1 if plan.defines and any(d in hay for d in plan.defines) else 0
        heading = 1 if HEADING.match(r.clause_id) else 0
        titled = 1 if r.doc in plan.titled_docs else 0
        near = 0.0 if whole else self.near(hay)
        tier = plan.tiers.get(r.doc, 0)
        if r.doc in plan.own_docs:  # the city's own (the 方案) before a statute scoring about as well
            score += OWN_BONUS
        return (-whole, -near, -cited, -verbatim, -wenhao, -cover, tier, -defines, heading, -titled, -score, r.id)

    def score(self, text: str) -> tuple[int, float]:
        """(how many query words ``text`` holds, its score: BM25 + pairs + closeness). A word held only
        in the article's own number (``OWN_LABEL``) or inside another word (成年人 in 未成年人, 十四条 in
        第二十四条: ``Concept.weight_in`` does not count it) counts as held — a substring scan finds it
        there — and adds nothing to the score."""
        plan = self.plan
        matched, score = 0, 0.0
        whole = text
        label = OWN_LABEL.search(text, 0, LABEL_WITHIN)
        if label:
            text = text[:label.start()] + text[label.end():]
        norm = K1 * (1 - B + B * len(text) / self.avg)
        for c in plan.concepts:
            tf = c.weight_in(text)
            if tf:
                matched += 1
                score += c.idf * tf * (K1 + 1) / (tf + norm)
            elif c.held_in(whole):
                matched += 1   # held as a scan finds it, in its number or inside another word: no score
        if matched > 1:
            score += CLOSE_WEIGHT * self.closeness(text)
        if plan.pairs:  # the query's character pairs the clause holds: its words' order and neighbours
            score += PAIR_WEIGHT * sum(1 for p in plan.pairs if p in text) / len(plan.pairs)
        return matched, score

    def closeness(self, hay: str) -> float:
        """The largest share of the query's words (idf-weighted) one sentence of the clause holds."""
        plan = self.plan
        if len(plan.concepts) < 2 or not plan.idf_total:
            return 0.0
        best = 0.0
        for sent in SENTENCE.split(hay):
            if len(sent) < 2:
                continue
            held = sum(c.idf for c in plan.concepts if any(t in sent for t in c.terms))
            best = max(best, held)
        return best / plan.idf_total

    def near(self, hay: str) -> float:
        """The share of a long query's trigrams the clause holds, when it is at least NEAR_COVER."""
        grams = self.plan.near_grams
        if not grams or self.pasted:
            return 0.0
        text = NON_WORD.sub("", hay)
        cover = sum(1 for g in grams if g in text) / len(grams)
        return round(cover, 2) if cover >= NEAR_COVER else 0.0

    def run(self, depth: int) -> Ranked:
        """The order of the query's matches: ``rows`` is all of it when ``whole`` (the engine keeps
        it for the next pages), else the first ``depth`` rows of it (read from the head tier)."""
        plan = self.plan
        if plan.phrases:
            ids: set[int] | None = None
            for p in plan.phrases:
                found = self.substring(p, PHRASE_CAP)
                ids = found if ids is None else ids & found
            rows = self._ranked(self.fetch(ids or set()), confirm=False)
            rows = self.collapse([r for r in rows if all(p in r.hay for p in plan.phrases)])
            return Ranked(total=len(rows), estimated=len(ids or ()) >= PHRASE_CAP, rows=rows, whole=True)
        ids = self.everything()
        self.complete = ids is not None
        if not self.complete or len(ids) > SMALL:
            tiered = Tiers(self, ids).run(depth)
            if tiered is not None:
                total, estimated, rows, whole = tiered
                return Ranked(total=total, estimated=estimated, rows=rows, whole=whole)
            self.cut = False  # the head's lookups say nothing of the bounded ones below
        rows = self._ranked(self.fetch(ids if self.complete else self.candidates(depth)))
        total, estimated = self.total(rows)
        rows = self.collapse(rows)
        return Ranked(total=max(len(rows), total - copies.merged(rows)), estimated=estimated, rows=rows, whole=True)

    def collapse(self, rows: list[Row]) -> list[Row]:
        """The order a page is a slice of: ``rows`` with each text several documents hold shown once
        (``copies``), and the office's own text on the first screen (``own_first``)."""
        plan = self.plan
        rows = copies.collapse(rows, plan.tiers, plan.own_docs, plan.facts)
        return own_first.lift(rows, plan, lambda r: all(c.word in r.hay for c in plan.concepts))

    def _ranked(self, rows: list[Row], confirm: bool = True) -> list[Row]:
        """``rows`` with their keys, in rank order; only those holding something of the query."""
        for r in rows:
            r.key = self.key(r)
        if confirm:
            rows = [r for r in rows if any(k < 0 for k in r.key[:5]) or r.key[MATCHED] < 0 or r.key[TITLED] < 0]
        rows.sort(key=lambda r: r.key)
        return rows
