"""QR codes for the verification address: PNG for the PDF, inline SVG for the HTML pages."""

from __future__ import annotations

import io

import segno

QR_BORDER = 2  # quiet zone in modules (the page around it is white too)
QR_SCALE = 10  # pixels per module in the PNG


def qr_png(url: str, dark: str = "#1F2A37") -> bytes:
    """A PNG of the QR code of `url` (error correction M, `QR_SCALE` pixels per module)."""
    buf = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        buf, kind="png", scale=QR_SCALE, border=QR_BORDER, dark=dark
    )
    return buf.getvalue()


def qr_svg(url: str, dark: str = "#1F2A37", scale: int = 4) -> str:
    """An inline `<svg>` element of the QR code of `url`."""
    return str(
        segno.make(url, error="m", micro=False).svg_inline(scale=scale, border=QR_BORDER, dark=dark)
    )


def qr_matrix(url: str) -> tuple[tuple[bool, ...], ...]:
    """The dark modules of the QR code of `url`, without the quiet zone (for checks)."""
    code = segno.make(url, error="m", micro=False)
    return tuple(tuple(bool(m) for m in row) for row in code.matrix)
