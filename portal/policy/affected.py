"""What a new edition affects: the duties, training modules, quiz questions and notes that cite an
article the new edition changed or removed, shown on the law's page and sent to their owners
(the duties' units; the training administrators; the library administrators) as a 通报 when the
content sync finds a new edition in force (`tell_owners`).

Articles are compared with portal.policy.compare (paired by text, so a renumbered article is not
"changed"); a citation names the article as numbered in the earlier edition.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, has_request_context, url_for

from portal import outbox
from portal.capabilities import roles_with
from portal.content.statute_doc import article_key, is_article_id
from portal.core.labels import zh_date
from portal.core.plan import PLAN_ID
from portal.core.time import to_local
from portal.extensions import db
from portal.models import Duty, PolicyCitation, PolicyDocument, PolicyEdition, RegulationEntry, User, UserRole
from portal.policy.compare import articles, compare_editions
from portal.training.modules import live_modules

KIND_LABELS = {"duty": "任务", "module": "培训模块", "question": "测验题", "note": "说明和引用"}


@dataclass
class Item:
    kind: str  # duty | module | question | note
    title: str
    link: str  # endpoint-free path, built by the caller's url_for
    articles: list[str]  # labels of the changed articles it cites (第九条)
    units: list = field(default_factory=list)  # the duty's units (their liaisons are told)
    key: str = ""  # a module's key (its page offers 重新安排学习)


@dataclass
class Affected:
    old: PolicyEdition
    new: PolicyEdition
    changed: dict[str, str]  # old article id -> its label, changed or removed in the new edition
    items: list[Item] = field(default_factory=list)

    def of(self, kind: str) -> list[Item]:
        return [i for i in self.items if i.kind == kind]


def _article(clause_id: str | None) -> str:
    return (clause_id or "").split(".")[0]


def _last_two(doc: PolicyDocument) -> tuple[PolicyEdition, PolicyEdition, dict[str, str]] | None:
    """(the edition before, the current edition, the articles changed or removed: id -> label)."""
    rows = sorted((e for e in doc.editions if e.active),
                  key=lambda e: (e.current, e.effective or e.edition_date or date.min, e.edition))
    if len(rows) < 2 or not rows[-1].current or doc.layout != "statute":
        return None
    old, new = rows[-2], rows[-1]
    key = (old.content_hash, new.content_hash)
    if key not in _CHANGED or not all(key):
        comparison = compare_editions(old.markdown, new.markdown)
        if len(_CHANGED) > 64:
            _CHANGED.clear()
        _CHANGED[key] = {r.old.clause_id: r.old.label for r in comparison.rows
                         if r.old is not None and r.kind in ("changed", "removed")}
    return old, new, dict(_CHANGED[key])


_CHANGED: dict[tuple[str, str], dict[str, str]] = {}  # per process: two texts compare the same every time


def latest_change(doc: PolicyDocument) -> Affected | None:
    """The current edition against the one before it; None when there is no earlier edition."""
    last = _last_two(doc)
    if last is None:
        return None
    old, new, changed = last
    view = Affected(old, new, changed)
    if changed:
        view.items = (_duties(doc, changed) + _modules(doc, changed, old.markdown) + _notes(doc, changed))
    return view


@dataclass
class ModuleChange:
    """A new edition of a law changed articles a training module cites (the module page shows it and
    offers 重新安排学习 to those who assign training)."""
    doc: PolicyDocument
    old: PolicyEdition
    new: PolicyEdition
    articles: list[str]  # labels of the changed articles the module cites

    @property
    def since(self) -> date:
        """The day the new edition reached the library: a completion dated before it was on the earlier
        text (docs/DECISIONS.md)."""
        if self.new.arrived_at is not None:
            return to_local(self.new.arrived_at).date()
        return self.new.effective or self.new.edition_date or date.min

    @property
    def reason(self) -> str:
        when = zh_date(self.new.edition_date) if self.new.edition_date else "新"
        return f"《{self.doc.title}》{when}版本修改了本模块引用的{'、'.join(self.articles)}"


def module_changes(module) -> list[ModuleChange]:
    """The laws whose current edition changed an article the module cites."""
    doc_ids = sorted({d for d, _ in module.references if d and d != PLAN_ID})
    if not doc_ids:
        return []
    out = []
    for doc in db.session.scalars(sa.select(PolicyDocument).where(PolicyDocument.doc_id.in_(doc_ids),
                                                                  PolicyDocument.active).order_by(PolicyDocument.doc_id)
                                  .options(so.selectinload(PolicyDocument.editions).defer(PolicyEdition.markdown))):
        last = _last_two(doc)
        if last is None:
            continue
        cited = sorted({_article(c) for d, c in module.references if d == doc.doc_id} & last[2].keys(),
                       key=lambda a: article_key(a) if is_article_id(a) else (0, 0))  # 第十七条之一 after 第十七条
        if cited:
            out.append(ModuleChange(doc, last[0], last[1], [last[2][a] for a in cited]))
    return out


def _duties(doc: PolicyDocument, changed: dict[str, str]) -> list[Item]:
    """Duties created by a 方案 clause that cites a changed article."""
    citing: dict[str, set[str]] = {}
    rows = db.session.execute(sa.select(PolicyCitation.clause_id, PolicyCitation.anchor_id, PolicyCitation.target_clause)
                              .join(PolicyDocument, PolicyCitation.document_id == PolicyDocument.id)
                              .where(PolicyDocument.doc_id == PLAN_ID, PolicyCitation.target_doc == doc.doc_id))
    for _clause_id, anchor_id, target in rows:
        if _article(target) in changed:  # the finest clause holding the citation
            citing.setdefault(anchor_id, set()).add(changed[_article(target)])
    items = []
    for duty in db.session.scalars(sa.select(Duty).where(Duty.archived.is_(False)).order_by(Duty.position)):
        labels = {label for cid in duty.clause_ids for c, ls in citing.items()
                  if c == cid or c.startswith(cid + ".") for label in ls}  # the duty's clause holds the citation
        if labels and duty.instances:
            items.append(Item("duty", duty.title, url_for("duties.instance", instance_id=duty.instances[0].id),
                              sorted(labels), units=[i.unit for i in duty.instances]))
    return items


def _modules(doc: PolicyDocument, changed: dict[str, str], old_markdown: str) -> list[Item]:
    """Modules whose text cites a changed article, and those modules' quiz questions whose right
    answer quotes the article's old words."""
    old_text = {a.clause_id: a.text for a in articles(old_markdown)}
    items = []
    for module in live_modules():
        cited = sorted({_article(c) for d, c in module.references if d == doc.doc_id} & changed.keys())
        if not cited:
            continue
        link = url_for("training.module", key=module.key)
        items.append(Item("module", module.title, link, [changed[a] for a in cited], key=module.key))
        for q in (module.quiz or {}).get("questions", []):
            answer = "".join(o["text"] for o in q["options"] if o["correct"])
            hits = [a for a in cited if _quotes(answer, old_text.get(a, ""))]
            if hits:
                items.append(Item("question", f"《{module.title}》测验第{q['number']}题：{q['text']}", link,
                                  [changed[a] for a in hits]))
    return items


