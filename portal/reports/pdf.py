"""PDF building blocks: a Chinese font embedded in every document, an A4 page, table styles.

The font is the first TrueType CJK font found on the machine (WenQuanYi Micro Hei from Debian's
fonts-wqy-microhei, which `make` installs, or Noto Sans CJK); `PORTAL_PDF_FONT` may name another
.ttf/.ttc file. Without one, ReportLab's built-in STSong-Light CID font is used: readable in PDF
viewers that carry the Adobe Asian fonts, but not embedded.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from functools import lru_cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

FONT_NAME = "PortalCJK"
CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)


@lru_cache(maxsize=1)
def font() -> str:
    """Register and return the name of the CJK font used by every PDF."""
    for path in (os.environ.get("PORTAL_PDF_FONT"), *CANDIDATES):
        if path and os.path.exists(path):
            try:
                pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=0))
                return FONT_NAME
            except Exception:  # noqa: S112 - a font ReportLab cannot read (CFF outlines): try the next
                continue
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def styles() -> dict[str, ParagraphStyle]:
    name = font()
    return {
        "title": ParagraphStyle("title", fontName=name, wordWrap="CJK", fontSize=18, leading=26, alignment=TA_CENTER,
                                spaceAfter=6 * mm),
        "subtitle": ParagraphStyle("subtitle", fontName=name, wordWrap="CJK", fontSize=11, leading=16,
                                   alignment=TA_CENTER,
                                   spaceAfter=4 * mm),
        "body": ParagraphStyle("body", fontName=name, wordWrap="CJK", fontSize=11, leading=18, spaceAfter=2 * mm),
        "heading": ParagraphStyle("heading", fontName=name, wordWrap="CJK", fontSize=12, leading=18, spaceBefore=3 * mm,
                                  spaceAfter=1.5 * mm),
        "cell": ParagraphStyle("cell", fontName=name, wordWrap="CJK", fontSize=9, leading=12),
        "small": ParagraphStyle("small", fontName=name, wordWrap="CJK", fontSize=8, leading=11, textColor=colors.grey),
    }


def para(text: str, style: str = "body") -> Paragraph:
    """A paragraph in the CJK font; `text` is escaped (it may hold user input)."""
    from xml.sax.saxutils import escape

    return Paragraph(escape(text).replace("\n", "<br/>"), styles()[style])


def grid(rows: Sequence[Sequence[object]], col_widths: Sequence[float] | None = None, header_rows: int = 1,
         repeat_header: bool = True) -> Table:
    """A ruled table in the CJK font; strings become wrapping paragraphs."""
    body = [[para(str(c), "cell") if isinstance(c, str) else c for c in row] for row in rows]
    table = Table(body, colWidths=col_widths, repeatRows=header_rows if repeat_header else 0)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font()),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#e8f0ea")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def render(story: list, *, title: str, wide: bool = False, footer: str = "") -> bytes:
    """Lay out `story` on A4 (landscape when wide) with page numbers; return the PDF bytes."""
    buf = io.BytesIO()
    pagesize = landscape(A4) if wide else A4
    doc = SimpleDocTemplate(buf, pagesize=pagesize, title=title, leftMargin=18 * mm, rightMargin=18 * mm,
                            topMargin=18 * mm, bottomMargin=18 * mm, author="乡村公益性岗位管理平台")

    def decorate(canvas, document):
        canvas.saveState()
        canvas.setFont(font(), 8)
        text = f"{footer}  第 {document.page} 页" if footer else f"第 {document.page} 页"
        canvas.drawRightString(pagesize[0] - 18 * mm, 10 * mm, text)
        canvas.restoreState()

    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buf.getvalue()


# ---- long documents: 第 x 页 共 N 页, a watermark per page ------------------------------------------


class Watermark(Flowable):
    """Takes no room; from the page it lands on, every page carries `text` across it ("" for none)."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text
        self.width = self.height = 0

    def wrap(self, avail_width, avail_height):
        return 0, 0

    def draw(self):
        self.canv.portal_watermark = self.text


def _counting_canvas(footer: str, margin: float):
    """A canvas that holds its pages back until the end, so each footer can name the page count."""

    class CountingCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.portal_watermark = ""
            self._held: list[dict] = []

        def showPage(self):  # ReportLab's name
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._held)
            for number, state in enumerate(self._held, start=1):
                self.__dict__.update(state)
                self._decorate(number, total)
                Canvas.showPage(self)
            Canvas.save(self)

        def _decorate(self, number: int, total: int) -> None:
            width, height = self._pagesize
            self.saveState()
            if self.portal_watermark:
                self.setFont(font(), 96)
                self.setFillColor(colors.grey)
                self.setFillAlpha(0.18)
                self.translate(width / 2, height / 2)
                self.rotate(30)
                self.drawCentredString(0, -32, self.portal_watermark)
            self.restoreState()
            self.saveState()
            self.setFont(font(), 8)
            pages = f"第 {number} 页 共 {total} 页"
            self.drawString(margin, 8 * mm, footer)
            self.drawRightString(width - margin, 8 * mm, pages)
            self.restoreState()

    return CountingCanvas


def render_counted(story: list, *, title: str, wide: bool = False, footer: str = "",
                   margin: float = 12 * mm) -> bytes:
    """Like render(), with "第 x 页 共 N 页" on every page and the watermarks that Watermark flowables set."""
    buf = io.BytesIO()
    pagesize = landscape(A4) if wide else A4
    doc = SimpleDocTemplate(buf, pagesize=pagesize, title=title, leftMargin=margin, rightMargin=margin,
                            topMargin=margin, bottomMargin=margin + 4 * mm, author="乡村公益性岗位管理平台")
    doc.build(story, canvasmaker=_counting_canvas(footer, margin))
    return buf.getvalue()
