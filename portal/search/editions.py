"""Earlier editions in the index: a sentence pasted from an older text of a law (a court paper, an
old 通知) is found, marked with its edition and 已修订, after the text in force.

Only the articles an edition worded differently from the text in force are indexed (paired by
text with portal.policy.compare): an unchanged article is found in the text in force already.
Each edition is its own document in the index (``<doc id>@<edition>``), titled with its date, so
the ranking's tier for texts no longer in force (``plan.doc_tiers``) puts it after the current text.
"""
from __future__ import annotations

from portal.content.policy_doc import ParsedDocument
from portal.content.statute_doc import parse_statute
from portal.models import PolicyDocument
from portal.policy.compare import changed_articles
from portal.search.records import Record, records_from_document

OUTDATED_STATUS = "已修订"


def edition_records(doc: PolicyDocument) -> list[Record]:
    """Records of the articles each earlier edition of `doc` words differently from the text in force."""
    current = next((e for e in doc.editions if e.current and e.active), None)
    if doc.layout != "statute" or current is None:
        return []
    out: list[Record] = []
    for edition in doc.editions:
        if edition.current or not edition.active or not edition.markdown:
            continue
        differs = changed_articles(edition.markdown, current.markdown)
        if not differs:
            continue
        parsed = parse_statute(edition.markdown, edition.source_file)
        when = edition.edition_date
        title = f"{edition.title or doc.title}（{when.year}年{when.month}月{when.day}日版本）" if when else edition.title
        kept = [c for c in parsed.clauses if c.id.split(".")[0] in differs]
        meta = {"id": f"{doc.doc_id}@{edition.edition}", "title": title, "number": doc.number or "",
                "status": edition.status or OUTDATED_STATUS, "short_title": doc.short_title or "",
                "issuers": list(doc.issuers or []), "kind": getattr(doc, "kind", "") or "",
                "date": when.isoformat() if when else ""}
        base = f"/policy/{doc.doc_id}/v/{edition.edition}"
        out += records_from_document(ParsedDocument(filename=meta["id"], meta=meta, clauses=kept),
                                     url_for=lambda _d, cid, base=base: f"{base}#{cid.split('.')[0]}",
                                     validity=edition.status or OUTDATED_STATUS)
    return out
