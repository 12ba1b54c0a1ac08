"""The template's first sheet: how to fill it in, in Korean and English."""

from __future__ import annotations

from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from citycert.standards.catalog import Catalog
from citycert.standards.models import Text

# (Korean, English) paragraphs; {year} is the data year.
STEPS: tuple[tuple[str, str], ...] = (
    (
        "주제별 시트마다 입력값 하나가 한 행입니다. '값' 열에 {year}년 수치를 입력하십시오.",
        "Each theme sheet has one row per input. Type the {year} figure in the 'Value' column.",
    ),
    (
        "'단위' 열에 적힌 단위로 입력하십시오. 백분율은 0~100 사이 숫자로 씁니다 (12.5% → 12.5). "
        "천 단위 쉼표(1,234,567)는 써도 됩니다.",
        "Give each figure in the unit shown in the 'Unit' column. Percentages are numbers from "
        "0 to 100 (12.5 % → 12.5). Thousands separators (1,234,567) are fine.",
    ),
    (
        "빈칸은 '보고하지 않음'을 뜻합니다. 빈칸으로 가져와도 이미 저장된 값은 지워지지 않습니다.",
        "A blank cell means 'not reported'. Importing a blank cell never erases a stored value.",
    ),
    (
        "회색 열(지표, 입력값, 설명, 단위, 작년 값)은 참고용이므로 고치지 마십시오. "
        "숨겨진 열과 숨겨진 시트도 그대로 두십시오. 행을 지우거나 순서를 바꾸어도 됩니다.",
        "Do not edit the grey columns (Indicator, Input, Description, Unit, Last year); leave "
        "hidden columns and hidden sheets as they are. Deleting or sorting rows is fine.",
    ),
    (
        "'출처' 열에 수치마다 출처를 쓰십시오: 기관, 통계표 또는 문서 이름, 기준 연도, 웹 주소 "
        "(예: 통계청 KOSIS 경제활동인구조사 2023, https://kosis.kr). 증빙 파일(PDF 등)은 CityCert "
        "포털의 해당 지표 화면에서 '증빙 자료'로 첨부하십시오.",
        "In the 'Source' column give the source of each figure: body, table or document, "
        "reference year and web address (e.g. Statistics Korea KOSIS labour force survey 2023, "
        "https://kosis.kr). Attach evidence files (PDF and so on) on the indicator's page in "
        "the CityCert portal, under 'Evidence'.",
    ),
    (
        "'품질' 열: A = 공식·감사 완료 통계, B = 공식 행정 자료, C = 일부 자료로 추산, "
        "D = 대략적 추정.",
        "'Quality' column: A = official, audited statistics; B = official administrative "
        "records; C = estimated from partial data; D = rough estimate.",
    ),
    (
        "'작년 값' 열은 비교용으로 {last_year}년에 저장된 값을 보여 줍니다.",
        "The 'Last year' column shows the value stored for {last_year}, for comparison.",
    ),
    (
        "다 쓴 뒤 가져오기: citycert import 파일.xlsx --dry-run 으로 먼저 확인하고, "
        "문제가 없으면 --dry-run 없이 다시 실행하십시오. 문제가 하나라도 있으면 아무것도 "
        "저장되지 않으며, 모든 문제의 위치와 고치는 방법을 한꺼번에 알려 줍니다.",
        "When done, import: check first with citycert import FILE.xlsx --dry-run, then run it "
        "again without --dry-run. If there is any problem nothing is saved, and every problem "
        "is listed with its place and how to fix it.",
    ),
    (
        "이 서식을 만든 뒤 다른 사람이 같은 값을 바꾸었다면 덮어쓰지 않고 충돌로 알려 줍니다. "
        "그때는 새 서식을 만들어 다시 입력하십시오.",
        "If someone else changed a value after this template was made, it is reported as a "
        "conflict and not overwritten; make a fresh template and enter the figure there.",
    ),
)


def write_instructions(ws: Worksheet, catalog: Catalog, city: Text, year: int, lang: str) -> None:
    """Fill the instructions sheet in `ko`, `en` or `both`."""
    langs = ("ko", "en") if lang == "both" else (lang,)
    ws.column_dimensions["A"].width = 110
    titles = {
        "ko": f"{city.ko} {year}년 자료 입력 서식 — {catalog.data.title.ko}",
        "en": f"{city.en} {year} data-entry template — {catalog.data.title.en}",
    }
    row = 1
    for x in langs:
        ws.cell(row, 1, titles[x]).font = Font(bold=True, size=14)
        row += 1
    ws.cell(
        row,
        1,
        f"{catalog.data.standard}:{catalog.data.edition} · {catalog.key} "
        f"(catalogue {catalog.version})",
    )
    row += 2
    for n, (ko, en) in enumerate(STEPS, start=1):
        for x in langs:
            text = ko if x == "ko" else en
            c = ws.cell(row, 1, f"{n}. " + text.format(year=year, last_year=year - 1))
            c.alignment = Alignment(wrap_text=True, vertical="top")
            row += 1
        row += 1
    ws.protection.sheet = True
