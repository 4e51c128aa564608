"""Official-document (公文) layout after GB/T 9704-2012, for the Word files the portal writes.

Pure python-docx, no Flask and no database: the 督办通知单 and the 通报 use it.
What the standard asks and where it is done here:

* A4, 版心 156 mm × 225 mm: margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (`_page`).
* 版头: the 发文机关标志 in red 小标宋, centred; the 发文字号 (文号) centred under it, 仿宋 三号, with the
  red separator line below (`_masthead`). 文号's year in 六角括号 〔〕 and the serial without leading zeros
  (`doc_number`).
* 标题: 小标宋 二号, centred (`_title`); 主送机关 flush left, 仿宋 三号, ending in a full-width colon.
* 正文: 仿宋 三号, first line indented two characters, fixed 28 pt line spacing (22 lines a page).
* 落款: the issuing body and the date (成文日期 in Arabic numerals, 2026年12月7日) right-aligned, the
  date four characters from the right edge (`_signature`).
* 层次序数: 一、 in 黑体, （一） in 楷体 (`Heading`); tables in 仿宋, their header in 黑体 (`Table`).
* 附件说明 under the body, and each 附件 after the 落款 on its own page (landscape for a wide table),
  「附件N」 in 黑体 at its top left (`Attachment`).
* 页码: 4 号半角宋体 Arabic numerals with an em dash either side, "— 1 —", odd pages right and even pages
  left (`_page_numbers`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from io import BytesIO

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from portal.export_text import docx_text

# Type sizes by their Chinese names (号), in points.
SIZE_2 = Pt(22)   # 二号: the title
SIZE_3 = Pt(16)   # 三号: body text
SIZE_4 = Pt(14)   # 四号: page numbers
SIZE_MASTHEAD = Pt(36)  # the 发文机关标志: the standard asks only that it be smaller than the paper is wide

FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
SONGTI = "宋体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SIZE_TABLE = Pt(12)  # 小四: table text (the standard sets no size for tables; 三号 does not fit a grid)
SIZE_WIDE_TABLE = Pt(10.5)  # 五号: a table of ten columns and more
RED = RGBColor(0xE6, 0x00, 0x12)  # 红色 for the 版头 and its separator line
LINE_PITCH = Pt(28)  # 22 lines on the 225 mm 版心


@dataclass(frozen=True)
class Heading:
    """A 层次序数 heading: level 1 「一、」 in 黑体, level 2 「（一）」 in 楷体 (the text carries its number)."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Attachment:
    """A 附件: its own page(s) after the 落款, landscape when its table is wide."""

    title: str
    blocks: list = field(default_factory=list)  # str | Heading | Table
    landscape: bool = False


@dataclass(frozen=True)
class Gongwen:
    """One document: who issues it, its number, title, addressee, paragraphs, signature and date."""

    issuer: str                    # 发文机关标志 (the masthead) and 落款
    number: str                    # 发文字号, e.g. 督办〔2026〕3号 (see doc_number)
    title: str
    addressee: str                 # 主送机关 (without the colon)
    paragraphs: list[str] = field(default_factory=list)
    signed_on: date | None = None  # 成文日期
    copy_to: str = ""              # 抄送 (e.g. the unit's 分管领导), printed above the 版记 line
    body: list = field(default_factory=list)         # after the paragraphs: str | Heading | Table
    attachments: list = field(default_factory=list)  # Attachment, listed under the body (附件说明)


def doc_number(prefix: str, year: int, serial: int) -> str:
    """A 发文字号: 机关代字, the year in 六角括号, the serial without leading zeros: 督办〔2026〕3号."""
    return f"{prefix}〔{year}〕{serial}号"


def zh_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def set_font(run, name: str, size: Pt, bold: bool = False, color: RGBColor | None = None) -> None:
    """A run in a Chinese font: the East Asian font slot set as well as the Latin one."""
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:ascii"), name)
    fonts.set(qn("w:hAnsi"), name)


