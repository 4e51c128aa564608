"""The printable 结业证书: one A4 page (or the same layout scaled onto A5), Chinese text in reportlab's built-in CID font STSong-Light (the
PDF viewer supplies the glyphs: no font file ships or is embedded), a QR code of the verification link.

Pure: takes the certificate's printed fields and the link, returns PDF bytes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph

from portal.core.labels import zh_date

FONT = "STSong-Light"
SIZES = {"a4": A4, "a5": A5}  # A5 prints the A4 layout scaled (1:0.70), so both read the same
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


@dataclass(frozen=True)
class Printed:
    number: str
    check_code: str
    name: str
    post: str
    place: str
    module: str
    hours: str
    completed_on: str  # 2026年12月7日
    expires_on: str  # "" = no term
    issuer: str
    verify_url: str


def _centered(c: canvas.Canvas, text: str, y: float, size: float) -> None:
    c.setFont(FONT, size)
    c.drawCentredString(A4[0] / 2, y, text)


def _qr(c: canvas.Canvas, url: str, x: float, y: float, size: float) -> None:
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, c, x, y)


def certificate_pdf(p: Printed, size: str = "a4") -> bytes:
    buf = BytesIO()
    width, height = A4
    page = SIZES.get(size, A4)
    c = canvas.Canvas(buf, pagesize=page, pageCompression=1)
    if page is not A4:
        scale = min(page[0] / width, page[1] / height)
        c.translate((page[0] - width * scale) / 2, (page[1] - height * scale) / 2)
        c.scale(scale, scale)
    c.setTitle(f"结业证书 {p.number}")
    c.setAuthor(p.issuer)
    c.setStrokeColorRGB(0.6, 0.1, 0.1)
    c.setLineWidth(3)
    c.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
    c.setLineWidth(0.8)
    c.rect(19 * mm, 19 * mm, width - 38 * mm, height - 38 * mm)
    c.setFillColorRGB(0.6, 0.1, 0.1)
    _centered(c, "结 业 证 书", height - 62 * mm, 36)
    c.setFillColorRGB(0, 0, 0)
    c.setFont(FONT, 11)
    c.drawRightString(width - 30 * mm, height - 76 * mm, f"证书编号：{p.number}")

    body = ParagraphStyle("body", fontName=FONT, fontSize=16, leading=30, wordWrap="CJK", firstLineIndent=32)
    text = (f"{p.name}同志（{p.post}，{p.place}）于{p.completed_on}完成“{p.module}”培训，"
            f"计{p.hours}学时。特发此证。")
    para = Paragraph(text, body)
    _, h = para.wrap(width - 60 * mm, 80 * mm)
    para.drawOn(c, 30 * mm, height - 92 * mm - h)

    rows = [("姓　　名", p.name), ("岗　　位", p.post), ("所 在 地", p.place), ("培训内容", p.module),
            ("学　　时", p.hours), ("完成日期", p.completed_on)]
    if p.expires_on:
        rows.append(("有效期至", p.expires_on))
    y = height - 112 * mm - h
    label_style = ParagraphStyle("cell", fontName=FONT, fontSize=12, leading=16, wordWrap="CJK")
    for label, value in rows:
        c.setFont(FONT, 12)
        c.drawString(40 * mm, y, label)
        cell = Paragraph(value, label_style)
        _, ch = cell.wrap(width - 105 * mm, 40 * mm)
        cell.drawOn(c, 70 * mm, y - ch + 12)
        y -= max(ch, 16) + 6

    c.setFont(FONT, 16)
    c.drawRightString(width - 35 * mm, 72 * mm, p.issuer)
    c.setFont(FONT, 13)
    c.drawRightString(width - 35 * mm, 62 * mm, p.completed_on)

    _qr(c, p.verify_url, 30 * mm, 30 * mm, 34 * mm)
    c.setFont(FONT, 9)
    c.drawString(68 * mm, 56 * mm, "扫描二维码或访问下列网址核验本证书：")
    c.drawString(68 * mm, 50 * mm, p.verify_url)
    c.drawString(68 * mm, 44 * mm, f"验证码：{p.check_code}")
    c.showPage()
    c.save()
    return buf.getvalue()


def zh(d: date | None) -> str:
    return zh_date(d) if d else ""
