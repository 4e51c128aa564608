"""The 通报 as a Word file in 公文 layout (GB/T 9704, `portal.gongwen`): the office's 版头 and 文号, the
body in 仿宋 with 一、二、 sections — 总体情况, 本期与上期相比, the red and yellow lists by unit, the 考核
ranking with its formula — the 落款, and the transfer table (with its 整体 column, as on the screen and
in the .xlsx) as a landscape 附件."""
from __future__ import annotations

from dataclasses import dataclass

from portal import gongwen
from portal.board import rollup
from portal.board.bulletin import Bulletin
from portal.board.exports import change_rows, full_name, ranking_rows, step_text, summary_pairs
from portal.content.policy_doc import label_for
from portal.core import duty_rules
from portal.core.labels import deadline_label, zh_date
from portal.export_text import docx_text

NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Masthead:
    """Who issues the 通报 (the office's 督办设置) and its number: the serial the office gave, or a blank
    to be filled in by hand."""

    issuer: str
    prefix: str
    serial: int | None = None

    def number(self, year: int) -> str:
        if self.serial:
            return gongwen.doc_number(self.prefix, year, self.serial)
        return f"{self.prefix}〔{year}〕　号"


def _overview(r: Bulletin) -> list:
    t = r.totals
    text = (f"{r.scope_label}共有任务{t.total}项，已销号{t.closed}项，完成率{t.pct_complete}%；申请销号待核验"
            f"{t.by_state[duty_rules.REQUESTED]}项，推进中{t.by_state[duty_rules.IN_PROGRESS]}项，"
            f"受阻{t.by_state[duty_rules.BLOCKED]}项，未启动{t.by_state[duty_rules.NOT_STARTED]}项；逾期（红灯）"
            f"{t.overdue}项，预警（黄灯）{t.by_light[duty_rules.YELLOW]}项。本期销号{r.closed_in_period}项，"
            f"本期到期{r.due_in_period}项。")
    return [text, gongwen.Table(["项目", "数值"], [[k, str(v)] for k, v in summary_pairs(r)])]


def _changes(r: Bulletin) -> list:
    if r.comparison is None:
        return ["本期没有可比较的上期记录。"]
    rows = change_rows(r.comparison)
    if not rows:
        return ["本期与上期相比，没有新增红灯、红灯转出、延期或超期未落实的批示。"]
    c = r.comparison
    text = (f"与上期相比，新增红灯{len(c.new_red)}项，红灯转出{len(c.back_from_red)}项，延期{len(c.extended)}项，"
            f"批示超过{c.instruction_days}天未落实{len(c.instructions)}项。")
    return [text, gongwen.Table(["变化", "任务", "责任单位", "上期", "本期"], [[docx_text(str(x)) for x in row] for row in rows])]


def _listed(groups, as_of) -> list:
    if not groups:
        return ["无。"]
    out: list = []
    for n, (unit, items) in enumerate(groups):
        out.append(gongwen.Heading(f"（{NUMERALS[n] if n < len(NUMERALS) else n + 1}）{unit}（{len(items)}项）", 2))
        out.append(gongwen.Table(["任务", "来源条款", "状态", "完成时限", "逾期天数"], [
            [docx_text(x.title), "、".join(label_for(c) for c in x.clause_ids) or "交办", duty_rules.STATE_LABELS[x.state],
             deadline_label(x), str(rollup.days_overdue(x, as_of) or "")] for x in items]))
    return out


def _ranking(r: Bulletin) -> list:
    rows = [[str(c) for c in row[:4]] for row in ranking_rows(r.ranking)]
    table = gongwen.Table(["名次", "单位", "得分", "等次"], rows) if rows else "暂无可排名的单位。"
    return [table, *[docx_text(line) for line in r.formula]]


def _transfer(r: Bulletin) -> gongwen.Attachment | None:
    if not r.transfer:
        return None
    steps = [s for s, _ in r.transfer[0].cells]
    names = [n for n, _ in r.indicator_names]
    rows = [[t.county_name, *[step_text(s) for _, s in t.cells], *[str(t.indicators.get(n, "—")) for n in names],
             step_text(t.status)] for t in r.transfer]
    totals = r.transfer_totals
    rows.append(["合计", *[f"{totals['steps_done'][s]}/{totals['counties']}" for s in steps],
                 *[str(totals["indicators"][n]) for n in names], f"已销号 {totals['counties_done']}/{totals['counties']}"])
    return gongwen.Attachment("县级儿童福利机构移交进度",
                              [gongwen.Table(["县（市、区）或机构", *steps, *names, "整体"], rows)], landscape=True)


def to_docx(r: Bulletin, head: Masthead) -> bytes:
    sections = [("总体情况", _overview(r)), ("本期与上期相比", _changes(r)),
                ("逾期任务（红灯）", _listed(r.red_by_unit, r.as_of)), ("预警任务（黄灯）", _listed(r.yellow_by_unit, r.as_of)),
                ("考核排名", _ranking(r))]
    body: list = []
    for n, (name, blocks) in enumerate(sections):
        body += [gongwen.Heading(f"{NUMERALS[n]}、{name}"), *blocks]
    transfer = _transfer(r)
    intro = (f"根据{full_name(r)}，现将{zh_date(r.start)}至{zh_date(r.end)}{r.scope_label}工作推进情况"
             f"（截至{zh_date(r.as_of)}）通报如下。")
    return gongwen.build(gongwen.Gongwen(
        issuer=head.issuer, number=head.number(r.as_of.year), title=docx_text(r.title), addressee="",
        paragraphs=[docx_text(intro)], signed_on=r.as_of, body=body,
        attachments=[transfer] if transfer else []))
