"""Cross-references between duties in the office's remarks: a key becomes a link with the title.

content/duties.txt writes another duty by its key (``见 transfer-hukou``); people read the duty's
任务名称. The link goes to the referenced duty for the same county when it has one, to its only
instance otherwise, and else to the 任务台账 filtered by its name.
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from flask import url_for
from markupsafe import Markup, escape

from portal import refdata
from portal.extensions import db
from portal.models import DutyInstance

KEY_RE = re.compile(r"(?<![A-Za-z0-9-])([a-z0-9][a-z0-9-]*[a-z0-9])(?![A-Za-z0-9-])")


def keys_in(text: str) -> list[str]:
    """The live duties' keys the text names (what `linked` turns into links)."""
    return sorted({k for k in KEY_RE.findall(text or "") if (d := refdata.duty_by_key(k)) is not None and not d.archived})


def titled(text: str) -> str:
    """``text`` as plain text with every duty key replaced by the duty's title in quotes (the audit log,
    its exports): the words of `linked` without the links."""
    keys = set(keys_in(text))
    if not keys:
        return text or ""
    return KEY_RE.sub(lambda m: f"“{refdata.duty_by_key(m.group(1)).title}”" if m.group(1) in keys else m.group(0), text)


def live_instances(duty_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """duty id -> its live instances as (id, county), by id."""
    out: dict[int, list[tuple[int, str]]] = {}
    if duty_ids:
        for iid, duty_id, county in db.session.execute(
                sa.select(DutyInstance.id, DutyInstance.duty_id, DutyInstance.county)
                .where(DutyInstance.duty_id.in_(duty_ids), ~DutyInstance.archived).order_by(DutyInstance.id)):
            out.setdefault(duty_id, []).append((iid, county or ""))
    return out


def _target(duty, live: list[tuple[int, str]], inst: DutyInstance | None) -> str:
    if inst is not None and inst.county:
        same = [iid for iid, county in live if county == inst.county]
        if len(same) == 1:
            return url_for("duties.instance", instance_id=same[0])
    if len(live) == 1:
        return url_for("duties.instance", instance_id=live[0][0])
    return url_for("duties.index", unit="", q=duty.title)


def linked(text: str, inst: DutyInstance | None = None, instances: dict[int, list[tuple[int, str]]] | None = None) -> Markup:
    """``text`` escaped, with every duty key replaced by a link named by the duty's title.
    `instances`: `live_instances` of the named duties, when the caller read them already."""
    keys = keys_in(text)
    if not keys:
        return escape(text or "")
    duties = {k: refdata.duty_by_key(k) for k in keys}
    if instances is None:
        instances = live_instances([d.id for d in duties.values()])
    out, last = [], 0
    for m in KEY_RE.finditer(text):
        duty = duties.get(m.group(1))
        if duty is None:
            continue
        out.append(escape(text[last:m.start()].rstrip(" ")))  # "见 key" reads "见“标题”"
        out.append(Markup('<a href="{}" class="duty-ref">“{}”</a>').format(
            _target(duty, instances.get(duty.id, []), inst), duty.title))
        last = m.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)
