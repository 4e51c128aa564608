"""The library list with its filters (portal.policy.library_filter): each document's facts read in
three statements (the documents, the editions in force, the register), then filtered in Python —
a library of a few hundred documents."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import sqlalchemy as sa

from portal.extensions import db
from portal.models import PolicyDocument, PolicyEdition, RegulationEntry
from portal.policy import library_filter as lf
from portal.policy.services import list_documents


@dataclass
class Listing:
    docs: list[PolicyDocument]
    facts: dict[str, lf.Facts]     # doc_id → its facts (shown in the list)
    filter: lf.LibraryFilter
    issuers: list[str]             # every 制定机关 in the library, for the filter's list
    ranks: list[str]               # the 效力位阶 offered
    total: int                     # documents before the filters


def _facts(docs: list[PolicyDocument], register: list[RegulationEntry]) -> dict[str, lf.Facts]:
    ids = [d.id for d in docs]
    effective = dict(db.session.execute(sa.select(PolicyEdition.document_id, PolicyEdition.effective).where(
        PolicyEdition.document_id.in_(ids), PolicyEdition.current, PolicyEdition.active)).all()) if ids else {}
    entries = {e.document: e for e in register if e.active and e.document}
    out = {}
    for d in docs:
        entry = entries.get(d.doc_id)
        issuers = tuple(d.issuers or ([entry.issuer] if entry is not None and entry.issuer else []))
        number = d.number or (entry.number if entry is not None else "")
        out[d.doc_id] = lf.Facts(rank=lf.rank_of(d.kind, issuers, number), issuers=issuers,
                                 place=lf.place_of(d.title, issuers), issued=d.issuer_date,
                                 effective=effective.get(d.id))
    return out


def listing(q: str, args: Mapping[str, str], register: list[RegulationEntry]) -> Listing:
    """The list for query `q` and the filters in `args`; `register` is the register's entries (the
    page shows them too: read once)."""
    every = list_documents()
    facts = _facts(every, register)
    docs = list_documents(q) if q else every
    issuers = sorted({i for f in facts.values() for i in f.issuers})
    f = lf.parse(args, set(issuers))
    present = {f_.rank for f_ in facts.values()}
    ranks = [r for r in lf.RANKS if r in present or r != lf.LOCAL_RULE] + ([lf.UNKNOWN] if "" in present else [])
    shown = [d for d in docs if lf.matches(f, facts[d.doc_id])]
    return Listing(shown, facts, f, issuers, ranks, len(every))
