"""The PDF base every report uses: embedded Korean fonts, colours, text helpers, the footer."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from fpdf import FPDF

from citycert.io.reports.fonts import FontSet, find_fonts
from citycert.io.reports.style import BRAND, INK, MUTED, PAPER, RULE, Lang, Rgb, pick
from citycert.standards.models import Text

# fontTools reports every hinting table of the Nanum fonts it cannot subset; harmless noise.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

SANS = "nanum"
DISPLAY = "display"


class ReportPDF(FPDF):
    """An A4 document with the Nanum fonts embedded (Unicode, subset) and a verification footer."""

    def __init__(
        self,
        *,
        title: str,
        lang: Lang,
        landscape: bool = False,
        footer_text: str = "",
        fonts: FontSet | None = None,
    ) -> None:
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
        found = fonts or find_fonts()
        self.add_font(SANS, "", str(found.regular))
        self.add_font(SANS, "B", str(found.bold))
        self.add_font(DISPLAY, "", str(found.display))
        self.lang_mode = lang
        self.footer_text = footer_text
        self.set_title(title)
        self.set_author("CityCert")
        self.set_creator("CityCert")
        self.set_lang("en" if lang == "en" else "ko")
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=20)

    # --- text ---------------------------------------------------------------------------------

    def use(
        self, size: float, *, bold: bool = False, colour: Rgb = INK, family: str = SANS
    ) -> None:
        """Set font, size and text colour in one call."""
        self.set_font(family, "B" if bold and family == SANS else "", size)
        self.set_text_color(*colour)

    def line_of(
        self,
        text: str,
        size: float,
        *,
        bold: bool = False,
        colour: Rgb = INK,
        align: str = "L",
        height: float | None = None,
        width: float = 0,
        family: str = SANS,
    ) -> None:
        """One line of text at the cursor, then move to the next line."""
        self.use(size, bold=bold, colour=colour, family=family)
        self.cell(width, height or size * 0.5, text, align=align, new_x="LMARGIN", new_y="NEXT")

    def heading(self, en: str, ko: str, *, size: float = 13) -> None:
        """A section heading in the chosen language(s), with a thin rule under it."""
        self.ln(3)
        self.line_of(pick(en, ko, self.lang_mode), size, bold=True)
        y = self.get_y() + 0.8
        self.set_draw_color(*RULE)
        self.set_line_width(0.3)
        self.line(self.l_margin, y, self.w - self.r_margin, y)
        self.ln(3)

    def wrap(self, width: float, line_height: float, text: str) -> list[str]:
        """The lines `text` breaks into at `width` in the current font (nothing is drawn)."""
        lines = self.multi_cell(width, line_height, text, dry_run=True, output="LINES")
        return list(lines) if isinstance(lines, list) else [text]

    def paragraph(self, text: str, size: float = 9, colour: Rgb = INK) -> None:
        self.use(size, colour=colour)
        self.multi_cell(0, size * 0.48, text, align="L", new_x="LMARGIN", new_y="NEXT")

    # --- page furniture -----------------------------------------------------------------------

    def masthead(self, heading: str, city: Text) -> None:
        """The brand band naming the report, then the city's name in the chosen language(s)."""
        self.set_fill_color(*BRAND)
        self.rect(0, 0, self.w, 9, style="F")
        self.set_xy(self.l_margin, 2.2)
        self.use(8, bold=True, colour=PAPER)
        self.cell(0, 5, f"CityCert  ·  {heading}")
        self.set_y(16)
        if self.lang_mode in ("ko", "both"):
            self.line_of(city.ko, 24, family=DISPLAY, height=11)
        if self.lang_mode in ("en", "both"):
            self.line_of(city.en, 13 if self.lang_mode == "both" else 24, colour=MUTED, height=7)
        self.ln(1)

    def footer(self) -> None:
        if not self.footer_text:
            return
        self.set_y(-13)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(1.5)
        self.use(7, colour=MUTED)
        self.cell(0, 4, self.footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, f"{self.page_no()} / {{nb}}", align="R")

    @contextmanager
    def faded(self, opacity: float) -> Iterator[None]:
        """Draw with transparent fills and strokes (chart areas, watermarks)."""
        with self.local_context(fill_opacity=opacity, stroke_opacity=min(1.0, opacity * 2)):
            yield


def output_bytes(pdf: FPDF) -> bytes:
    return bytes(pdf.output())
