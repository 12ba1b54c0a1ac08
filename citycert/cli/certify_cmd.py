"""`citycert certify`: the certification level a set of verified indicators reaches.

The verified set comes from a file today (`--verified`); a `--cycle ID` source reading the store
can build the same `CertifyRequest` and reuse the rest of the command.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import typer
from rich.table import Table

from citycert.cli.common import (
    Lang,
    OutputFormat,
    console,
    fail,
    print_json,
    print_problems,
    user_errors,
)
from citycert.domain.certification import (
    Outcome,
    RulesMismatchError,
    UnknownIndicatorsError,
    assess,
)
from citycert.domain.gap import GapPlan, plan_gap
from citycert.io.inputs_csv import read_inputs_csv
from citycert.io.problems import FileProblems, Problem, problem_maker
from citycert.io.text_file import read_text
from citycert.standards.catalog import Catalog, UnknownCatalogError, get_catalog
from citycert.standards.levels import (
    LevelRulesFile,
    UnknownLevelRulesError,
    get_level_rules,
    load_level_rules,
)
from citycert.standards.yaml_loader import StandardsFileError

HELP = """Certification level from the indicators that passed third-party verification.

--verified FILE holds one indicator number per line (blank lines and # comments are fine) or is
a CSV file with an `indicator` column. Exit code: 0 with a result (whatever the level), 2 for
bad input (unknown numbers, unreadable files, unknown standard).
"""

HINT_EN = "write one indicator number per line, or a CSV file with an 'indicator' column"
HINT_KO = "한 줄에 지표 번호 하나씩 쓰거나, 'indicator' 열이 있는 CSV 파일을 사용하십시오"


@dataclass(frozen=True)
class CertifyRequest:
    """Everything one certification run looks at, whatever its source (a file or the store)."""

    catalog: Catalog
    rules: LevelRulesFile
    verified: set[str]
    # What the numbers came from, for messages: a file name (later: a reporting cycle).
    source: str


_problem = problem_maker(HINT_EN, HINT_KO)


def read_verified_file(path: Path, catalog: Catalog) -> set[str]:
    """The verified numbers in a file; FileProblems names every bad line and unknown number.

    Line numbers are those of the file (in a CSV file the header is line 1).
    """
    name = str(path)
    lines = [
        (no, line)
        for no, line in enumerate(read_text(path, HINT_EN, HINT_KO).splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        return set()
    header = [c.strip().lower() for c in next(csv.reader([lines[0][1]]))]
    column = "indicator" if "indicator" in header else None
    entries: list[tuple[int, str]] = []
    problems = []
    if column:
        at = header.index(column)
        for no, line in lines[1:]:
            cells = next(csv.reader([line]))
            entries.append((no, cells[at].strip() if at < len(cells) else ""))
    else:
        for no, line in lines:
            number = line.split("#", 1)[0].strip()
            if "," in number or len(number.split()) > 1:
                en = f"expected one indicator number, got {line!r}"
                ko = f"지표 번호 하나가 와야 하는데 {line!r}이(가) 있습니다"
                problems.append(_problem(name, no, None, en, ko))
                continue
            entries.append((no, number))
    verified: set[str] = set()
    for no, number in entries:
        if not number or number in verified:
            continue
        if catalog.get(number) is None:
            key = catalog.key
            problems.append(
                Problem(
                    file=name,
                    row=no,
                    column=column,
                    message_en=f"unknown indicator {number!r} in {key}",
                    message_ko=f"{key}에 없는 지표 번호 {number!r}",
                    hint_en=f"use a number from `citycert catalog list --standard {key}`",
                    hint_ko=f"`citycert catalog list --standard {key}`로 번호를 확인하십시오",
                )
            )
        verified.add(number)
    if problems:
        raise FileProblems(problems)
    return verified


def fail_on_problems(problems: list[Problem], lang: Lang, what: str) -> NoReturn:
    """Print every problem in the chosen language, then exit with code 2."""
    print_problems(sorted(problems, key=lambda p: (p.file, p.row or 0)), lang)
    if lang is Lang.ko:
        fail(f"{what}에 문제 {len(problems)}건이 있어 아무것도 평가하지 않았습니다")
    fail(f"{len(problems)} problem(s) in {what}; nothing was assessed")


def request_from_file(
    standard: str, verified: Path, rules: Path | None, lang: Lang
) -> CertifyRequest:
    """Build a request from a catalogue key, a verified-numbers file and optional own rules."""
    with user_errors(UnknownCatalogError, UnknownLevelRulesError, StandardsFileError):
        catalog = get_catalog(standard)
        level_rules = load_level_rules(rules) if rules else get_level_rules(catalog.key)
    try:
        numbers = read_verified_file(verified, catalog)
    except FileProblems as exc:
        fail_on_problems(exc.problems, lang, str(verified))
    return CertifyRequest(catalog, level_rules, numbers, str(verified))


def _progress(catalog: Catalog, inputs: Path | None, lang: Lang) -> dict[str, tuple[int, int]]:
    """Collected inputs per indicator from a raw-input CSV (for the gap plan)."""
    if inputs is None:
        return {}
    try:
        raw = read_inputs_csv(inputs, catalog)
    except FileProblems as exc:
        fail_on_problems(exc.problems, lang, str(inputs))
    out = {}
    for number, given in raw.items():
        ind = catalog.get(number)
        total = len(ind.formula.inputs) if ind and ind.formula else len(given)
        out[number] = (sum(1 for v in given.values() if v.value is not None), total)
    return out


def run(req: CertifyRequest) -> Outcome:
    """Assess a request; bad rules or unknown numbers end the command with exit code 2."""
    with user_errors(UnknownIndicatorsError, RulesMismatchError):
        return assess(req.catalog, req.rules, req.verified)


def render_table(outcome: Outcome, plan: GapPlan | None, lang: Lang) -> None:
    ko = lang is Lang.ko

    def say(en: str, ko_text: str) -> str:
        return ko_text if ko else en

    none = say("none", "없음")
    table = Table(show_header=False)
    table.add_row(say("standard", "표준"), outcome.standard)
    table.add_row(say("rules", "등급 규칙"), f"{outcome.rules} ({outcome.rules_version})")
    table.add_row(say("verified", "검증 지표"), str(outcome.verified_count))
    table.add_row(say("core", "핵심 지표"), f"{outcome.core_verified}/{outcome.core_total}")
    table.add_row(say("level", "등급"), outcome.level.name.get(lang) if outcome.level else none)
    table.add_row(
        say("next level", "다음 등급"),
        outcome.next_level.name.get(lang) if outcome.next_level else none,
    )
    table.add_row(say("missing for next", "다음 등급까지 부족"), str(outcome.missing_for_next))
    console.print(table)
    for reason in outcome.reasons:
        console.print(f"- {reason.get(lang)}", highlight=False, soft_wrap=True)
    if plan is None:
        return
    picks = Table(
        say("indicator", "지표"),
        say("name", "이름"),
        say("type", "유형"),
        say("inputs", "입력값"),
        title=say("to verify next", "다음 검증 대상"),
    )
    for p in plan.picks:
        picks.add_row(p.number, p.name.get(lang), p.type.value, f"{p.collected}/{p.total}")
    console.print(picks)
    themes = Table(
        say("theme", "주제"),
        say("verified", "검증"),
        title=say("readiness by theme", "주제별 준비도"),
    )
    for r in plan.themes:
        themes.add_row(r.name.get(lang), f"{r.verified}/{r.total}")
    console.print(themes)


def register(app: typer.Typer) -> None:
    @app.command("certify", help=HELP)
    def certify(
        standard: str | None = typer.Option(
            None, "--standard", help="Catalogue key, e.g. iso37120-2018."
        ),
        verified: Path | None = typer.Option(
            None, "--verified", help="File of verified indicator numbers."
        ),
        rules: Path | None = typer.Option(
            None, "--rules", help="Own level-rules YAML (default: built-in)."
        ),
        plan: bool = typer.Option(
            False, "--plan", help="Also list the fewest indicators to verify next."
        ),
        inputs: Path | None = typer.Option(
            None, "--inputs", help="Raw-input CSV, to favour indicators with inputs collected."
        ),
        format: OutputFormat = typer.Option(OutputFormat.table, "--format"),
        lang: Lang = typer.Option(Lang.en, "--lang"),
        cycle: int | None = typer.Option(
            None, "--cycle", help="A stored reporting cycle: what its verifier accepted."
        ),
        database_url: str | None = typer.Option(
            None, "--database-url", help="Database URL (with --cycle)."
        ),
    ) -> None:
        if cycle is not None:
            from citycert.cli.certificate_cmd import certify_cycle

            certify_cycle(cycle, None, format, lang, database_url)
            return
        if verified is None or standard is None:
            fail("give --standard KEY and --verified FILE, or --cycle ID")
        req = request_from_file(standard, verified, rules, lang)
        outcome = run(req)
        gap = None
        if plan or inputs is not None:
            progress = _progress(req.catalog, inputs, lang)
            gap = plan_gap(req.catalog, req.rules, req.verified, progress)
        if format is OutputFormat.json:
            data = outcome.as_dict()
            if gap is not None:
                data["plan"] = {k: v for k, v in gap.as_dict().items() if k != "outcome"}
            print_json(data)
            return
        render_table(outcome, gap, lang)
