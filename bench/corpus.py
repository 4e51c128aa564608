"""Real statute text for the search benchmark, grown past what is real by recombining real sentences.

* ``real_articles()`` — the statutes the product ships in ``content/policy/`` (every document
  except the 方案, one record per 条), then every national law in force that a published
  collection holds and the product does not ship (``bench/national.py``: ~21,600 articles).
* ``grown(articles, n, seed)`` — ``n`` articles: the real ones first, then new articles made of
  runs of real clauses (the pieces between ，；。：) taken from random real articles, so word
  frequencies, sentence shapes and mid-word cuts stay those of real statutes (only past the
  real ones: at 80,000 articles).
* ``known_items(records, ...)`` — a fixed-seed sample of articles, each with a fragment of 8–14
  characters that occurs in that article only, and 2–3 of its rarest words.

The same seed gives the same corpus and the same queries, so runs compare.
"""
from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTENT_POLICY = ROOT / "content" / "policy"
FANGAN_ID = "yunmin-2021-74"
PIECE_RE = re.compile(r"[^，；。：！？]*[，；。：！？]?")
SEED = 20211230
OTHER_PLACES = ("山东省", "上海市", "河北省", "德州市", "江苏省", "广东省")


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    h, r = divmod(n, 100)
    rest = "" if r == 0 else ("零" + _cn(r) if r < 10 else ("一" + _cn(r) if r < 20 else _cn(r)))
    return digits[h] + "百" + rest


def _from_content() -> list[dict]:
    from portal.content.library import load_document
    from portal.search.records import records_from_document

    out: list[dict] = []
    for path in sorted(CONTENT_POLICY.glob("*.md")):
        if path.stem == FANGAN_ID or "@" in path.stem:  # the 方案, earlier versions of a law
            continue
        doc = load_document(path, path.name)
        if doc.problems:
            continue
        out += [r.__dict__ for r in records_from_document(doc.parsed) if r.clause_id.startswith("a")]
    return out


def shipped_records() -> list[dict]:
    """Every clause of every shipped document in its current version (what the judged sets name)."""
    from portal.content.library import load_document
    from portal.search.records import records_from_document

    out: list[dict] = []
    for path in sorted(CONTENT_POLICY.glob("*.md")):
        if "@" not in path.stem:
            doc = load_document(path, path.name)
            if not doc.problems:
                out += [r.__dict__ for r in records_from_document(doc.parsed)]
    return out


def edition_records() -> list[dict]:
    """The earlier editions' records as the portal indexes them (``portal.search.editions``: the
    articles an earlier edition words differently from the text in force, titled with its date,
    marked 已修订), from the ``<id>@<edition>.md`` files beside each current text."""
    from datetime import date
    from types import SimpleNamespace

    from portal.content.library import load_document
    from portal.search.editions import edition_records as of_document

    out: list[dict] = []
    for path in sorted(CONTENT_POLICY.glob("*@*.md")):
        current_path = CONTENT_POLICY / f"{path.stem.split('@')[0]}.md"
        old, cur = load_document(path, path.name), load_document(current_path, current_path.name)
        if old.problems or cur.problems or old.layout != "statute":
            continue
        meta = cur.parsed.meta

        def edition(doc, current: bool):
            m = doc.parsed.meta
            return SimpleNamespace(current=current, active=True, markdown=doc.text, title=m.get("title", ""),
                                   edition=m.get("edition", ""), status=m.get("status", ""), source_file=doc.file,
                                   edition_date=date.fromisoformat(m["edition"]) if m.get("edition") else None)

        doc = SimpleNamespace(layout="statute", doc_id=meta["id"], title=meta.get("title", ""),
                              number=meta.get("number", ""), short_title=meta.get("short_title", ""),
                              issuers=list(meta.get("issuers") or []),
                              editions=[edition(old, False), edition(cur, True)])
        out += [r.__dict__ for r in of_document(doc)]
    return out


@dataclass
class RealText:
    articles: list[dict]   # the shipped statutes' articles, then the national laws'
    shipped: int           # how many of ``articles`` are the shipped statutes'
    source: str            # where they came from, for the report


def real_articles() -> RealText:
    """The shipped statutes' articles, then the national laws' the product does not ship."""
    from bench import national

    shipped = _from_content()
    if not shipped:
        raise SystemExit("no statutes in content/policy: the search benchmark needs the shipped library")
    laws = national.current_articles({r["doc_title"] for r in shipped_records()}, SEED)
    return RealText(shipped + laws, len(shipped),
                    f"content/policy ({len({r['doc_id'] for r in shipped})} statutes) and "
                    f"{len({r['doc_id'] for r in laws})} national laws in force ({national.PIN}, "
                    f"{len(laws):,} articles)")


def national_editions(records: list[dict]) -> list[dict]:
    """The earlier versions' changed articles of the national laws among ``records``."""
    from bench import national

    return national.edition_records({r["doc_title"] for r in shipped_records()}, {r["doc_id"] for r in records})


