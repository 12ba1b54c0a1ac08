"""Finding a TrueType font with Hangul for the PDF reports, at run time.

Order: `CITYCERT_PDF_FONT` (a .ttf file), then fontconfig (`fc-match NanumGothic`), then the
places Debian, other Linux systems and macOS put the Nanum fonts. Nothing found is an error that
names the package to install, because a PDF with blank boxes for Korean text is worse than none.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from citycert.settings import get_settings

FAMILY = "NanumGothic"
PACKAGE = "fonts-nanum"
KNOWN_DIRS = (
    Path("/usr/share/fonts/truetype/nanum"),
    Path("/usr/share/fonts/nanum"),
    Path("/usr/share/fonts/naver-nanum"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
    Path.home() / ".fonts",
    Path("/Library/Fonts"),
    Path.home() / "Library/Fonts",
)


class FontNotFound(RuntimeError):
    """No usable Korean font; the message says how to install one (English and Korean)."""

    def __init__(self, detail: str) -> None:
        self.message_en = (
            f"no Korean font for PDF reports ({detail}): install the Debian package {PACKAGE} "
            f"(`sudo apt-get install {PACKAGE}`, part of `make setup`) or set CITYCERT_PDF_FONT "
            "to a TrueType font file with Hangul"
        )
        self.message_ko = (
            f"PDF 보고서에 쓸 한글 글꼴이 없습니다({detail}). {PACKAGE} 패키지를 설치하거나"
            f"(`sudo apt-get install {PACKAGE}`) CITYCERT_PDF_FONT에 한글 TrueType 글꼴 파일을 "
            "지정하십시오"
        )
        super().__init__(f"{self.message_en} / {self.message_ko}")


@dataclass(frozen=True)
class FontSet:
    regular: Path
    bold: Path
    # Titles on certificates: a serif (Nanum Myeongjo Bold) when installed beside, else bold.
    display: Path


def _set(regular: Path, bold: Path) -> FontSet:
    serif = regular.with_name(f"NanumMyeongjoBold{regular.suffix}")
    return FontSet(regular, bold, serif if _usable(serif) else bold)


def _bold_beside(regular: Path) -> Path:
    """`NanumGothic.ttf` -> `NanumGothicBold.ttf` when present, else the regular file itself."""
    for name in (f"{regular.stem}Bold{regular.suffix}", f"{regular.stem}-Bold{regular.suffix}"):
        candidate = regular.with_name(name)
        if candidate.is_file():
            return candidate
    return regular


def _usable(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in (".ttf", ".otf")


def _fc_match(pattern: str) -> Path | None:
    if shutil.which("fc-match") is None:
        return None
    try:
        out = subprocess.run(
            ["fc-match", "--format=%{file}", pattern],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return None
    # fc-match always answers with something; only a Nanum file is what was asked for.
    path = Path(out) if out else None
    return path if path and "nanum" in path.name.lower() and _usable(path) else None


def find_fonts(override: str | None = None) -> FontSet:
    """The regular and bold font files to embed; FontNotFound names the package to install."""
    chosen = override if override is not None else get_settings().pdf_font
    if chosen:
        path = Path(chosen).expanduser()
        if not _usable(path):
            raise FontNotFound(f"CITYCERT_PDF_FONT={chosen} is not a .ttf or .otf file")
        return _set(path, _bold_beside(path))
    regular = _fc_match(f"{FAMILY}:style=Regular")
    if regular is not None:
        bold = _fc_match(f"{FAMILY}:style=Bold") or _bold_beside(regular)
        return _set(regular, bold)
    for folder in KNOWN_DIRS:
        candidate = folder / f"{FAMILY}.ttf"
        if _usable(candidate):
            return _set(candidate, _bold_beside(candidate))
    raise FontNotFound(f"{FAMILY} not found by fc-match or in the usual font folders")
