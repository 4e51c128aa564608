"""Documents named by the query: a search for a regulation's title, its short name or its 文号
brings up that regulation (a card above the clauses), not a paragraph that mentions it.

``match(query, documents)`` is pure: ``documents`` are ``Named`` entries built by ``services``
from the library (documents with full text) and the register (regulations cited, full text or not).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from portal.search import tokenizer
from portal.search.query import same_wenhao, synonyms

NON_WORD = re.compile(r"[^0-9a-z\u3400-\u9fff\uf900-\ufaff]+")
STATE_PREFIX = "中华人民共和国"
MIN_NAME = 4          # shorter names (残联 …) never make a card on their own
MAX_CARDS = 3


def key(text: str) -> str:
    """Letters, digits and characters only, lower-cased: 《…》, brackets of a 文号, spaces go."""
    return NON_WORD.sub("", tokenizer.normalise(text or "").lower())


@dataclass
class Named:
    title: str
    url: str
    number: str = ""
    issuer: str = ""
    dated: date | None = None
    date_label: str = "施行"               # 施行 (register) or 发布 (a document's own date)
    status: str = ""
    full_text: bool = True                 # the library holds its text (else: the register entry)
    register_url: str = ""                 # its register entry, when there is one beside the text
    names: list[str] = field(default_factory=list)   # short name, aliases

    def keys(self) -> set[str]:
        out = {key(self.title), key(self.title.removeprefix(STATE_PREFIX))}
        out |= {key(n) for n in self.names}
        return {k for k in out if len(k) >= MIN_NAME}


def _query_keys(q: str) -> set[str]:
    whole = key(q)
    out = {whole, key(q.removeprefix(STATE_PREFIX))} if whole else set()
    for w in re.split(r"\s+", tokenizer.normalise(q or "").strip().lower()):
        out |= {key(s) for s in synonyms(key(w))}   # 未保法 → 未成年人保护法
    return {k for k in out if k}


def match(q: str, documents: list[Named]) -> list[Named]:
    """The documents whose title, short name, alias or 文号 is the query (brackets, spaces and
    《》 aside), whose 文号 the query names (however typed: 民政部令63号, 运民发2021年74号), or whose
    full title the query holds; the best-named first."""
    qkeys = _query_keys(q)
    whole = key(q)
    if not qkeys:
        return []
    found: list[tuple[int, int, Named]] = []
    for i, d in enumerate(documents):
        names = d.keys()
        if qkeys & names:
            found.append((0, i, d))
        elif d.number and (key(d.number) in qkeys or same_wenhao(d.number, q)):
            found.append((0, i, d))
        elif len(key(d.title)) >= 6 and key(d.title) in whole:
            found.append((1, i, d))
    found.sort(key=lambda t: t[:2])
    return [d for _, _, d in found[:MAX_CARDS]]
