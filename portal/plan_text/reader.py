"""`read_plan(path)`: a plan file the office uploads (.txt/.md, .docx, a PDF with a text layer) as a
clause-linked `PlanDocument`.

Each format is first turned into the same two things — numbered blocks of text (a paragraph of a
.docx, a line of a .txt, a joined line run of a PDF page) and tables (rows of cell texts) — and then
`portal.plan_text.structure` builds the clause tree from them, so the numbering rules exist once.
What cannot be read becomes a `Problem` naming the file, the line (paragraph) and the reason in
Chinese; a file that cannot be read at all gives an empty document with its problem.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

from docx import Document
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph

from portal.files.packages import Limits, PackageRefused, open_package
from portal.plan_text.model import PlanDocument, Problem
from portal.plan_text.structure import Block, Table, build_document

SUFFIXES = (".txt", ".md", ".docx", ".pdf")
MAX_BYTES = 20 * 1024 * 1024  # a plan of 200 pages as a PDF is a few MB
MIN_PDF_CHARS_PER_PAGE = 20  # fewer readable characters than this per page: a scan without text
PAGE_NUMBER = re.compile(r"^[-—－–\s]*\d{1,3}[-—－–\s]*$")  # "— 3 —" at a PDF page's foot
SENTENCE_END = tuple("。：:；;！？!?")
NUMBERED_START = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.．、](?!\d)|附件)")


class Unreadable(Exception):
    """The whole file cannot be read: the reason, in Chinese."""


def read_plan(path: str | Path) -> PlanDocument:
    path = Path(path)
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        return _refused(name, f"不支持的文件类型“{suffix or '无扩展名'}”：请上传 .docx、.txt、.md 或带文字层的 .pdf 文件")
    try:
        data = path.read_bytes()
        if len(data) > MAX_BYTES:
            raise Unreadable(f"文件大小超过 {MAX_BYTES // (1024 * 1024)} MB 的上限，请删除图片等内容后重新上传")
        if not data.strip():
            raise Unreadable("文件是空的，没有可读取的内容")
        blocks, tables, problems = LOADERS[suffix](data, name)
    except Unreadable as exc:
        return _refused(name, str(exc))
    return build_document(blocks, tables, problems, name)


def _refused(name: str, reason: str) -> PlanDocument:
    return PlanDocument(title="", number="", issued=None, clauses=[], problems=[Problem(name, 1, reason)])


# ------------------------------------------------------------------------------ plain text


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB 18030 (what Chinese Windows saves a .txt as)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unreadable("文件的文字编码无法识别（既不是 UTF-8 也不是 GBK/GB18030），请另存为 UTF-8 编码的文本后重新上传")


TABLE_LINE = re.compile(r"^\s*\|.*\|\s*$")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def load_text(data: bytes, name: str) -> tuple[list[Block], list[Table], list[Problem]]:
    """Every non-blank line is a block; Markdown pipe tables (`| 序号 | 工作任务 |`) are tables."""
    lines = _decode(data).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[Block] = []
    tables: list[Table] = []
    table: Table | None = None
    for number, line in enumerate(lines, start=1):
        if TABLE_LINE.match(line):
            if table is None:
                table = Table(number, [])
                tables.append(table)
            if not TABLE_RULE.match(line):
                table.rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
            continue
        table = None
        if line.strip():
            blocks.append(Block(number, line))
    return blocks, tables, []


# ------------------------------------------------------------------------------ .docx


def load_docx(data: bytes, name: str) -> tuple[list[Block], list[Table], list[Problem]]:
    """Paragraphs and tables in document order; `line` is the paragraph's number (tables take the
    number of the paragraph position they stand at). The package is checked against the portal's
    limits before python-docx opens it."""
    document = open_docx(data)
    blocks: list[Block] = []
    tables: list[Table] = []
    problems: list[Problem] = []
    number = 0
    auto_numbered = 0
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            number += 1
            paragraph = Paragraph(child, document)
            text = paragraph.text
            if text.strip() and _auto_numbered(paragraph):
                auto_numbered += 1
                if auto_numbered == 1:
                    problems.append(Problem(name, number, "这一段使用了 Word 自动编号，编号本身不在文字中，读不出条款序号；"
                                                          "请在 Word 中把自动编号转换为文本（或手工输入编号）后重新上传"))
            if text.strip():
                blocks.append(Block(number, text))
        elif tag == "tbl":
            table = Table(number + 1, [])
            for row in DocxTable(child, document).rows:
                table.rows.append([cell.text.strip() for cell in row.cells])
            tables.append(table)
    return blocks, tables, problems


def open_docx(data: bytes):
    """A python-docx Document, once the package passed the portal's limits; Unreadable (the reason in
    Chinese) when it does not or python-docx cannot open it. Shared with the 任务分工表 reader."""
    try:
        open_package(data, Limits(), "Word 文件")
    except PackageRefused as exc:
        raise Unreadable(str(exc)) from None

    try:
        return Document(io.BytesIO(data))
    except Exception:  # python-docx raises many kinds for a broken or foreign package
        raise Unreadable("不是有效的 Word (.docx) 文件，无法打开；如果是 .doc 或 WPS 格式，请另存为 .docx 后重新上传") from None


def _auto_numbered(paragraph) -> bool:
    """Word list numbering, on the paragraph or through its style: the number is not in the text."""
    if paragraph._p.find(".//{*}numPr") is not None:
        return True
    style = paragraph.style
    while style is not None:
        if style.element.find(".//{*}numPr") is not None:
            return True
        style = style.base_style
    return False


# ------------------------------------------------------------------------------ PDF


def load_pdf(data: bytes, name: str) -> tuple[list[Block], list[Table], list[Problem]]:
    """The text layer, page by page (pypdf). `line` counts the extracted lines through the whole
    file; the page is named in any problem. Visual line breaks inside a paragraph are joined."""
    from pypdf import PdfReader  # lazy: heavy library, loaded only when this runs
    from pypdf.errors import PdfReadError  # lazy: heavy library, loaded only when this runs

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable("PDF 文件设置了打开密码，请取消密码后重新上传")
        pages = [page.extract_text() or "" for page in reader.pages]
    except Unreadable:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError):
        raise Unreadable("不是有效的 PDF 文件，或文件已损坏，无法打开") from None
    readable = sum(len(re.sub(r"\s", "", text)) for text in pages)
    if not pages or readable < MIN_PDF_CHARS_PER_PAGE * len(pages):
        raise Unreadable(f"这份 PDF 共 {len(pages)} 页，但几乎没有可读取的文字，像是扫描件（图片）；"
                         "请上传 Word 文件或带文字层的 PDF，或先对扫描件做文字识别（OCR）")
    blocks: list[Block] = []
    problems: list[Problem] = []
    number = 0
    for page_number, text in enumerate(pages, start=1):
        page_chars = len(re.sub(r"\s", "", text))
        if page_chars < MIN_PDF_CHARS_PER_PAGE and len(pages) > 1:
            problems.append(Problem(name, number + 1, f"第 {page_number} 页几乎没有可读取的文字（可能是扫描的图片页），这一页的内容未读入"))
        for line in text.split("\n"):
            number += 1
            if not line.strip() or PAGE_NUMBER.match(line):
                continue
            if blocks and _continues(blocks[-1].text, line):
                blocks[-1] = Block(blocks[-1].line, blocks[-1].text.rstrip() + line.strip())
            else:
                blocks.append(Block(number, line))
    return blocks, [], problems


def _continues(previous: str, line: str) -> bool:
    """Whether a PDF line goes on with the previous one (a paragraph wrapped at the page's edge)."""
    return not previous.rstrip().endswith(SENTENCE_END) and not NUMBERED_START.match(line) and len(previous.strip()) > 25


LOADERS = {".txt": load_text, ".md": load_text, ".docx": load_docx, ".pdf": load_pdf}
