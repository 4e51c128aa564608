"""A Word document as the portal writes one (python-docx): A4 with an office document's margins, 宋体,
the portal as author, headings and grid tables by style resolved once. Used by the 通报 and the
任务分工表 exports."""
from __future__ import annotations

import io
from datetime import UTC, datetime

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from portal.export_text import docx_text


def new_document(title: str, landscape: bool = False):
    """(document, styles): an empty A4 document titled ``title`` (not yet written into it)."""
    doc = Document()
    a4(doc.sections[0], landscape)
    props = doc.core_properties  # the template's own (author "python-docx", 2013) would show in 属性
    props.author = props.last_modified_by = "儿童福利政策落实门户"
    props.title, props.comments, props.keywords = docx_text(title), "", ""
    props.created = props.modified = datetime.now(UTC).replace(tzinfo=None)
    props.revision = 1
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    style.font.size = Pt(12)
    # Styles looked up by name once: python-docx resolves a name on every heading and table otherwise
    # (a third of the file's time).
    return doc, Styles(doc)


def to_bytes(doc) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def a4(section, landscape: bool = False) -> None:
    """A4 (python-docx's template is US Letter), with the margins of an office document."""
    width, height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = width, height
    section.top_margin = section.bottom_margin = Mm(25)
    section.left_margin = section.right_margin = Mm(20)


class Styles:
    """The document's heading and table styles, resolved once."""

    def __init__(self, doc) -> None:
        self.doc = doc
        self.headings = {level: doc.styles["Title" if level == 0 else f"Heading {level}"] for level in (0, 1, 2)}
        self.grid = doc.styles["Table Grid"]

    def heading(self, text: str, level: int):
        return self.doc.add_paragraph(docx_text(text), self.headings[level])

    def table(self, headers: list[str], rows: list[list[str]]):
        table = self.doc.add_table(rows=1, cols=len(headers))
        table.style = self.grid
        for cell, text in zip(table.rows[0].cells, headers, strict=False):
            cell.text = docx_text(text)
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for row in rows:
            cells = table.add_row().cells
            for cell, text in zip(cells, row, strict=False):
                cell.text = docx_text(str(text))
        return table
