"""Import raw figures from a file: check everything, then apply all in one transaction or nothing.

Rules:
- the file is read and checked completely first; any problem -> nothing is written, and every
  problem is reported with its place and a fix (`citycert.io.workbook`);
- missing cities (when the file describes them) are created and missing cycles opened, in the
  same transaction as the figures;
- a blank value means "not reported": it never erases a stored value unless `allow_erase`; a
  blank value with a source, comment or grade records "not available" for a figure never stored;
- rows of a CityCert template carry the stored state the template was made from: when the
  database has moved on since, an untouched row keeps the newer value (warning `kept_newer`),
  a row equal to the database is unchanged, anything else is a conflict (who, when, theirs,
  yours) and nothing is applied;
- figures of indicators the certification workflow locks are refused (by `set_inputs`);
- importing the same file twice changes nothing the second time;
- exchange files with `BULK_MIN_ROWS` figures or more are saved set-based (`bulk_load`), with
  one audit entry per batch instead of one per figure;
- a dry run does all of the above inside a transaction that is rolled back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citycert.io.problems import Problem
from citycert.io.workbook.cells import show_number
from citycert.io.workbook.load import read_import_file
from citycert.io.workbook.messages import problem
from citycert.io.workbook.rows import (
    CityRecord,
    CycleRef,
    Expect,
    ImportRow,
    ParsedFile,
    Progress,
)
from citycert.services import cities, cycles
from citycert.services.bulk import BulkRow, bulk_load
from citycert.services.context import ConflictError, ServiceContext, ServiceError, ValidationFailed
from citycert.services.values import InputChange, set_inputs
from citycert.services.workflow import edit_problems
from citycert.store.models import City, CycleState, InputValue, ReportingCycle


@dataclass
class ImportReport:
    """What an import did (or, in a dry run or on failure, would have done)."""

    file: str
    kind: str
    dry_run: bool
    applied: bool = False
    problems: list[Problem] = field(default_factory=list)
    conflicts: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    erased: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    blank: int = 0
    cities_created: list[str] = field(default_factory=list)
    cycles_opened: list[str] = field(default_factory=list)
    states_restored: list[str] = field(default_factory=list)
    recomputed: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and not self.conflicts

    def counts(self) -> dict[str, int]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "erased": len(self.erased),
            "unchanged": len(self.unchanged),
            "kept": len(self.kept),
            "blank": self.blank,
            "conflicts": len(self.conflicts),
            "problems": len(self.problems),
            "warnings": len(self.warnings),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "kind": self.kind,
            "dry_run": self.dry_run,
            "applied": self.applied,
            "counts": self.counts(),
            "created": self.created,
            "updated": self.updated,
            "erased": self.erased,
            "kept": self.kept,
            "cities_created": self.cities_created,
            "cycles_opened": self.cycles_opened,
            "states_restored": self.states_restored,
            "recomputed": self.recomputed,
            "problems": [p.as_dict() for p in self.problems],
            "conflicts": [p.as_dict() for p in self.conflicts],
            "warnings": [p.as_dict() for p in self.warnings],
        }


# From this many figures on, exchange files are saved set-based and audited per batch of figures
# (`services.bulk`), about twenty times faster than one audited save per figure.
BULK_MIN_ROWS = 1000


class _Rollback(Exception):
    """Undo the import's transaction (dry run, problems or conflicts)."""


def _key(row: ImportRow) -> str:
    return f"{row.cycle}/{row.indicator}/{row.input}"


def _shown(value: float | None) -> str:
    return "(blank)" if value is None else show_number(value)


def _same_as_stored(row: ImportRow, cur: InputValue | None, allow_erase: bool) -> bool:
    """Whether saving `row` would leave `cur` as it is."""
    if cur is None:
        return row.value is None and not allow_erase
    if row.value is None:
        same_value = cur.value is None or not allow_erase
    elif row.unit is None:
        same_value = row.value == cur.value
    else:
        same_value = (row.value, row.unit) == (cur.original_value, cur.original_unit)
    notes = (("source", row.source), ("comment", row.comment), ("quality_grade", row.quality_grade))
    same_notes = all(
        getattr(cur, name) == given for name, given in notes if given is not None or allow_erase
    )
    return same_value and same_notes