def _paragraph(doc, text: str, font: str, size: Pt, *, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = False,
               bold: bool = False, color: RGBColor | None = None, exact: bool = True):
    p = doc.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    if exact:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE_PITCH
    if indent:
        fmt.first_line_indent = Pt(size.pt * 2)  # two characters
    if text:
        set_font(p.add_run(docx_text(text)), font, size, bold, color)
    return p


def _page(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28 - 7)  # 页码 7 mm below the 版心's last line
    normal = doc.styles["Normal"]
    normal.font.name = FANGSONG
    normal.font.size = SIZE_3
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FANGSONG)


def _bottom_rule(paragraph, color: str = "E60012", size_eighths: int = 12) -> None:
    """A line under the paragraph: the 版头's red separator (or the 版记's black lines)."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", str(size_eighths)), ("w:space", "4"), ("w:color", color)):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.append(borders)


def masthead_size(issuer: str) -> Pt:
    """The 发文机关标志 on one line of the 156 mm 版心 (about 442 pt): 36 pt, smaller for a long name."""
    return Pt(min(SIZE_MASTHEAD.pt, int(442 / max(1, len(issuer)))))


def _masthead(doc, issuer: str, number: str) -> None:
    p = _paragraph(doc, issuer, XIAOBIAOSONG, masthead_size(issuer), align=WD_ALIGN_PARAGRAPH.CENTER, color=RED,
                   exact=False)
    p.paragraph_format.space_after = Pt(28)
    p = _paragraph(doc, number, FANGSONG, SIZE_3, align=WD_ALIGN_PARAGRAPH.CENTER)
    _bottom_rule(p)
    _paragraph(doc, "", FANGSONG, SIZE_3)  # one blank line between the separator and the title


def _title(doc, title: str) -> None:
    p = _paragraph(doc, title, XIAOBIAOSONG, SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER, exact=False)
    p.paragraph_format.space_after = LINE_PITCH


def _signature(doc, issuer: str, signed_on: date | None) -> None:
    _paragraph(doc, "", FANGSONG, SIZE_3)
    _paragraph(doc, "", FANGSONG, SIZE_3)
    signer = _paragraph(doc, issuer, FANGSONG, SIZE_3, align=WD_ALIGN_PARAGRAPH.RIGHT)
    signer.paragraph_format.right_indent = Pt(SIZE_3.pt * 2)
    if signed_on is not None:
        when = _paragraph(doc, zh_date(signed_on), FANGSONG, SIZE_3, align=WD_ALIGN_PARAGRAPH.RIGHT)
        when.paragraph_format.right_indent = Pt(SIZE_3.pt * 4)  # 右空四字


def _copy_to(doc, copy_to: str) -> None:
    _paragraph(doc, "", FANGSONG, SIZE_3)
    top = _paragraph(doc, "", FANGSONG, Pt(14))
    _bottom_rule(top, color="000000", size_eighths=8)
    p = _paragraph(doc, f"抄送：{copy_to}。", FANGSONG, SIZE_4)
    p.paragraph_format.left_indent = Pt(SIZE_4.pt)
    _bottom_rule(p, color="000000", size_eighths=8)


def _field(run, instruction: str) -> None:
    """A Word field (PAGE) in a run: begin, instruction, separate, a placeholder, end."""
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        if kind is not None:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == instruction:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instruction} "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)


def _page_numbers(doc) -> None:
    """— 1 — on every page: odd pages at the right, even pages at the left (one space in from the edge)."""
    section = doc.sections[0]
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                          (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        p = footer.paragraphs[0]
        p.alignment = align
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            p.paragraph_format.right_indent = Pt(SIZE_4.pt)
        else:
            p.paragraph_format.left_indent = Pt(SIZE_4.pt)
        set_font(p.add_run("— "), SONGTI, SIZE_4)
        number = p.add_run()
        set_font(number, SONGTI, SIZE_4)
        _field(number, "PAGE")
        set_font(p.add_run(" —"), SONGTI, SIZE_4)


def _heading(doc, heading: Heading) -> None:
    font = HEITI if heading.level == 1 else KAITI
    _paragraph(doc, heading.text, font, SIZE_3, indent=True)


def _table(doc, table: Table) -> None:
    size = SIZE_WIDE_TABLE if len(table.headers) >= 10 else SIZE_TABLE
    grid = doc.add_table(rows=1, cols=len(table.headers))
    grid.style = doc.styles["Table Grid"]
    for cell, text in zip(grid.rows[0].cells, table.headers, strict=False):
        _cell(cell, text, HEITI, size)
    for row in table.rows:
        for cell, text in zip(grid.add_row().cells, row, strict=False):
            _cell(cell, str(text), FANGSONG, size)
    _paragraph(doc, "", FANGSONG, SIZE_3)  # a line after the table


def _cell(cell, text: str, font: str, size: Pt) -> None:
    p = cell.paragraphs[0]
    p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(0)
    if text:
        set_font(p.add_run(docx_text(text)), font, size)


def _blocks(doc, blocks) -> None:
    for block in blocks:
        if isinstance(block, Heading):
            _heading(doc, block)
        elif isinstance(block, Table):
            _table(doc, block)
        else:
            _paragraph(doc, str(block), FANGSONG, SIZE_3, indent=True)


def _attachment_note(doc, attachments) -> None:
    """附件说明: one blank line under the body, 「附件：」 indented two characters, then the titles."""
    _paragraph(doc, "", FANGSONG, SIZE_3)
    for n, item in enumerate(attachments, 1):
        label = "附件：" if n == 1 else "　　　"
        number = f"{n}. " if len(attachments) > 1 else ""
        _paragraph(doc, f"{label}{number}{item.title}", FANGSONG, SIZE_3, indent=True)


def _orient(section, landscape: bool) -> None:
    short, long = Mm(210), Mm(297)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    if landscape:
        section.top_margin, section.bottom_margin = Mm(28), Mm(26)
        section.left_margin, section.right_margin = Mm(37), Mm(35)


def _attachments(doc, attachments) -> None:
    for n, item in enumerate(attachments, 1):
        _orient(doc.add_section(WD_SECTION.NEW_PAGE), item.landscape)
        label = "附件" if len(attachments) == 1 else f"附件{n}"
        _paragraph(doc, label, HEITI, SIZE_3, align=WD_ALIGN_PARAGRAPH.LEFT)
        _title(doc, item.title)
        _blocks(doc, item.blocks)


def build(doc_data: Gongwen) -> bytes:
    """The document as .docx bytes."""
    doc = Document()
    _page(doc)
    _masthead(doc, doc_data.issuer, doc_data.number)
    _title(doc, doc_data.title)
    if doc_data.addressee:
        _paragraph(doc, f"{doc_data.addressee}：", FANGSONG, SIZE_3, align=WD_ALIGN_PARAGRAPH.LEFT)
    for text in doc_data.paragraphs:
        _paragraph(doc, text, FANGSONG, SIZE_3, indent=True)
    _blocks(doc, doc_data.body)
    if doc_data.attachments:
        _attachment_note(doc, doc_data.attachments)
    _signature(doc, doc_data.issuer, doc_data.signed_on)
    if doc_data.copy_to:
        _copy_to(doc, doc_data.copy_to)
    _page_numbers(doc)
    _attachments(doc, doc_data.attachments)
    props = doc.core_properties  # the blank template's own (creator python-docx, an English comment) replaced
    props.title, props.author, props.last_modified_by = doc_data.title, doc_data.issuer, doc_data.issuer
    props.comments = props.keywords = props.subject = props.category = ""
    props.created = props.modified = datetime.now(UTC).replace(tzinfo=None)  # not the blank template's 2013
    out = BytesIO()
    doc.save(out)
    return out.getvalue()
