"""What the ranker (``rank``) reads and returns: the filters of a search, a candidate clause's row,
a query's order, and runs of ids read from the word index."""
from __future__ import annotations

from dataclasses import dataclass, field

from portal.search.departments import normalise_dept


@dataclass
class Filters:
    doc: str | None = None
    dept: str | None = None
    validity: str | None = None

    def __post_init__(self):
        self.doc = str(self.doc).strip() if self.doc not in (None, "") else None
        self.dept = normalise_dept(self.dept)
        self.validity = str(self.validity).strip() if self.validity not in (None, "") else None

    @property
    def active(self) -> bool:
        return bool(self.doc or self.dept or self.validity)

    def sql(self) -> tuple[str, list]:
        parts, args = [], []
        if self.doc:
            parts.append("c.doc = ?")
            args.append(self.doc)
        if self.dept:
            parts.append("(',' || c.depts || ',') LIKE ?")
            args.append(f"%,{self.dept},%")
        if self.validity:
            parts.append("c.validity = ?")
            args.append(self.validity)
        return (" AND " + " AND ".join(parts) if parts else ""), args


@dataclass
class Row:
    id: int
    doc: str
    clause_id: str
    wenhao: str
    hay: str                       # title and body, normalised and lower-cased (a section: its whole text)
    own: str = ""                  # a section's own part of ``hay`` (its paragraphs are clauses of their own)
    twin: int = 0                  # its text's fingerprint (``copies``): other documents' copies share it
    key: tuple = ()
    copies: list[Row] = field(default_factory=list)   # other documents' clauses of the same text, folded in
    # read for the rows shown only (``Ranker.show``)
    label: str = ""
    title: str = ""
    body: str = ""
    doc_title: str = ""
    url: str = ""
    validity: str = ""
    depts: str = ""

    @property
    def departments(self) -> list[str]:
        return [d for d in self.depts.split(",") if d]


@dataclass
class Ranked:
    total: int = 0
    estimated: bool = False
    rows: list[Row] = field(default_factory=list)
    whole: bool = False            # ``rows`` is the whole order (every page a slice of it), not its first rows


def id_runs(ids: set[int], gap: int = 2000, most: int = 16) -> list[tuple[int, int]]:
    """``ids`` as runs of ids no more than ``gap`` apart (at most ``most``, else one): a common word's
    list is read over those runs, not from the first id to the last (its whole list, thousands)."""
    order = sorted(ids)
    runs = [[order[0], order[0]]]
    for i in order[1:]:
        if i - runs[-1][1] > gap:
            runs.append([i, i])
        else:
            runs[-1][1] = i
    return [(lo, hi) for lo, hi in runs] if len(runs) <= most else [(order[0], order[-1])]


def id_bits(ids) -> bytes:
    """``ids`` as a bitmap (bit ``i`` of byte ``i >> 3``): a common word's clauses in a tenth of a set's room."""
    ids = list(ids)
    bits = bytearray((max(ids) >> 3) + 1 if ids else 0)
    for i in ids:
        bits[i >> 3] |= 1 << (i & 7)
    return bytes(bits)
