"""What the index holds: one ``Record`` per clause, made from a parsed policy document.

``records_from_document`` takes ``portal.content.policy_doc.ParsedDocument`` — the type the
content parsers produce and ``search.services`` builds from database rows — so the index, the
sync and the tests all describe a document the same way. Document hashes (which documents
changed) and document facts (title, 文号 keys, kept once per document) are derived here too.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields

from portal.content.policy_doc import ParsedDocument
from portal.policy.library_filter import rank_of
from portal.search import jurisdiction
from portal.search.departments import departments_in, normalise_dept
from portal.search.query import wenhaos_in


@dataclass
class Record:
    """One clause as the index sees it."""

    doc_id: str
    clause_id: str
    text: str
    doc_title: str = ""
    label: str = ""
    title: str | None = None
    url: str = ""
    validity: str = ""
    departments: list[str] | None = None   # None: derived from the text
    doc_number: str = ""                   # the document's 文号, if any
    context: str = ""                      # a section's whole text when ``text`` is its own part only
    doc_short: str = ""                    # the document's short title (未成年人保护法)
    jurisdiction: str = ""                 # 全国, 山西, 运城 or another place (``jurisdiction.of``)
    level: str = ""                        # the document's 效力位阶 (法律 …; "" when its makers do not tell)
    issued: str = ""                       # the document's date (ISO), if known

    @classmethod
    def of(cls, value: Record | dict) -> Record:
        if isinstance(value, Record):
            return value
        names = {f.name for f in fields(cls)}
        value = dict(value)
        data = {k: v for k, v in value.items() if k in names}
        if "validity" not in data and value.get("status"):
            data["validity"] = value["status"]
        return cls(**data)

    def depts(self) -> list[str]:
        if self.departments is not None:
            return [d for d in (normalise_dept(x) for x in self.departments) if d]
        return departments_in(f"{self.title or ''}\n{self.text}")

    def wenhao(self) -> list[str]:
        """文号 keys the clause's own text names (a 文号 cited in the clause)."""
        hay = f"{self.title or ''} {self.text or ''}"
        return list(dict.fromkeys(wenhaos_in(hay))) if "号" in hay else []

    def canonical(self) -> bytes:
        """The record's canonical JSON (what document hashes are made of)."""
        # A shallow dict: dataclasses.asdict deep-copies every field and was half the build's Python time.
        return json.dumps({name: getattr(self, name) for name in _FIELDS}, ensure_ascii=False,
                          sort_keys=True).encode()


_FIELDS = tuple(f.name for f in fields(Record))


def records_from_document(doc: ParsedDocument, url_for: Callable[[str, str], str] | None = None,
                          validity: str | None = None) -> list[Record]:
    """Records for a parsed document.

    A section with finer anchors keeps only its own text (its heading) for the word index; the
    anchors carry the paragraphs, so a word hit lands on the finest clause. The section's whole
    text is kept as its ``context``: exact strings are matched against it, so a sentence running
    across two paragraphs, and the section itself (a live clause holding the words), are found
    as a substring scan of the clauses would find them. An anchor's title is its section's title.
    """
    meta = doc.meta
    doc_id = meta.get("id", "")
    issuers = meta.get("issuers") or ""
    issuers = "、".join(issuers) if isinstance(issuers, list) else str(issuers)
    place = jurisdiction.of(meta.get("title", ""), issuers, meta.get("jurisdiction", ""))
    level = rank_of(str(meta.get("kind") or ""), re.split(r"[、,，;；]\s*", issuers), str(meta.get("number") or ""))
    issued = str(meta.get("date") or meta.get("issued") or "")[:10]
    url_for = url_for or (lambda d, c: f"/policy/{d}#{c}")
    by_id = {c.id: c for c in doc.clauses}
    anchors: dict[str, list] = {}
    for c in doc.clauses:
        if c.kind == "anchor" and c.parent:
            anchors.setdefault(c.parent, []).append(c)
    out = []
    for c in doc.clauses:
        text = c.text
        for a in anchors.get(c.id, []):
            text = text.replace(a.text, "", 1)
        text = re.sub(r"\n{2,}", "\n", text).strip()
        context = re.sub(r"\n{2,}", "\n", c.text).strip() if c.id in anchors else ""
        title = c.title
        if c.kind == "anchor" and c.parent in by_id:
            title = by_id[c.parent].title
        if not text and not title:
            continue
        out.append(Record(
            doc_id=doc_id, clause_id=c.id, text=text, doc_title=meta.get("title", ""),
            label=c.label, title=title, url=url_for(doc_id, c.id),
            validity=validity or meta.get("status", ""), doc_number=meta.get("number", "") or "",
            context=context if context != text else "", doc_short=meta.get("short_title", "") or "",
            jurisdiction=place, level=level, issued=issued))
    return out


def document_facts(records: Iterable[Record]) -> dict[str, dict]:
    """doc_id → {"title", "short", "numbers": 文号 keys, "jurisdiction", "validity", "level": 效力位阶,
    "issued"}: kept once per document in the metadata."""
    out: dict[str, dict] = {}
    for r in records:
        if r.doc_id not in out:
            out[r.doc_id] = {"title": r.doc_title or "", "short": r.doc_short or "",
                             "numbers": list(dict.fromkeys(wenhaos_in(r.doc_number or ""))),
                             "jurisdiction": r.jurisdiction or jurisdiction.of(r.doc_title or ""),
                             "validity": r.validity or "", "level": r.level or "", "issued": r.issued or ""}
    return out


def document_hashes(records: Iterable[Record]) -> dict[str, str]:
    """doc_id → hash of that document's records (order included)."""
    hashes: dict[str, hashlib._Hash] = {}
    for r in records:
        hashes.setdefault(r.doc_id, hashlib.sha256()).update(r.canonical())
    return {d: h.hexdigest()[:20] for d, h in hashes.items()}
