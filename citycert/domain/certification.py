"""Certification level from verified indicators, under an edition's level rules.

`assess` is pure: it takes the catalogue, the level rules and the set of verified indicator
numbers, and explains the outcome in English and Korean. Profile items never count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from citycert.standards.catalog import Catalog
from citycert.standards.levels import CountScope, LevelRule, LevelRulesFile
from citycert.standards.models import IndicatorType


class UnknownIndicatorsError(ValueError):
    """Some indicator numbers are not in the catalogue; `numbers` lists every one of them."""

    def __init__(self, catalog_key: str, numbers: Iterable[str]) -> None:
        self.catalog_key = catalog_key
        self.numbers = tuple(numbers)
        listed = ", ".join(repr(n) for n in self.numbers)
        self.message_en = f"unknown indicator number(s) in {catalog_key}: {listed}"
        self.message_ko = f"{catalog_key}에 없는 지표 번호: {listed}"
        super().__init__(self.message_en)


class RulesMismatchError(ValueError):
    """The level rules were written for another catalogue."""


@dataclass(frozen=True)
class Reason:
    """One line of the explanation, in both languages; `code` is stable for programs."""

    code: str
    en: str
    ko: str

    def get(self, lang: str) -> str:
        return self.ko if lang == "ko" else self.en


@dataclass(frozen=True)
class Tally:
    """What the level rules look at: verified counts and the core indicators still missing."""

    verified: frozenset[str]
    core_verified: int
    core_total: int
    all_total: int
    missing_core: tuple[str, ...]
    ignored_profile: tuple[str, ...]

    @property
    def verified_count(self) -> int:
        return len(self.verified)

    def counted(self, scope: CountScope) -> int:
        return self.core_verified if scope is CountScope.core else self.verified_count

    def available(self, scope: CountScope) -> int:
        return self.core_total if scope is CountScope.core else self.all_total


def number_order(number: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key putting `6.7` before `18.9` and any text after numbers."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in number.split("."))


def tally(catalog: Catalog, verified: Iterable[str]) -> Tally:
    """Count verified indicators; UnknownIndicatorsError lists every number the catalogue lacks."""
    numbers = {n.strip() for n in verified if n.strip()}
    unknown = sorted((n for n in numbers if catalog.get(n) is None), key=number_order)
    if unknown:
        raise UnknownIndicatorsError(catalog.key, unknown)
    counted = catalog.counted()
    core = [i.number for i in counted if i.type is IndicatorType.core]
    verified_counted = frozenset(i.number for i in counted if i.number in numbers)
    profile = tuple(i.number for i in catalog.of_type(IndicatorType.profile) if i.number in numbers)
    return Tally(
        verified=verified_counted,
        core_verified=sum(1 for n in core if n in numbers),
        core_total=len(core),
        all_total=len(counted),
        missing_core=tuple(n for n in core if n not in numbers),
        ignored_profile=profile,
    )


def meets(level: LevelRule, t: Tally) -> bool:
    """Whether the tally reaches `level` (its count and, if required, every core indicator)."""
    if level.requires_all_core and t.missing_core:
        return False
    return t.counted(level.count) >= level.min_count


def shortfall(level: LevelRule, t: Tally) -> int:
    """How many more verified indicators reach `level`: missing core first, then any to count."""
    core_needed = len(t.missing_core) if level.requires_all_core else 0
    # Verifying the missing core also raises the count, whatever the scope.
    count_after_core = t.counted(level.count) + core_needed
    return core_needed + max(0, level.min_count - count_after_core)


@dataclass(frozen=True)
class Outcome:
    """The level reached (None below the lowest), the next one and how far away it is."""

    standard: str
    rules: str
    rules_version: str
    verified_count: int
    core_verified: int
    core_total: int
    level: LevelRule | None
    next_level: LevelRule | None
    missing_for_next: int
    missing_core: tuple[str, ...]
    reasons: tuple[Reason, ...]

    def as_dict(self) -> dict[str, object]:
        def name(lv: LevelRule | None) -> dict[str, str] | None:
            return None if lv is None else {"en": lv.name.en, "ko": lv.name.ko}

        return {
            "standard": self.standard,
            "rules": self.rules,
            "rules_version": self.rules_version,
            "verified_count": self.verified_count,
            "core_verified": self.core_verified,
            "core_total": self.core_total,
            "level": self.level.id if self.level else None,
            "level_name": name(self.level),
            "next_level": self.next_level.id if self.next_level else None,
            "next_level_name": name(self.next_level),
            "missing_for_next": self.missing_for_next,
            "missing_core": list(self.missing_core),
            "reasons": [{"code": r.code, "en": r.en, "ko": r.ko} for r in self.reasons],
        }


def assess(catalog: Catalog, rules: LevelRulesFile, verified: Iterable[str]) -> Outcome:
    """The certification outcome for a set of verified indicator numbers.

    Raises UnknownIndicatorsError (listing all unknown numbers) and RulesMismatchError.
    """
    if rules.catalog != catalog.key:
        raise RulesMismatchError(f"rules {rules.rules} are for {rules.catalog}, not {catalog.key}")
    t = tally(catalog, verified)
    reached = [lv for lv in rules.levels if meets(lv, t)]
    level = reached[-1] if reached else None
    nxt = rules.above(level.id if level else None)
    return Outcome(
        standard=catalog.key,
        rules=rules.rules,
        rules_version=rules.version,
        verified_count=t.verified_count,
        core_verified=t.core_verified,
        core_total=t.core_total,
        level=level,
        next_level=nxt,
        missing_for_next=shortfall(nxt, t) if nxt else 0,
        missing_core=t.missing_core,
        reasons=tuple(_reasons(rules, t, level, nxt)),
    )


def _reasons(
    rules: LevelRulesFile, t: Tally, level: LevelRule | None, nxt: LevelRule | None
) -> list[Reason]:
    out = [
        Reason(
            "count",
            f"{t.verified_count} of {t.all_total} indicators verified "
            f"({t.core_verified} of {t.core_total} core)",
            f"검증된 지표 {t.verified_count}개/{t.all_total}개 "
            f"(핵심 지표 {t.core_verified}개/{t.core_total}개)",
        )
    ]
    if t.ignored_profile:
        listed = ", ".join(t.ignored_profile)
        out.append(
            Reason(
                "profile_ignored",
                f"profile items do not count towards a level: {listed}",
                f"프로필 항목은 등급 산정에 포함되지 않습니다: {listed}",
            )
        )
    if level is not None:
        core_en = ", every core indicator verified" if level.requires_all_core else ""
        core_ko = ", 핵심 지표 전부 검증" if level.requires_all_core else ""
        what_en = "core indicators" if level.count is CountScope.core else "indicators"
        what_ko = "핵심 지표" if level.count is CountScope.core else "지표"
        out.append(
            Reason(
                "level_met",
                f"{level.name.en}: {level.min_count} or more verified {what_en}{core_en}",
                f"{level.name.ko}: 검증된 {what_ko} {level.min_count}개 이상{core_ko}",
            )
        )
        if level.certification_body_setting:
            out.append(_body_setting(level))
    # The count alone may reach a level that the all-core rule withholds: say which core is missing.
    by_count = [lv for lv in rules.levels if t.counted(lv.count) >= lv.min_count]
    blocked = [lv for lv in by_count if lv.requires_all_core and t.missing_core]
    if blocked:
        top = blocked[-1]
        listed = ", ".join(t.missing_core)
        out.append(
            Reason(
                "core_missing",
                f"the count alone would reach {top.name.en}, but {top.name.en} needs every core "
                f"indicator; not verified: {listed}",
                f"검증 지표 수로는 {top.name.ko} 등급에 해당하지만 {top.name.ko} 등급은 "
                f"핵심 지표가 모두 검증되어야 합니다. 미검증 핵심 지표: {listed}",
            )
        )
    elif nxt is not None and nxt.requires_all_core and t.missing_core:
        listed = ", ".join(t.missing_core)
        out.append(
            Reason(
                "core_missing",
                f"{nxt.name.en} needs every core indicator; not verified: {listed}",
                f"{nxt.name.ko} 등급은 핵심 지표가 모두 검증되어야 합니다. "
                f"미검증 핵심 지표: {listed}",
            )
        )
    if nxt is None:
        out.append(Reason("top_level", "the highest level is reached", "최고 등급에 도달했습니다"))
        return out
    need = shortfall(nxt, t)
    core = len(t.missing_core) if nxt.requires_all_core else 0
    out.append(
        Reason(
            "next_level",
            f"{nxt.name.en} needs {need} more verified indicator(s)"
            + (f", including {core} core" if core else ""),
            f"{nxt.name.ko} 등급까지 검증 지표 {need}개가 더 필요합니다"
            + (f" (핵심 지표 {core}개 포함)" if core else ""),
        )
    )
    if nxt.min_count > t.available(nxt.count):
        out.append(
            Reason(
                "unreachable",
                f"{nxt.name.en} needs {nxt.min_count} but the catalogue has only "
                f"{t.available(nxt.count)}",
                f"{nxt.name.ko} 등급에는 {nxt.min_count}개가 필요하지만 지표 목록에는 "
                f"{t.available(nxt.count)}개뿐입니다",
            )
        )
    if level is None and nxt.certification_body_setting:
        out.append(_body_setting(nxt))
    return out


def _body_setting(level: LevelRule) -> Reason:
    return Reason(
        "certification_body_setting",
        f"the {level.name.en} threshold ({level.min_count}) is set by the certification body, "
        "not a published figure",
        f"{level.name.ko} 기준({level.min_count}개)은 공표된 수치가 아니라 "
        "인증기관이 정한 값입니다",
    )


def streak(history: Iterable[tuple[int, str | None]], year: int) -> int:
    """Consecutive years up to `year` with the same level as in `year` (0 if none that year).

    `history` holds (data year, level id or None); a year given twice with different levels
    raises ValueError.
    """
    by_year: dict[int, str | None] = {}
    for y, lv in history:
        if y in by_year and by_year[y] != lv:
            raise ValueError(f"year {y} has two levels: {by_year[y]!r} and {lv!r}")
        by_year[y] = lv
    level = by_year.get(year)
    if level is None:
        return 0
    n = 0
    while by_year.get(year - n) == level:
        n += 1
    return n
