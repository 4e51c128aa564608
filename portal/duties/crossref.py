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

from portal.extensions import db
from portal.models import Duty, DutyInstance

KEY_RE = re.compile(r"(?<![A-Za-z0-9-])([a-z0-9][a-z0-9-]*[a-z0-9])(?![A-Za-z0-9-])")


def _target(duty: Duty, inst: DutyInstance | None) -> str:
    live = [i for i in duty.instances if not i.archived]
    if inst is not None and inst.county:
        same = [i for i in live if i.county == inst.county]
        if len(same) == 1:
            return url_for("duties.instance", instance_id=same[0].id)
    if len(live) == 1:
        return url_for("duties.instance", instance_id=live[0].id)
    return url_for("duties.index", unit="", q=duty.title)


def linked(text: str, inst: DutyInstance | None = None) -> Markup:
    """``text`` escaped, with every duty key replaced by a link named by the duty's title."""
    keys = set(KEY_RE.findall(text or ""))
    if not keys:
        return escape(text or "")
    duties = {d.key: d for d in db.session.scalars(
        sa.select(Duty).where(Duty.key.in_(keys), ~Duty.archived).options(
            sa.orm.selectinload(Duty.instances).options(sa.orm.lazyload(DutyInstance.items),
                                                        sa.orm.lazyload(DutyInstance.cooperators))))}
    out, last = [], 0
    for m in KEY_RE.finditer(text):
        duty = duties.get(m.group(1))
        if duty is None:
            continue
        out.append(escape(text[last:m.start()].rstrip(" ")))  # "见 key" reads "见“标题”"
        out.append(Markup('<a href="{}" class="duty-ref">“{}”</a>').format(_target(duty, inst), duty.title))
        last = m.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)
