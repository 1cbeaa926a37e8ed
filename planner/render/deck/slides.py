"""The slide writer: a 16:9 python-pptx deck in a theme, every text run 18 pt or larger, stable bytes.

Text is cut to fit one line of its box (an ellipsis marks the cut), so nothing overflows a slide;
the sections (`sections.py`) keep each slide to what fits.
"""
from __future__ import annotations

import datetime
import functools
import io
from dataclasses import dataclass

from PIL import ImageFont
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR
from pptx.util import Emu, Inches, Pt

from planner.render.archive import stable_zip
from planner.render.machine import REFERENCE_FONT
from planner.render.theme import Theme

WIDTH, HEIGHT = 40 / 3, 7.5         # inches: a 16:9 slide
MARGIN = 0.6
BODY_TOP = 1.45                    # inches: below the title
TITLE_PT, BODY_PT, MIN_PT = 32, 20, 18
ROW = 0.46                         # inches: one table row of 18 pt text
ROWS = 10                          # table rows below the header that fit the body
BOX_ROWS = 2                       # rows of six-line boxes that fit the body
FONT = "Arial"                     # Liberation Sans where Arial is not installed (same metrics)
FIXED_TIME = datetime.datetime(2014, 10, 15)  # document created/modified: fixed for byte-stable files


@dataclass(frozen=True)
class Box:
    """A labelled box of the overview picture: a bold first line, then plain lines."""

    lines: list[str]
    accent: str  # hex colour of its left bar


def fit(text: str, inches: float, size: float = MIN_PT, bold: bool = False) -> str:
    """`text` cut to one line of a box `inches` wide at `size` points (an ellipsis marks a cut)."""
    room = inches * 0.95  # PowerPoint and Impress lay out a little wider than the font's advance widths
    if _inches(text, size, bold) <= room:
        return text
    while text and _inches(text + "…", size, bold) > room:
        text = text[:-1]
    return text.rstrip() + "…"


def _inches(text: str, size: float, bold: bool) -> float:
    font = _font(bold)
    if font is None:
        return len(text) * 0.62 * size / 72  # no font file: a wide average letter
    return font.getlength(text) * size / 100 / 72


@functools.cache
def _font(bold: bool):
    """Liberation Sans (Arial's metrics) at 100 px, as the diagrams use it; None when it is not installed."""
    try:
        return ImageFont.truetype(REFERENCE_FONT.replace("Regular", "Bold") if bold else REFERENCE_FONT, 100)
    except OSError:
        return None