def _untouched(row: ImportRow) -> bool:
    """Whether a template row still holds what the template was pre-filled with."""
    b = row.base
    return b is not None and (row.value, row.source, row.comment, row.quality_grade) == (
        b.value,
        b.source,
        b.comment,
        b.quality_grade,
    )


def _kept(given: str | None, cur: InputValue | None, name: str) -> str | None:
    """A note as saved: the file's, or the stored one when the file leaves it blank."""
    if given is not None or cur is None:
        return given
    kept: str | None = getattr(cur, name)
    return kept


def _change(row: ImportRow, expected: int | None) -> InputChange:
    return InputChange(
        indicator=row.indicator,
        input=row.input,
        value=row.value,
        unit=row.unit,
        source=row.source,
        comment=row.comment,
        quality_grade=row.quality_grade,
        expected_version=expected,
    )


@dataclass
class _Plan:
    """The changes for one cycle: ordinary ones, and "not available" records with notes."""

    cycle: ReportingCycle
    ref: CycleRef
    changes: list[InputChange] = field(default_factory=list)
    not_available: list[InputChange] = field(default_factory=list)
    rows: dict[str, ImportRow] = field(default_factory=dict)
    # What the cycle stores now, by (indicator, input).
    current: dict[tuple[str, str], InputValue] = field(default_factory=dict)

    def row_for(self, where: str) -> ImportRow | None:
        """The first row a store problem is about (`5.1/labour_force` or `5.1`), if any."""
        indicator, _, name = where.partition("/")
        return next(
            (r for r in self.rows.values() if r.indicator == indicator and name in ("", r.input)),
            None,
        )


