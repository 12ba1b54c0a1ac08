"""Saving raw figures: creates, updates, recomputes; idempotent; blanks keep data; conflicts."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import event, func, select

from citycert.services import cities, cycles, values
from citycert.services.context import ConflictError, ServiceContext, ValidationFailed
from citycert.services.values import InputChange
from citycert.store.audit_log import history, verify_chain
from citycert.store.models import AuditLog, InputValue

CATALOG = "iso37120-2014"


@pytest.fixture
def cycle_id(ctx: ServiceContext) -> int:
    cities.create_city(
        ctx,
        data=cities.parse_create(
            {"slug": "daegu", "name_en": "Daegu", "name_ko": "대구광역시", "country": "KR"}
        ),
    )
    return cycles.open_cycle(ctx, city="daegu", catalog=CATALOG, year=2023).id


def stored(ctx: ServiceContext, cycle_id: int) -> dict[tuple[str, str], values.InputPublic]:
    return {(r.indicator, r.input): r for r in values.list_inputs(ctx, cycle_id=cycle_id)}


def indicator(ctx: ServiceContext, cycle_id: int, number: str) -> values.IndicatorValuePublic:
    found = [
        v for v in values.list_indicator_values(ctx, cycle_id=cycle_id) if v.indicator == number
    ]
    assert len(found) == 1
    return found[0]


def audit_count(ctx: ServiceContext) -> int:
    with ctx.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditLog)) or 0)


def test_set_inputs_creates_rows_and_computes_the_indicator(
    ctx: ServiceContext, cycle_id: int
) -> None:
    summary = values.set_inputs(
        ctx,
        cycle_id,
        [
            InputChange(
                "5.1", "unemployed_persons", 48_000, source="KOSIS 2023", quality_grade="A"
            ),
            InputChange("5.1", "labour_force", 1_200_000),
        ],
    )

    assert (summary.created, summary.updated, summary.unchanged, summary.recomputed) == (2, 0, 0, 1)
    rows = stored(ctx, cycle_id)
    assert rows[("5.1", "unemployed_persons")].value == 48_000
    assert rows[("5.1", "unemployed_persons")].source == "KOSIS 2023"
    assert rows[("5.1", "unemployed_persons")].updated_by == "editor@daegu"
    assert rows[("5.1", "labour_force")].version == 1
    iv = indicator(ctx, cycle_id, "5.1")
    assert iv.status == "ok"
    assert iv.value == pytest.approx(100 * 48_000 / 1_200_000)
    assert iv.provenance is not None
    assert iv.provenance["catalog"] == CATALOG
    assert iv.provenance["inputs"] == {"unemployed_persons": 48_000, "labour_force": 1_200_000}


def test_update_bumps_version_records_old_and_new_and_recomputes(
    ctx: ServiceContext, cycle_id: int
) -> None:
    values.set_inputs(
        ctx,
        cycle_id,
        [InputChange("14.2", "homicides", 30), InputChange("14.2", "population", 2_400_000)],
    )

    summary = values.set_inputs(ctx, cycle_id, [InputChange("14.2", "homicides", 36)], reason="fix")

    assert (summary.created, summary.updated, summary.recomputed) == (0, 1, 1)
    assert stored(ctx, cycle_id)[("14.2", "homicides")].version == 2
    assert indicator(ctx, cycle_id, "14.2").value == pytest.approx(1.5)
    with ctx.db.read() as s:
        entries = history(s, f"daegu/{CATALOG}/2023/14.2/homicides")
    assert [(e.old and e.old["value"], e.new["value"]) for e in entries] == [(None, 30), (30, 36)]
    assert entries[-1].reason == "fix"


def test_units_are_converted_to_the_catalogue_unit_and_the_given_figure_kept(
    ctx: ServiceContext, cycle_id: int
) -> None:
    values.set_inputs(ctx, cycle_id, [InputChange("5.1", "labour_force", 1_200, unit="kiloperson")])

    row = stored(ctx, cycle_id)[("5.1", "labour_force")]
    assert (row.value, row.unit) == (1_200_000, "person")
    assert (row.original_value, row.original_unit) == (1_200, "kiloperson")


def test_saving_the_same_figures_again_writes_nothing(ctx: ServiceContext, cycle_id: int) -> None:
    changes = [
        InputChange("5.1", "unemployed_persons", 48_000, comment="survey"),
        InputChange("5.1", "labour_force", 1_200_000),
    ]
    values.set_inputs(ctx, cycle_id, changes)
    before = audit_count(ctx)

    summary = values.set_inputs(ctx, cycle_id, changes)

    assert (summary.created, summary.updated, summary.unchanged, summary.recomputed) == (0, 0, 2, 0)
    assert audit_count(ctx) == before
    assert {r.version for r in stored(ctx, cycle_id).values()} == {1}


def test_a_blank_never_erases_a_stored_value_or_note(ctx: ServiceContext, cycle_id: int) -> None:
    values.set_inputs(
        ctx, cycle_id, [InputChange("5.1", "labour_force", 1_200_000, source="KOSIS")]
    )

    summary = values.set_inputs(ctx, cycle_id, [InputChange("5.1", "labour_force", None)])

    row = stored(ctx, cycle_id)[("5.1", "labour_force")]
    assert (row.value, row.source, row.version) == (1_200_000, "KOSIS", 1)
    assert summary.unchanged == 1


def test_blank_for_a_figure_never_reported_stores_nothing(
    ctx: ServiceContext, cycle_id: int
) -> None:
    values.set_inputs(ctx, cycle_id, [InputChange("5.1", "labour_force", None)])

    assert stored(ctx, cycle_id) == {}


def test_allow_erase_records_not_available_and_the_indicator_becomes_missing(
    ctx: ServiceContext, cycle_id: int
) -> None:
    values.set_inputs(
        ctx,
        cycle_id,
        [InputChange("5.1", "unemployed_persons", 48_000), InputChange("5.1", "labour_force", 1e6)],
    )

    summary = values.set_inputs(
        ctx, cycle_id, [InputChange("5.1", "labour_force", None)], allow_erase=True
    )

    assert summary.updated == 1
    row = stored(ctx, cycle_id)[("5.1", "labour_force")]
    assert row.value is None and row.version == 2
    iv = indicator(ctx, cycle_id, "5.1")
    assert (iv.value, iv.status) == (None, "missing_input")


BAD_CHANGES = [
    (InputChange("99.9", "homicides", 1), "99.9/homicides", "no indicator"),
    (InputChange("14.2", "murders", 1), "14.2/murders", "has no input"),
    (InputChange("14.2", "homicides", math.nan), "14.2/homicides", "not a finite number"),
    (InputChange("14.2", "population", 1, unit="kg"), "14.2/population", "cannot convert"),
    (InputChange("5.1", "labour_force", 1, quality_grade="E"), "5.1/labour_force", "A, B, C, D"),
]


@pytest.mark.parametrize(("change", "where", "message"), BAD_CHANGES)
def test_a_bad_change_is_refused_with_where_and_why(
    ctx: ServiceContext, cycle_id: int, change: InputChange, where: str, message: str
) -> None:
    with pytest.raises(ValidationFailed) as err:
        values.set_inputs(ctx, cycle_id, [change])

    [problem] = err.value.problems
    assert problem.where == where
    assert message in problem.en
    assert problem.ko  # every problem also speaks Korean


def test_one_bad_change_saves_nothing_and_every_problem_is_listed(
    ctx: ServiceContext, cycle_id: int
) -> None:
    good = InputChange("5.1", "unemployed_persons", 48_000)
    before = audit_count(ctx)

    with pytest.raises(ValidationFailed) as err:
        values.set_inputs(ctx, cycle_id, [good, *(c for c, _, _ in BAD_CHANGES)])

    assert [p.where for p in err.value.problems] == [w for _, w, _ in BAD_CHANGES]
    assert stored(ctx, cycle_id) == {}
    assert audit_count(ctx) == before


def test_stale_expected_version_is_a_conflict_naming_who_changed_it_and_nothing_is_applied(
    ctx: ServiceContext,
    cycle_id: int,
    context_for: Callable[[str], ServiceContext],
    clock: Any,
) -> None:
    values.set_inputs(
        ctx,
        cycle_id,
        [InputChange("14.2", "homicides", 30), InputChange("14.2", "population", 2_400_000)],
    )
    loaded = stored(ctx, cycle_id)  # the editor opens the form: version 1 of both
    clock.advance(minutes=5)
    values.set_inputs(
        context_for("analyst@daegu"), cycle_id, [InputChange("14.2", "homicides", 31)]
    )

    with pytest.raises(ConflictError) as err:
        values.set_inputs(
            ctx,
            cycle_id,
            [
                InputChange(
                    "14.2", "homicides", 35, expected_version=loaded[("14.2", "homicides")].version
                ),
                InputChange("14.2", "population", 2_500_000, expected_version=1),
            ],
        )

    [conflict] = err.value.conflicts
    assert conflict.entity_key.endswith("14.2/homicides")
    assert (conflict.changed_by, conflict.theirs, conflict.yours) == ("analyst@daegu", 31, 35)
    assert (conflict.expected_version, conflict.current_version) == (1, 2)
    assert conflict.changed_at == clock()
    rows = stored(ctx, cycle_id)
    assert rows[("14.2", "homicides")].value == 31
    assert rows[("14.2", "population")].value == 2_400_000  # the other change was not applied


@pytest.mark.postgres
@pytest.mark.parametrize("expected_version", [1, None])
def test_two_concurrent_saves_of_one_figure_one_wins_the_other_gets_a_conflict(
    ctx: ServiceContext,
    cycle_id: int,
    context_for: Callable[[str], ServiceContext],
    expected_version: int | None,
) -> None:
    values.set_inputs(ctx, cycle_id, [InputChange("14.2", "homicides", 30)])
    # Hold both transactions just before their UPDATE, so both have read version 1.
    barrier = threading.Barrier(2, timeout=30)
    waiting = threading.local()

    @event.listens_for(ctx.db.engine, "before_cursor_execute")
    def _meet(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("UPDATE input_value") and not getattr(waiting, "done", False):
            waiting.done = True
            barrier.wait()

    outcomes: dict[str, object] = {}

    def save(actor: str, value: int) -> None:
        try:
            values.set_inputs(
                context_for(actor),
                cycle_id,
                [InputChange("14.2", "homicides", value, expected_version=expected_version)],
            )
            outcomes[actor] = "saved"
        except ConflictError as exc:
            outcomes[actor] = exc

    threads = [
        threading.Thread(target=save, args=("editor@daegu", 35)),
        threading.Thread(target=save, args=("analyst@daegu", 36)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    event.remove(ctx.db.engine, "before_cursor_execute", _meet)

    winners = [a for a, o in outcomes.items() if o == "saved"]
    losers = [o for o in outcomes.values() if isinstance(o, ConflictError)]
    assert len(winners) == 1 and len(losers) == 1
    winning_value = 35 if winners[0] == "editor@daegu" else 36
    row = stored(ctx, cycle_id)[("14.2", "homicides")]
    assert (row.value, row.version, row.updated_by) == (winning_value, 2, winners[0])
    [conflict] = losers[0].conflicts
    assert (conflict.theirs, conflict.changed_by) == (winning_value, winners[0])
    assert conflict.yours == 71 - winning_value  # the loser's figure is handed back, not lost
    with ctx.db.read() as s:
        assert verify_chain(s).ok
        assert [e.new["value"] for e in history(s, "daegu/iso37120-2014/2023/14.2/homicides")] == [
            30,
            winning_value,
        ]
        assert s.scalar(select(func.count()).select_from(InputValue)) == 1


def test_simultaneous_saves_from_the_same_version_let_exactly_one_win(
    ctx: ServiceContext, cycle_id: int, context_for: Callable[[str], ServiceContext]
) -> None:
    values.set_inputs(ctx, cycle_id, [InputChange("14.2", "homicides", 30)])
    start = threading.Barrier(4, timeout=30)
    outcomes: list[object] = []

    def save(n: int) -> None:
        start.wait()
        try:
            values.set_inputs(
                context_for(f"editor{n}@daegu"),
                cycle_id,
                [InputChange("14.2", "homicides", 40 + n, expected_version=1)],
            )
            outcomes.append(40 + n)
        except ConflictError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    [winner] = [o for o in outcomes if isinstance(o, int)]
    assert sum(isinstance(o, ConflictError) for o in outcomes) == 3
    row = stored(ctx, cycle_id)[("14.2", "homicides")]
    assert (row.value, row.version) == (winner, 2)


def test_recompute_cycle_rebuilds_missing_indicator_values(
    ctx: ServiceContext, cycle_id: int
) -> None:
    values.set_inputs(
        ctx,
        cycle_id,
        [InputChange("14.2", "homicides", 30), InputChange("14.2", "population", 2_400_000)],
    )
    with ctx.transaction() as s:
        from citycert.store.models import IndicatorValue

        s.query(IndicatorValue).delete()

    summary = values.recompute_cycle(ctx, cycle_id=cycle_id)

    assert summary.recomputed == 1
    assert indicator(ctx, cycle_id, "14.2").value == pytest.approx(1.25)
    assert values.recompute_cycle(ctx, cycle_id=cycle_id).recomputed == 0


# --- bulk loading ------------------------------------------------------------------------------


def test_bulk_load_creates_then_leaves_identical_rows_alone_and_recomputes(
    ctx: ServiceContext, cycle_id: int
) -> None:
    from citycert.services.bulk import BulkRow, bulk_load

    rows = [
        BulkRow(cycle_id, "14.2", "homicides", 30),
        BulkRow(cycle_id, "14.2", "population", 2_400, unit="kiloperson"),
        BulkRow(cycle_id, "5.1", "labour_force", None),  # blank: nothing to store
    ]

    first = bulk_load(ctx, rows, batch_size=2)
    entries_after_first = audit_count(ctx)
    second = bulk_load(ctx, rows, batch_size=2)

    assert (first.created, first.updated, first.recomputed) == (2, 0, 1)
    assert (second.created, second.updated, second.unchanged, second.recomputed) == (0, 0, 2, 0)
    assert audit_count(ctx) == entries_after_first
    assert stored(ctx, cycle_id)[("14.2", "population")].value == 2_400_000
    assert indicator(ctx, cycle_id, "14.2").value == pytest.approx(1.25)
    with ctx.db.read() as s:
        [entry] = [e for e in history(s, f"daegu/{CATALOG}/2023") if e.action == "input.bulk_load"]
        assert entry.new["rows"] == 2 and len(entry.new["sha256"]) == 64
        assert verify_chain(s).ok


def test_bulk_load_updates_changed_rows_and_never_erases_with_a_blank(
    ctx: ServiceContext, cycle_id: int
) -> None:
    from citycert.services.bulk import BulkRow, bulk_load

    bulk_load(ctx, [BulkRow(cycle_id, "14.2", "homicides", 30, source="police")])

    summary = bulk_load(
        ctx,
        [BulkRow(cycle_id, "14.2", "homicides", None), BulkRow(cycle_id, "14.2", "homicides", 31)],
    )

    row = stored(ctx, cycle_id)[("14.2", "homicides")]
    assert (summary.updated, row.value, row.version, row.source) == (1, 31, 2, "police")


def test_bulk_load_with_a_bad_row_lists_every_problem_and_saves_nothing(
    ctx: ServiceContext, cycle_id: int
) -> None:
    from citycert.services.bulk import BulkRow, bulk_load

    rows = [
        BulkRow(cycle_id, "14.2", "homicides", 30),
        BulkRow(cycle_id, "14.2", "murders", 1),
        BulkRow(cycle_id, "14.2", "population", 1, unit="kg"),
        BulkRow(cycle_id + 999, "14.2", "population", 1),
    ]

    with pytest.raises(ValidationFailed) as err:
        bulk_load(ctx, rows, batch_size=1)

    assert [p.where.split(" (")[0] for p in err.value.problems] == ["row 2", "row 3", "row 4"]
    assert stored(ctx, cycle_id) == {}


# --- evidence files ----------------------------------------------------------------------------


def test_evidence_is_stored_once_per_content_and_read_back(
    ctx: ServiceContext, cycle_id: int
) -> None:
    from citycert.services import evidence
    from citycert.store.models import EvidenceBlob

    pdf = b"%PDF-1.4 police annual report 2023"
    sha = evidence.add_evidence(
        ctx,
        cycle_id=cycle_id,
        indicator="14.2",
        input="homicides",
        filename="C:\\reports\\police-2023.pdf",
        data=pdf,
        media_type="application/pdf",
    )
    again = evidence.add_evidence(
        ctx,
        cycle_id=cycle_id,
        indicator="14.2",
        input=None,
        filename="police-2023.pdf",
        data=pdf,
        media_type="application/pdf",
    )

    assert sha == again
    stored_file = evidence.get_evidence(ctx, sha256=sha)
    assert (stored_file.data, stored_file.size) == (pdf, len(pdf))
    links = evidence.list_evidence(ctx, cycle_id=cycle_id)
    assert [(r.input, r.filename) for r in links] == [
        ("homicides", "police-2023.pdf"),
        (None, "police-2023.pdf"),
    ]
    with ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(EvidenceBlob)) == 1


def test_evidence_over_the_size_limit_or_for_an_unknown_input_is_refused(
    ctx: ServiceContext, cycle_id: int
) -> None:
    from citycert.services import evidence

    with pytest.raises(ValidationFailed) as err:
        evidence.add_evidence(
            ctx,
            cycle_id=cycle_id,
            indicator="14.2",
            input="murders",
            filename="x.csv",
            data=b"x" * 11,
            media_type="text/csv",
            max_bytes=10,
        )

    assert [p.where for p in err.value.problems] == ["file", "14.2/murders"]
    assert evidence.list_evidence(ctx, cycle_id=cycle_id) == []


def test_bulk_load_by_an_editor_of_another_city_is_refused_and_saves_nothing(
    ctx: ServiceContext, cycle_id: int
) -> None:
    from dataclasses import replace

    from citycert.domain.authz import Grant, Role
    from citycert.services.bulk import BulkRow, bulk_load
    from citycert.services.principal import PermissionDenied, Principal

    busan_city_id = cycles.get_cycle(ctx, cycle_id=cycle_id).city_id + 1
    busan_editor = Principal(
        user_id=7, login="editor@busan", grants=(Grant(Role.city_editor, city_id=busan_city_id),)
    )

    with pytest.raises(PermissionDenied):
        bulk_load(
            replace(ctx, actor="editor@busan", principal=busan_editor),
            [BulkRow(cycle_id, "14.2", "homicides", 30)],
        )

    assert stored(ctx, cycle_id) == {}
