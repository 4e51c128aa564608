"""A 催办 or ladder step printed as a supervision order (督办通知单): one page in 公文 layout (`portal.gongwen`)."""
from __future__ import annotations

from portal import gongwen
from portal.core.time import to_local
from portal.models import SupervisionSettings, Urge
from portal.supervision import rules


def _paragraphs(urge: Urge) -> list[str]:
    """The message's own lines, without the addressee line (the 主送机关 carries it) and the web link
    (a printed page names the portal instead)."""
    lines = [line.strip() for line in urge.body.splitlines() if line.strip()]
    if lines and lines[0].rstrip("：:") == urge.unit.name:
        lines = lines[1:]
    out = []
    for line in lines:
        if line.startswith("查看详情："):
            out.append("办理情况请在儿童福利政策落实门户中签收并回复。")
        else:
            out.append(line)
    return out


def filename(urge: Urge) -> str:
    return f"{rules.DOCUMENT_TITLES[urge.level]}（{urge.year}年第{urge.serial}号）.docx"


def ascii_filename(urge: Urge) -> str:
    """The ASCII fallback for clients that do not read `filename*`: readable, never "(20261).docx"."""
    return f"duban-notice-{urge.year}-{urge.serial}.docx"


def build(urge: Urge, config: SupervisionSettings) -> bytes:
    return gongwen.build(gongwen.Gongwen(
        issuer=config.issuer,
        number=gongwen.doc_number(config.number_prefix, urge.year, urge.serial),
        title=rules.DOCUMENT_TITLES[urge.level],
        addressee=urge.unit.name,
        paragraphs=_paragraphs(urge),
        signed_on=to_local(urge.at).date(),
        copy_to=urge.copy_to,
    ))
