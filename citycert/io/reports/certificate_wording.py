"""What a certificate says, shared by its PDF and HTML forms (English and Korean)."""

from __future__ import annotations

from citycert.io.reports.documents import CertificateDoc
from citycert.io.reports.style import Lang

TITLES = {
    "iso37106": ("Certificate of Smart City Maturity", "스마트시티 성숙도 인증서"),
}
DEFAULT_TITLE = ("Certificate of City Indicators", "도시 지표 인증서")
WATERMARKS = {
    "revoked": ("REVOKED", "취소됨"),
    "expired": ("EXPIRED", "기간 만료"),
    "tampered": ("INVALID", "무효"),
}


def title(family: str) -> tuple[str, str]:
    """(English, Korean) title of a certificate of this standard family."""
    return TITLES.get(family, DEFAULT_TITLE)


def year_label(family: str) -> tuple[str, str]:
    """(English, Korean) label of the certificate's year: data year, or assessment year."""
    return ("Assessment year", "평가 연도") if family == "iso37106" else ("Data year", "자료 연도")


def _bracketed(level: str) -> str:
    """`4수준 · 앞서나감` -> `4수준(앞서나감)` for use inside a sentence."""
    head, sep, tail = level.partition(" · ")
    return f"{head}({tail})" if sep else level


def statement(doc: CertificateDoc, lang: Lang) -> list[str]:
    """The sentence that certifies, in the chosen language(s), Korean first."""
    code = doc.standard_code
    if doc.family == "iso37106":
        en = (
            f"has been assessed against the {code} smart city operating model and is "
            f"certified at maturity {_bracketed(doc.level.en)}."
        )
        ko = (
            f"위 도시는 {code} 스마트시티 운영 모델 성숙도 평가 결과 "
            f"{_bracketed(doc.level.ko)}으로 인증되었음을 증명합니다."
        )
    else:
        en = (
            f"has had its {doc.data_year} indicator data independently verified and is "
            f"certified at {doc.level.en} level under {code}."
        )
        ko = (
            f"위 도시는 {doc.data_year}년 지표 자료에 대하여 제3자 검증을 받았으며 "
            f"{code} 인증 {doc.level.ko} 등급을 획득하였음을 증명합니다."
        )
    return [ko, en] if lang == "both" else [ko if lang == "ko" else en]