class Deck:
    """A presentation being built, one slide per call."""

    def __init__(self, theme: Theme, title: str):
        self.theme = theme
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = Inches(WIDTH), Inches(HEIGHT)
        props = self.prs.core_properties
        props.author = props.last_modified_by = "stampplan"
        props.title, props.revision = title, 1
        props.created = props.modified = FIXED_TIME

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.prs.save(buffer)
        return stable_zip(buffer.getvalue())

    # ---- slides ----------------------------------------------------------------------------------
    def cover(self, title: str, subtitle: str, lines: list[str]) -> None:
        slide = self._slide()
        self._text(slide, MARGIN, 2.0, WIDTH - 2 * MARGIN, 1.1, [title], 44, bold=True)
        self._text(slide, MARGIN, 3.2, WIDTH - 2 * MARGIN, 0.6, [subtitle], 24, colour=self.theme.muted)
        self._text(slide, MARGIN, 4.2, WIDTH - 2 * MARGIN, 2.6, lines, BODY_PT)

    def bullets(self, title: str, lines: list[str], columns: int = 1) -> None:
        slide = self._titled(title)
        width = (WIDTH - 2 * MARGIN - 0.3 * (columns - 1)) / columns
        per = -(-len(lines) // columns) if lines else 0
        for c in range(columns):
            chunk = lines[c * per:(c + 1) * per]
            self._text(slide, MARGIN + c * (width + 0.3), BODY_TOP, width, HEIGHT - BODY_TOP - 0.4,
                       [f"• {line}" for line in chunk], BODY_PT, spacing=6)

    def table(self, title: str, head: list[str], rows: list[list[str]], widths: list[float],
              note: str | None = None) -> None:
        """A table of at most ROWS rows (the sections cut longer ones) with a note line below."""
        slide = self._titled(title)
        scale = (WIDTH - 2 * MARGIN) / sum(widths)
        inches = [w * scale for w in widths]
        shape = slide.shapes.add_table(len(rows) + 1, len(head), Inches(MARGIN), Inches(BODY_TOP),
                                       Inches(WIDTH - 2 * MARGIN), Inches(ROW * (len(rows) + 1)))
        grid = shape.table
        grid.first_row, grid.horz_banding = True, False
        for i, w in enumerate(inches):
            grid.columns[i].width = Emu(int(Inches(w)))
        for r, values in enumerate([head, *rows]):
            grid.rows[r].height = Inches(ROW)
            for c, value in enumerate(values):
                cell = grid.cell(r, c)
                cell.fill.solid()
                cell.fill.fore_color.rgb = _rgb(self.theme.panel if r == 0 else self.theme.background)
                cell.margin_left = cell.margin_right = Inches(0.08)
                cell.margin_top = cell.margin_bottom = Inches(0.04)
                cell.vertical_anchor = MSO_ANCHOR.MIDDLE
                self._fill(cell.text_frame, [fit(value, inches[c] - 0.16, bold=r == 0)], MIN_PT, bold=r == 0)
        if note:
            top = BODY_TOP + ROW * (len(rows) + 1) + 0.25
            self._text(slide, MARGIN, top, WIDTH - 2 * MARGIN, 0.5, [note], MIN_PT, colour=self.theme.muted)

    def picture(self, png: bytes) -> None:
        """A full-slide drawing (it carries its own title and legend)."""
        slide = self._slide()
        slide.shapes.add_picture(io.BytesIO(png), 0, 0, self.prs.slide_width, self.prs.slide_height)

    def boxes(self, title: str, frame: str, boxes: list[Box], note: str | None = None) -> None:
        """A picture of boxes in a labelled frame, up to four a row and BOX_ROWS rows."""
        slide = self._titled(title)
        cols = min(4, max(1, len(boxes)))
        rows = -(-len(boxes) // cols)
        lines = max((len(b.lines) for b in boxes), default=1)
        box_h, gap = 0.3 + 0.32 * lines, 0.25
        width = WIDTH - 2 * MARGIN
        outer = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, Inches(MARGIN), Inches(BODY_TOP),
                                       Inches(width), Inches(0.75 + rows * (box_h + gap)))
        self._paint(outer, self.theme.panel, self.theme.panel_line)
        outer.adjustments[0] = 0.04
        self._text(slide, MARGIN + 0.2, BODY_TOP + 0.1, width - 0.4, 0.5, [frame], MIN_PT, bold=True)
        box_w = (width - 0.4 - gap * (cols - 1)) / cols
        for i, box in enumerate(boxes):
            left = MARGIN + 0.2 + (i % cols) * (box_w + gap)
            top = BODY_TOP + 0.7 + (i // cols) * (box_h + gap)
            shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(left), Inches(top), Inches(box_w),
                                           Inches(box_h))
            self._paint(shape, self.theme.node, self.theme.node_line)
            bar = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(left), Inches(top), Inches(0.12),
                                         Inches(box_h))
            self._paint(bar, box.accent, box.accent)
            self._text(slide, left + 0.2, top + 0.1, box_w - 0.3, box_h - 0.2,
                       box.lines, MIN_PT, first_bold=True)
        if note:
            self._text(slide, MARGIN, HEIGHT - 0.8, width, 0.5, [note], MIN_PT, colour=self.theme.muted)

    # ---- parts -----------------------------------------------------------------------------------
    def _slide(self):
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[6])  # blank
        fill = slide.background.fill
        fill.solid()
        fill.fore_color.rgb = _rgb(self.theme.background)
        return slide

    def _titled(self, title: str):
        slide = self._slide()
        self._text(slide, MARGIN, 0.4, WIDTH - 2 * MARGIN, 0.8, [fit(title, WIDTH - 2 * MARGIN, TITLE_PT, bold=True)],
                   TITLE_PT, bold=True)
        return slide

    def _text(self, slide, left: float, top: float, width: float, height: float, lines: list[str], size: float,
              bold: bool = False, colour: str | None = None, spacing: float = 0, first_bold: bool = False) -> None:
        box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        frame = box.text_frame
        frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
        lines = [fit(line, width, size, bold or (first_bold and i == 0)) for i, line in enumerate(lines)]
        self._fill(frame, lines, size, bold, colour, spacing, first_bold)

    def _fill(self, frame, lines: list[str], size: float, bold: bool = False, colour: str | None = None,
              spacing: float = 0, first_bold: bool = False) -> None:
        frame.word_wrap = True
        for i, line in enumerate(lines or [""]):
            para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            para.space_after = Pt(spacing)
            run = para.add_run()
            run.text = line
            run.font.size, run.font.name = Pt(max(size, MIN_PT)), FONT
            run.font.bold = bold or (first_bold and i == 0)
            run.font.color.rgb = _rgb(colour or self.theme.text)

    def _paint(self, shape, fill: str, line: str) -> None:
        shape.fill.solid()
        shape.fill.fore_color.rgb = _rgb(fill)
        shape.line.color.rgb = _rgb(line)
        shape.shadow.inherit = False


def _rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#"))
