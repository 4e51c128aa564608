"""Office packages (.xlsx, .docx — zip files) looked at before a parser is allowed near them.

A 5 KB workbook with one cell at XFD20000 made openpyxl build 300 million cells; a 100 KB zip can
declare gigabytes of XML. So, before openpyxl or python-docx open anything:

- the zip's central directory is read (no member is decompressed): member count, every member's
  declared size and their sum are held to limits. `zipfile` never yields more bytes than a member
  declares (it stops and fails the CRC), so the declared sizes bound what any parser can be fed;
- for a workbook, the first sheet's XML is streamed once through a byte scan (no XML parsing) that
  counts rows and cells, finds the highest row and column actually used (not the `<dimension>` the
  file claims) and the merged ranges, and holds them to limits.

Only then is the sheet read, with openpyxl in read-only (streaming) mode, bounded to the rows and
columns asked for. XML entity tricks are handled by defusedxml, which openpyxl uses when installed.
Refusals are `PackageRefused` with a Chinese message for the person who uploaded the file.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field

from defusedxml import ElementTree
from openpyxl import load_workbook

from portal.core.refusals import Refusal

MB = 1024 * 1024


class PackageRefused(Refusal, ValueError):
    """Why an uploaded package cannot be read, in Chinese."""


@dataclass(frozen=True)
class Limits:
    max_members: int = 300  # a workbook from Excel or WPS has 10–40 parts
    max_unpacked: int = 40 * MB  # the sum of every member's declared size
    max_rows: int = 20_002  # the highest row number in the first sheet
    max_columns: int = 64  # the highest column (BL)
    max_cells: int = 300_000  # cells written in the first sheet, empty formatted ones included


@dataclass
class SheetScan:
    rows: int = 0  # the highest row number holding a cell or a row element
    columns: int = 0  # the highest column number holding a cell, when past Z (else 0)
    cells: int = 0
    row_elements: int = 0
    merged: list[str] = field(default_factory=list)  # "A2:B3", in the order written


def open_package(data: bytes, limits: Limits, what: str = "文件") -> zipfile.ZipFile:
    """The zip, after its directory passed the limits; nothing has been decompressed yet."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        members = package.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError):
        raise PackageRefused(f"{what}已损坏或不是有效的压缩包格式，无法打开") from None
    if len(members) > limits.max_members:
        raise PackageRefused(f"{what}内含 {len(members)} 个部件，超过 {limits.max_members} 个的上限，"
                             "不像是正常的 Office 文件")
    unpacked = sum(m.file_size for m in members)
    if unpacked > limits.max_unpacked:
        raise PackageRefused(f"{what}解压后约 {_mb(unpacked)} MB，超过 {limits.max_unpacked // MB} MB 的上限；"
                             "请删除多余的工作表、图片和空白行列后重试，或分批导入")
    if any(m.flag_bits & 0x1 for m in members):
        raise PackageRefused(f"{what}已加密，请取消密码保护后再上传")
    return package


def _mb(size: int) -> str:
    return f"{size / MB:,.0f}" if size >= 10 * MB else f"{size / MB:.1f}"


# ------------------------------------------------------------------------------------ workbooks

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SMALL_PART = 2 * MB  # workbook.xml and its relationships: a few KB in practice