def _quotes(answer: str, text: str, least: int = 6) -> bool:
    """The answer repeats at least `least` characters of the article's words in a row."""
    answer = re.sub(r"\s+", "", answer)
    if not answer or not text:
        return False
    m = difflib.SequenceMatcher(None, answer, text, autojunk=False).find_longest_match(0, len(answer), 0, len(text))
    return m.size >= min(least, len(answer))


def _notes(doc: PolicyDocument, changed: dict[str, str]) -> list[Item]:
    """Register notes that name a changed article of this law, and clauses of other documents
    (not the 方案: its duties are listed) that cite one."""
    names = {f"《{t}》" for t in (doc.title, doc.short_title) if t}
    items = []
    for entry in db.session.scalars(sa.select(RegulationEntry).where(RegulationEntry.active)):
        labels = [label for label in changed.values() if any(f"{n}{label}" in (entry.notes or "") for n in names)]
        if labels:
            items.append(Item("note", f"法规登记《{entry.title}》的说明", url_for("policy.register_entry", key=entry.key),
                              labels))
    rows = db.session.execute(sa.select(PolicyDocument.doc_id, PolicyDocument.title, PolicyCitation.clause_id,
                                        PolicyCitation.target_clause)
                              .join(PolicyDocument, PolicyCitation.document_id == PolicyDocument.id)
                              .where(PolicyCitation.target_doc == doc.doc_id, PolicyDocument.active,
                                     PolicyDocument.doc_id.not_in([PLAN_ID, doc.doc_id])))
    for doc_id, title, clause_id, target in rows:
        if _article(target) in changed:
            items.append(Item("note", f"《{title}》引用处", url_for("policy.clause", doc_id=doc_id, clause_id=clause_id),
                              [changed[_article(target)]]))
    return items


def tell_owners(doc_ids) -> int:
    """A new edition in force (`portal.policy.sync` found it, whichever way it came: `flask portal sync`
    or an import on the library page): the owners of what cites its changed articles are told, once
    per edition. Returns the number of messages queued. Outside a request (the CLI) the links are paths."""
    if not has_request_context():
        with current_app.test_request_context():
            return tell_owners(doc_ids)
    sent = 0
    for doc_id in dict.fromkeys(doc_ids):
        doc = db.session.scalar(sa.select(PolicyDocument).where(PolicyDocument.doc_id == doc_id))
        view = latest_change(doc) if doc is not None else None
        if view is not None:
            sent += notify(doc, view)
    return sent


def notify(doc: PolicyDocument, view: Affected) -> int:
    """Tell the owners what the new edition affects (one 通报 each, once per edition)."""
    if not view.items:
        return 0
    when = view.new.edition_date
    subject = f"《{doc.title}》{when.year}年{when.month}月{when.day}日版本修改的条文涉及您负责的工作" if when else \
        f"《{doc.title}》新版本修改的条文涉及您负责的工作"
    link = url_for("policy.document", doc_id=doc.doc_id, _anchor="affected")
    key = f"edition-affects:{doc.doc_id}:{view.new.edition}"
    sent = 0

    def people(capability: str) -> list:
        return list(db.session.scalars(sa.select(User).join(UserRole).where(
            UserRole.role.in_(roles_with(capability)), User.active).distinct()))

    for item in view.of("duty"):
        outbox.enqueue("bulletin", subject=subject, body=f"任务“{item.title}”依据的条文（{'、'.join(item.articles)}）已修改，请对照新文本核实工作要求。",
                units=item.units, link=link, dedupe_key=f"{key}:duty:{item.title}")
        sent += 1
    training = [i for i in view.items if i.kind in ("module", "question")]
    if training:
        body = "以下培训内容引用的条文已修改，请核对：\n" + "\n".join(f"· {i.title}（{'、'.join(i.articles)}）" for i in training)
        outbox.enqueue("bulletin", subject=subject, body=body, users=people("manage_training"), link=link,
                dedupe_key=f"{key}:training")
        sent += 1
    notes = view.of("note")
    if notes:
        body = "以下说明或引用涉及已修改的条文，请核对：\n" + "\n".join(f"· {i.title}（{'、'.join(i.articles)}）" for i in notes)
        outbox.enqueue("bulletin", subject=subject, body=body, users=people("manage_library"), link=link,
                dedupe_key=f"{key}:notes")
        sent += 1
    return sent
