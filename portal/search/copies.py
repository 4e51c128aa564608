"""One article's text once: hits of several documents carrying the same text are one hit.

Local rules and 汇编 repeat national articles word for word, and an earlier edition's paragraph
may read as the edition in force does: a question then competes with copies of its own answer,
and a page can show the same words three times. The index keeps a fingerprint of each clause's
text (``fingerprint``: punctuation, white space and the leading 第X条 label left out) and the
ranked order keeps, for each text held by several documents, one hit — at the place of the
best-ranked of them — showing the most authoritative document's clause (``authority``), with the
others listed under it (``Row.copies``: 「另有N处相同条文」) — unless the query as typed tells them
apart (``same``: a fragment pasted with its 第X条, a citation, a 文号).

Most authoritative, in the order the ranking already uses for documents: the office's own tier
first (the 方案, national law, 山西 and 运城's before another province's; in force before an edition
no longer in force: ``QueryPlan.tiers``), then the city's own documents (the 方案), then 效力位阶
(法律, 行政法规, 部门规章, 地方性法规, 地方政府规章, 规范性文件, then one whose maker is not recorded),
then national before a place's own, then a document that is not a compilation (…汇编), then the earlier
issued, then the one the library indexed first. Two clauses of one document are never merged (two articles of a law saying the same
words are two articles).
"""
from __future__ import annotations

import hashlib
import re

from portal.policy.library_filter import RANKS
from portal.search import tokenizer
from portal.search.jurisdiction import NATIONAL
from portal.search.limits import TITLED

MIN_CHARS = 12          # texts shorter than this (一、总体要求; （三）其他情形) are not fingerprinted
NON_TEXT = re.compile(r"[\W_]+")
LABEL = re.compile(r"^(?:第[一二三四五六七八九十百千零〇两\d]+条(?:之[一二三四五六七八九十]+)?)+")
COMPILED = "汇编"
WHOLE_PARTS = 5         # the rank key's first parts: the query as typed, near it, cited, its runs, its 文号


def fingerprint(text: str) -> int:
    """A clause text's fingerprint (0: too short to count as a copy of anything)."""
    norm = LABEL.sub("", NON_TEXT.sub("", tokenizer.normalise(text or "").lower()))
    if len(norm) < MIN_CHARS:
        return 0
    return int.from_bytes(hashlib.blake2b(norm.encode(), digest_size=8).digest(), "big", signed=True)


def authority(doc: str, row_id: int, tiers: dict[str, int], own: frozenset[str], facts: dict[str, dict]) -> tuple:
    """The sort key of a document's clause among copies of one text: the smallest is kept."""
    f = facts.get(doc) or {}
    level = f.get("level") or ""
    return (tiers.get(doc, 0), doc not in own, RANKS.index(level) if level in RANKS else len(RANKS),
            (f.get("jurisdiction") or NATIONAL) != NATIONAL, COMPILED in (f.get("title") or ""),
            f.get("issued") or "9999", row_id)


def same(key: tuple) -> tuple:
    """What of a row's rank key (``rank.Ranker.key``) the query typed tells copies apart by: holding
    the query or its runs as typed, the clause a citation points at, the typed 文号 or 《title》. A
    fragment pasted with its label (第五十条 …) finds the document it was pasted from, not the copy."""
    return (*key[:WHOLE_PARTS], key[TITLED]) if key else ()


def collapse(rows: list, tiers: dict[str, int], own: frozenset[str], facts: dict[str, dict]) -> list:
    """``rows`` (in rank order) with each text held by several documents shown once: the group takes
    the place of its best-ranked row, shows its most authoritative clause, and lists the others in
    ``copies`` (most authoritative first). Rows already holding copies (an earlier collapse of the
    head of the order) are regrouped with the rest."""
    groups: dict[tuple, list] = {}   # (fingerprint, what the query tells apart) → its rows, in rank order
    slots: list = []                 # a row, or the key of a group (placed at its first row)
    for r in rows:
        members = [r, *r.copies] if r.copies else [r]
        if not r.twin:
            slots.append(r)
            continue
        gkey = (r.twin, same(r.key))
        group = groups.get(gkey)
        if group is None:
            groups[gkey] = list(members)
            slots.append(gkey)
            continue
        docs = {m.doc for m in group}
        for m in members:
            if m.doc in docs:   # the same document's own repeat: a hit of its own
                m.copies = []
                slots.append(m)
            else:
                group.append(m)
                docs.add(m.doc)
    out = []
    for slot in slots:
        if not isinstance(slot, tuple):
            out.append(slot)
            continue
        group = groups[slot]
        if len(group) == 1:
            out.append(group[0])
            continue
        key = group[0].key
        group.sort(key=lambda m: authority(m.doc, m.id, tiers, own, facts))
        kept = group[0]
        kept.key, kept.copies = key, group[1:]   # ordered where the group's best-ranked row was
        for m in kept.copies:
            m.copies = []
        out.append(kept)
    return out


def merged(rows: list) -> int:
    """How many rows the collapse folded into others."""
    return sum(len(r.copies) for r in rows)