def first_sheet_part(package: zipfile.ZipFile) -> str:
    """The member holding the workbook's first sheet (workbook.xml's first <sheet>, through its rels)."""
    try:
        book = ElementTree.fromstring(_read_small(package, "xl/workbook.xml"))
        rels = ElementTree.fromstring(_read_small(package, "xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, PackageRefused, ValueError):
        raise PackageRefused("文件不是有效的 .xlsx 表格（缺少工作簿结构），请使用下载的模板") from None
    sheet = next((e for e in book.iter() if e.tag.rsplit("}", 1)[-1] == "sheet"), None)
    rid = sheet.get(f"{{{_REL_NS}}}id") if sheet is not None else None
    target = next((r.get("Target") for r in rels.iter() if r.get("Id") == rid), None) if rid else None
    if not target:
        raise PackageRefused("文件中没有工作表，请使用下载的模板")
    part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    if part not in package.namelist():
        raise PackageRefused("文件不是有效的 .xlsx 表格（找不到第一个工作表），请使用下载的模板")
    return part


def _read_small(package: zipfile.ZipFile, name: str) -> bytes:
    if package.getinfo(name).file_size > _SMALL_PART:
        raise PackageRefused(name)
    return package.read(name)


_CHUNK = MB
_TAG_ENDS = (b" ", b">", b"/", b"\n", b"\r", b"\t")  # what may follow an element's name
_ROOT = re.compile(rb"<([\w.-]+:)?worksheet[\s>]")


class _Patterns:
    """What the scan looks for, written with the sheet's own namespace prefix (nearly always none):
    literal starts let the regex engine skip ahead, several times faster than a pattern that tries
    every '<' for an optional prefix."""

    def __init__(self, prefix: bytes):
        p = re.escape(prefix)
        self.cells = [b"<" + prefix + b"c" + end for end in _TAG_ENDS]
        self.rows = [b"<" + prefix + b"row" + end for end in _TAG_ENDS]
        self.row_number = re.compile(rb"<" + p + rb"row\s[^>]*?r=\"(\d{1,7})\"")
        # A cell reference past column Z: only wide columns matter to the limit (at least 26), and a
        # sheet without any (every roster) costs this pattern nothing.
        self.wide_ref = re.compile(rb" r=\"([A-Z]{2,3})\d")
        self.merge = re.compile(rb"<" + p + rb"mergeCell\s[^>]*?ref=\"([A-Z]{1,3}\d{1,7}(?::[A-Z]{1,3}\d{1,7})?)\"")


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + (ch - 64)
    return number


def scan_sheet(package: zipfile.ZipFile, part: str, limits: Limits) -> SheetScan:
    """Count and measure the sheet's cells by scanning its bytes, refusing as soon as a limit is passed.

    The XML is read in 1 MB pieces; each piece is cut after its last '<' so that no tag is split
    between two pieces (the tail is carried over)."""
    try:
        return _scan(package, part, limits)
    except PackageRefused:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError):  # e.g. a member longer than it declares
        raise PackageRefused("文件不是有效的 .xlsx 表格（无法打开），请使用下载的模板") from None


def _scan(package: zipfile.ZipFile, part: str, limits: Limits) -> SheetScan:
    scan = SheetScan()
    carry = b""
    patterns = None
    with package.open(part) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            text = carry + chunk
            cut = text.rfind(b"<") if chunk else len(text)
            if cut < 0:  # no tag starts in this piece: nothing to count, nothing to carry
                carry = b""
                continue
            if cut == 0 and chunk:  # one tag longer than a piece: read on (a tag of 4 MB is no cell)
                carry = text if len(text) < 4 * _CHUNK else b""
                continue
            if patterns is None:
                root = _ROOT.search(text)
                patterns = _Patterns(root.group(1) or b"" if root else b"")
            _scan_piece(text[:cut], scan, patterns)
            _check_sheet(scan, limits)
            carry = text[cut:]
            if not chunk:
                return scan


def _scan_piece(piece: bytes, scan: SheetScan, patterns: _Patterns) -> None:
    scan.cells += sum(piece.count(tag) for tag in patterns.cells)
    scan.row_elements += sum(piece.count(tag) for tag in patterns.rows)
    scan.rows = max(scan.rows, scan.row_elements)  # rows may leave out their number: each is the next
    for letters in set(patterns.wide_ref.findall(piece)):
        scan.columns = max(scan.columns, _column_number(letters))
    for row in patterns.row_number.findall(piece):
        scan.rows = max(scan.rows, int(row))
    scan.merged.extend(m.decode("ascii") for m in patterns.merge.findall(piece))


def _check_sheet(scan: SheetScan, limits: Limits) -> None:
    if scan.cells > limits.max_cells:
        raise PackageRefused(f"第一个工作表中的单元格超过 {limits.max_cells:,} 个（含设置过格式的空白单元格），"
                             "请只保留需要导入的行列后重试，或分批导入")
    if scan.columns > limits.max_columns:
        raise PackageRefused(f"第一个工作表第 {_column_letters(scan.columns)} 列还有内容，超过 {limits.max_columns} 列的上限；"
                             "请删除模板列右侧的所有内容（含空白格式）后重试")
    if scan.rows > limits.max_rows:
        raise PackageRefused(f"第一个工作表第 {scan.rows} 行还有内容，超过 {limits.max_rows - 2:,} 人（{limits.max_rows} 行）的上限；"
                             "请删除末尾多余的行后重试，或分批导入")


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class Sheet:
    rows: list[tuple]  # cell values, row 1 first, each row exactly `columns` wide
    merged: list[str]


def read_first_sheet(data: bytes, limits: Limits, columns: int) -> Sheet:
    """The first sheet's values in its first `columns` columns, after every check above, read in
    openpyxl's streaming mode. Raises PackageRefused."""
    package = open_package(data, limits, "表格文件")
    scan = scan_sheet(package, first_sheet_part(package), limits)

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            rows = list(sheet.iter_rows(min_row=1, max_row=limits.max_rows, max_col=columns, values_only=True))
        finally:
            book.close()
    except PackageRefused:
        raise
    except Exception:  # openpyxl raises many kinds for a broken package
        raise PackageRefused("文件不是有效的 .xlsx 表格（无法打开），请使用下载的模板") from None
    return Sheet(rows, scan.merged)