class _Importer:
    def __init__(
        self,
        ctx: ServiceContext,
        s: Session,
        parsed: ParsedFile,
        report: ImportReport,
        *,
        allow_erase: bool,
        restore_states: bool,
    ) -> None:
        self.ctx, self.s, self.parsed, self.report = ctx, s, parsed, report
        self.allow_erase, self.restore_states = allow_erase, restore_states
        self.file = parsed.path
        self.reason = f"import {Path(parsed.path).name}"
        self.city_ids: dict[str, int] = {}
        # States restored after the figures are saved: set_inputs refuses locked cycles.
        self.pending_states: list[tuple[int, CycleRef, str]] = []

    def at(self, code: str, row: ImportRow | None, **values: Any) -> Problem:
        """The Problem `code` placed at `row` (or at the file as a whole)."""
        place = row.place if row else None
        return problem(
            code,
            file=self.file,
            sheet=place.sheet if place else None,
            row=place.row if place else None,
            column=place.column if place else None,
            **values,
        )

    def add(self, code: str, row: ImportRow | None = None, **values: Any) -> None:
        self.report.problems.append(self.at(code, row, **values))

    # --- cities and cycles ---------------------------------------------------------------

    def ensure_cities(self) -> None:
        records = {c.slug: c for c in self.parsed.cities}
        wanted = sorted({c.city for c in self.parsed.cycles()} | set(records))
        first_row: dict[str, ImportRow] = {}
        for row in self.parsed.rows:
            first_row.setdefault(row.cycle.city, row)
        for slug in wanted:
            found = self.s.scalars(select(City.id).where(City.slug == slug)).first()
            if found is not None:
                self.city_ids[slug] = found
            elif slug in records:
                self.create_city(records[slug])
            else:
                self.add("unknown_city", first_row.get(slug), city=slug)

    def create_city(self, rec: CityRecord) -> None:
        data = {
            "slug": rec.slug,
            "name_en": rec.name_en,
            "name_ko": rec.name_ko,
            "country": rec.country,
            **rec.extra,
        }
        try:
            created = cities.create_city(
                self.ctx, data=cities.parse_create(data), reason=self.reason
            )
        except ServiceError as exc:
            where = rec.place
            self.report.problems.append(
                problem(
                    "city_rejected",
                    file=self.file,
                    sheet=where.sheet if where else None,
                    row=where.row if where else None,
                    column=where.column if where else None,
                    city=rec.slug,
                    error=exc.message_en,
                    error_ko=exc.message_ko,
                )
            )
            return
        self.city_ids[rec.slug] = created.id
        self.report.cities_created.append(rec.slug)

    def cycle_for(self, ref: CycleRef) -> ReportingCycle | None:
        city_id = self.city_ids.get(ref.city)
        if city_id is None:
            return None
        q = select(ReportingCycle).where(
            ReportingCycle.city_id == city_id,
            ReportingCycle.catalog == ref.catalog,
            ReportingCycle.year == ref.year,
        )
        found = self.s.scalars(q).first()
        if found is not None:
            return found
        opened = cycles.open_cycle(self.ctx, city=ref.city, catalog=ref.catalog, year=ref.year)
        self.report.cycles_opened.append(str(ref))
        state = self.parsed.states.get(ref)
        if self.restore_states and state and state != CycleState.draft.value:
            if state not in CycleState.__members__:
                self.add("bad_state", state=state, states=", ".join(CycleState.__members__))
            else:
                self.pending_states.append((opened.id, ref, state))
        return self.s.get(ReportingCycle, opened.id)

    # --- rows --------------------------------------------------------------------------------

    def plan(self, ref: CycleRef, rows: Sequence[ImportRow]) -> _Plan | None:
        cycle = self.cycle_for(ref)
        if cycle is None:
            return None
        current = {
            (r.indicator, r.input): r
            for r in self.s.scalars(select(InputValue).where(InputValue.cycle_id == cycle.id))
        }
        plan = _Plan(cycle, ref, current=current)
        for row in rows:
            key = _key(row)
            cur = current.get((row.indicator, row.input))
            notes = (row.source, row.comment, row.quality_grade) != (None, None, None)
            if row.value is None and cur is None:  # nothing stored, nothing given
                if notes:
                    plan.not_available.append(_change(row, 0))
                    plan.rows[key] = row
                else:
                    self.report.blank += 1
                continue
            expected: int | None = None
            if row.base is not None:  # a CityCert template row: compare with what it was made from
                now_version = cur.version if cur else None
                if row.base.version != now_version:
                    self.moved_on(row, cur)
                    continue
                expected = now_version or 0
            plan.changes.append(_change(row, expected))
            plan.rows[key] = row
        return plan

    def moved_on(self, row: ImportRow, cur: InputValue | None) -> None:
        """A template row whose stored figure changed after the template was made."""
        key = _key(row)
        if _same_as_stored(row, cur, self.allow_erase):
            self.report.unchanged.append(key)
            return
        actor = cur.updated_by if cur else "?"
        at = cur.updated_at.isoformat(timespec="minutes") if cur else "?"
        # Both messages name the row and who changed the stored figure, when, to what.
        facts = {
            "indicator": row.indicator,
            "input": row.input,
            "actor": actor,
            "at": at,
            "theirs": _shown(cur.value if cur else None),
        }
        if _untouched(row):
            self.report.kept.append(key)
            self.report.warnings.append(self.at("kept_newer", row, **facts))
            return
        self.report.conflicts.append(self.at("conflict", row, **facts, yours=_shown(row.value)))

    def apply(self, plan: _Plan) -> bool:
        """Save the plan's changes; False (problems recorded) when the store refuses them."""
        batches = [(plan.changes, self.allow_erase), (plan.not_available, True)]
        for changes, erase in batches:
            if not changes:
                continue
            try:
                summary = set_inputs(
                    self.ctx, plan.cycle.id, changes, reason=self.reason, allow_erase=erase
                )
            except ConflictError as exc:
                for c in exc.conflicts:
                    row = plan.rows.get(c.entity_key)
                    when = c.changed_at.isoformat(timespec="minutes") if c.changed_at else "?"
                    self.report.conflicts.append(
                        self.at(
                            "conflict",
                            row,
                            indicator=row.indicator if row else c.entity_key,
                            input=row.input if row else "",
                            actor=c.changed_by or "?",
                            at=when,
                            theirs=_shown(c.theirs),
                            yours=_shown(c.yours),
                        )
                    )
                return False
            except ValidationFailed as exc:
                for p in exc.problems:
                    self.add(
                        "store_rejected",
                        plan.row_for(p.where),
                        where=p.where,
                        error=p.en,
                        error_ko=p.ko,
                    )
                return False
            details = summary.details
            for key in details.get("created", []):
                self.report.created.append(key)
            for key in details.get("updated", []):
                row = plan.rows.get(key)
                erased = row is not None and row.value is None and erase
                (self.report.erased if erased else self.report.updated).append(key)
            self.report.unchanged.extend(details.get("unchanged", []))
            self.report.recomputed += summary.recomputed
        return True

    def apply_bulk(self, plans: list[_Plan]) -> list[_Plan]:
        """Save the figures of large exchange files set-based (`bulk_load`, audited per batch).

        Stored notes that the file leaves blank are carried over, so a blank erases nothing,
        as with `set_inputs`. Returns what is left for `set_inputs`: rows without a value.
        """
        batch: list[BulkRow] = []
        rest: list[_Plan] = []
        for plan in plans:
            left = _Plan(plan.cycle, plan.ref, not_available=plan.not_available, rows=plan.rows,
                         current=plan.current)  # fmt: skip
            changed: set[str] = set()
            for ch in plan.changes:
                key = f"{plan.ref}/{ch.indicator}/{ch.input}"
                cur = plan.current.get((ch.indicator, ch.input))
                if ch.value is None:
                    left.changes.append(ch)
                    continue
                if _same_as_stored(plan.rows[key], cur, allow_erase=False):
                    self.report.unchanged.append(key)
                    continue
                (self.report.created if cur is None else self.report.updated).append(key)
                changed.add(ch.indicator)
                batch.append(BulkRow(
                    plan.cycle.id, ch.indicator, ch.input, ch.value, ch.unit,
                    source=_kept(ch.source, cur, "source"),
                    comment=_kept(ch.comment, cur, "comment"),
                    quality_grade=_kept(ch.quality_grade, cur, "quality_grade"),
                ))  # fmt: skip
            for p in edit_problems(self.s, plan.cycle, changed):
                self.add("store_rejected", plan.row_for(p.where), where=p.where, error=p.en,
                         error_ko=p.ko)  # fmt: skip
            rest.append(left)
        if not self.report.ok:
            return []
        try:
            summary = bulk_load(self.ctx, batch, reason=self.reason)
        except ValidationFailed as exc:
            for p in exc.problems:
                self.add("store_rejected", where=p.where, error=p.en, error_ko=p.ko)
            return []
        self.report.recomputed += summary.recomputed
        return rest

    def run(self) -> None:
        self.ensure_cities()
        by_cycle: dict[CycleRef, list[ImportRow]] = {}
        for row in self.parsed.rows:
            by_cycle.setdefault(row.cycle, []).append(row)
        plans = [p for ref in self.parsed.cycles() if (p := self.plan(ref, by_cycle.get(ref, [])))]
        if not self.report.ok:
            return  # conflicts or unknown cities: nothing is applied
        large = sum(len(p.changes) for p in plans) >= BULK_MIN_ROWS
        if large and not self.allow_erase and all(r.base is None for r in self.parsed.rows):
            plans = self.apply_bulk(plans)
        for plan in plans:
            if not self.apply(plan):
                break
        if not self.report.ok:
            return  # the store refused: the transaction is rolled back
        for cycle_id, ref, state in self.pending_states:
            cycles.set_state(
                self.ctx, cycle_id=cycle_id, state=CycleState(state), reason=self.reason
            )
            self.report.states_restored.append(f"{ref}: {state}")


def import_file(
    ctx: ServiceContext,
    path: Path,
    *,
    expect: Expect = Expect(),
    dry_run: bool = False,
    allow_erase: bool = False,
    restore_states: bool = False,
    max_bytes: int | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import `path` (template, exchange csv/json/xlsx or home-made workbook); see module rules.

    `restore_states`: cycles this import opens take the state the exchange JSON gives (for an
    administrator restoring an export into an empty database); existing cycles never change.
    """
    parsed = read_import_file(path, expect, max_bytes=max_bytes, progress=progress)
    report = ImportReport(parsed.path, parsed.kind, dry_run, warnings=list(parsed.warnings))
    if parsed.problems:
        report.problems = list(parsed.problems)
        return report
    try:
        with ctx.transaction() as s:
            _Importer(
                ctx.joined(s),
                s,
                parsed,
                report,
                allow_erase=allow_erase,
                restore_states=restore_states,
            ).run()
            if dry_run or not report.ok:
                raise _Rollback
        report.applied = True
    except _Rollback:
        pass
    return report
