"""What a statute's 文件信息 table states of its history: each 文号 and 发文单位 with the date of its own
act, and the edition shown as what it is (the revision its history line names), never a 令号 beside a
later edition's date.

The facts are the importer's (front matter promulgated, promulgated_by, promulgated_as, revised_by:
portal.content.statute_import): what the text's own history lines state. What they do not state is
shown as not stated (``missing``), never filled in.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portal.core.labels import zh_date
from portal.models.policy import revision_names_issuer

__all__ = ["MetaRow", "statute_rows", "rows_from_front_matter"]

NOT_STATED = "所收文本的沿革未载明此版本的修改情况"


@dataclass(frozen=True)
class MetaRow:
    label: str
    value: str  # '' with missing: shown as —（待补录）
    testid: str
    note: str = ""  # said after the value, in smaller type
    missing: bool = False


def statute_rows(number: str, issuers: list[str], promulgated: date | None, promulgated_by: str,
                 promulgated_as: str, edition: date | None, revised_by: str, current: bool = True) -> list[MetaRow]:
    """The rows for a statute's (or one of its editions') meta table: 文号; 发文单位 (the 令号's body;
    a law's, the body that adopted the edition shown where its line says so, else its original body,
    labelled 通过机关/公布机关); the 公布 (发布, 通过) date of that original act, with its body when that
    differs; and 现行文本 (本版本 for an earlier edition): the revision, in the history's words."""
    word = promulgated_as or "公布"
    issuer = "、".join(issuers or [])
    rows = [MetaRow("文号", number, "meta-number")] if number else []
    adopted_edition = revision_names_issuer(revised_by, issuers or [])
    original_edition = promulgated is not None and promulgated == edition
    label = "发文单位" if number or adopted_edition or original_edition or not promulgated else f"{word}机关"
    rows.append(MetaRow(label, issuer, "meta-issuer", missing=not issuer))
    if promulgated is None:
        rows.append(MetaRow(f"{word}日期", "", "meta-promulgated", missing=True))
    else:
        by = promulgated_by if promulgated_by and promulgated_by != issuer else ""
        rows.append(MetaRow(f"{word}日期", zh_date(promulgated) + (f"（{by}）" if by else ""), "meta-promulgated"))
    label = "现行文本" if current else "本版本"
    if revised_by:
        rows.append(MetaRow(label, revised_by, "meta-edition"))
    elif edition is not None and original_edition:
        rows.append(MetaRow(label, f"{zh_date(edition)}{word}的文本", "meta-edition"))
    elif edition is not None:
        rows.append(MetaRow(label, f"{zh_date(edition)}版本", "meta-edition", note=f"{NOT_STATED}（待补录）"))
    else:
        rows.append(MetaRow(label, "", "meta-edition", missing=True))
    return rows


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def rows_from_front_matter(meta: dict, current: bool = False) -> list[MetaRow]:
    """The rows for an edition kept as its library file (an earlier version: its own front matter)."""
    issuers = meta.get("issuers") or []
    if isinstance(issuers, str):
        issuers = [i.strip() for i in issuers.replace("；", ";").split(";") if i.strip()]
    return statute_rows(meta.get("number", ""), issuers, _date(meta.get("promulgated", "")),
                        meta.get("promulgated_by", ""), meta.get("promulgated_as", ""),
                        _date(meta.get("edition", "") or meta.get("date", "")), meta.get("revised_by", ""), current)