def grown(articles: list[dict], n: int, seed: int = SEED, shipped: int = 0) -> list[dict]:
    """``n`` articles: the real ones, then recombinations of their clauses. The first ``shipped``
    articles (the statutes the product ships, which the judged sets' answers are) lend their clauses
    only to grown documents of other provinces: a province's rules restate national law, while a
    national document made of the shipped laws' sentences is one no real library holds — it held a
    question's answer sentence among others and outranked the answer (docs/GAPS.md)."""
    rnd = random.Random(seed)
    out = [dict(a) for a in articles[:n]]
    pieces = [[p for p in PIECE_RE.findall(a["text"].replace("\n", "")) if p] for a in articles]
    national = [p for p in pieces[shipped:] if p] or [p for p in pieces if p]
    pieces = [p for p in pieces if p]
    titles = sorted({a["doc_title"] for a in articles})
    chapters = sorted({a["title"] for a in articles if a.get("title")}) or [""]
    doc_no, art_no = 0, 0
    while len(out) < n:
        if art_no == 0 or art_no >= 120:
            doc_no, art_no = doc_no + 1, 0
            title = rnd.choice(titles)
            if doc_no % 2:  # every other one another province's local rules (ranked after the office's own)
                title = OTHER_PLACES[doc_no % len(OTHER_PLACES)] + title.removeprefix("中华人民共和国")
            doc_id, doc_title = f"grown-{doc_no:04d}", f"{title}（汇编{doc_no}）"
        art_no += 1
        pool = pieces if doc_no % 2 else national
        size = len(rnd.choice(pool))
        text: list[str] = []
        while len(text) < size:
            src = rnd.choice(pool)
            i = rnd.randrange(len(src))
            text += src[i:i + rnd.randint(1, 3)]
        label = f"第{_cn(art_no)}条"
        out.append({"doc_id": doc_id, "doc_title": doc_title, "clause_id": f"a{art_no}", "label": label,
                    "title": rnd.choice(chapters), "text": f"{label} {''.join(text[:size])}",
                    "url": f"/policy/{doc_id}#a{art_no}", "validity": "现行有效", "doc_number": ""})
    return out


LABEL_RE = re.compile(r"^第[一二三四五六七八九十百零〇\d]+[条章节款项编]$")


def _unique_fragment(rnd: random.Random, text: str, texts: list[str]) -> str | None:
    """An 8–14 character piece of ``text`` on one line that no other text holds (8 tries)."""
    for _ in range(8):
        size = rnd.randint(8, 14)
        start = rnd.randrange(0, len(text) - size)
        cand = text[start:start + size]
        if "\n" not in cand and cand.strip() == cand and sum(1 for t in texts if cand in t) == 1:
            return cand
    return None


def _rare_words(text: str, df: Counter, want: int) -> list[str]:
    """Up to ``want`` of the text's rarest words, each from a different clause while clauses last."""
    from portal.search import tokenizer
    from portal.search.query import STOPWORDS

    pieces = [p for p in PIECE_RE.findall(text.replace("\n", "")) if p]
    where = {}
    for n, piece in enumerate(pieces):
        for w, _, _ in tokenizer.words(piece):
            where.setdefault(w, n)
    cands = sorted((w for w in where if len(w) >= 2 and not w.isdigit() and w not in STOPWORDS
                    and not LABEL_RE.match(w)), key=lambda w: (df[w], w))
    words: list[str] = []
    for w in cands:  # rarest first, one per clause while clauses last
        if where[w] not in {where[x] for x in words} or len({where[x] for x in cands}) < want:
            words.append(w)
        if len(words) == want:
            break
    return words


def word_df(texts: list[str]) -> Counter:
    """How many of ``texts`` hold each word of 2+ characters (as the segmenter cuts them)."""
    from portal.search import tokenizer

    df: Counter = Counter()
    for t in texts:
        df.update({w for w, _, _ in tokenizer.words(t) if len(w) >= 2})
    return df


def known_items(records: list[dict], samples: int = 300, seed: int = SEED,
                df: Counter | None = None) -> Iterator[dict]:
    """Up to ``samples`` articles with a unique 8–14 character fragment and 2–3 rare words.

    Yields {"index", "fragment", "words"}: ``index`` is the record's position in ``records``.
    The fragment is cut at random (it may start or end mid-word, hold punctuation) from one
    paragraph and occurs in no other article. The words are the article's rarest (fewest
    articles hold them), each from a different clause of it where it has several — how someone
    recalls an article by two or three of its facts; its own label (第十九条) is not one.
    """
    rnd = random.Random(seed)
    texts = [r["text"] for r in records]
    order = list(range(len(records)))
    rnd.shuffle(order)
    made = 0
    for i in order:
        if made >= samples:
            return
        text = texts[i]
        if len(text) < 30:
            continue
        fragment = _unique_fragment(rnd, text, texts)
        if fragment is None:
            continue
        if df is None:
            df = word_df(texts)
        words = _rare_words(text, df, rnd.randint(2, 3))
        if len(words) < 2:
            continue
        made += 1
        yield {"index": i, "fragment": fragment, "words": " ".join(words)}


def edition_fragments(records: list[dict], samples: int = 100, seed: int = SEED) -> Iterator[dict]:
    """Up to ``samples`` earlier-edition articles (doc id ``<id>@<edition>``), each with a fragment of
    8–14 characters found in that article only: a sentence pasted from an older text of a law.
    Yields {"index", "fragment"}."""
    rnd = random.Random(seed)
    texts = [r["text"] for r in records]
    order = [i for i, r in enumerate(records) if "@" in r["doc_id"]]
    rnd.shuffle(order)
    made = 0
    for i in order:
        if made >= samples:
            return
        text = texts[i]
        if len(text) < 30:
            continue
        for _ in range(8):
            size = rnd.randint(8, 14)
            start = rnd.randrange(0, len(text) - size)
            cand = text[start:start + size]
            # no white space: the index folds 　 into a space, and a grown article's label is followed by one
            if not any(ch.isspace() for ch in cand) and sum(1 for t in texts if cand in t) == 1:
                made += 1
                yield {"index": i, "fragment": cand}
                break
