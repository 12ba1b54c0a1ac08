"""Saving a theme form: only the rows you changed, each against the version you loaded; numbers
that cannot be read, refusals and conflicts show the form again with everything you typed.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends
from starlette.datastructures import FormData
from starlette.responses import Response

from citycert.io.numbers import NumberError, parse_number
from citycert.services import values
from citycert.services.context import (
    ConflictError,
    ServiceError,
    ValidationFailed,
)
from citycert.web.pages.workspace_common import (
    CATALOG,
    SLUG,
    YEAR,
    ActionProblem,
    Bilingual,
    done,
    form_data,
    problem_of,
    require_sign_in,
)
from citycert.web.pages.workspace_entry import FIELDS, TEMPLATE, THEME, Theirs, ThemePage, build
from citycert.web.rendering import PageContext, page_context, render_page

router = APIRouter(tags=["workspace"], dependencies=[Depends(require_sign_in)])


def _parse(
    form: FormData, page: ThemePage
) -> tuple[list[values.InputChange], dict[str, dict[str, str]], dict[str, list[Bilingual]]]:
    """The changes of the rows you edited, what you typed in every row, and unreadable values."""
    changes: list[values.InputChange] = []
    posted: dict[str, dict[str, str]] = {}
    problems: dict[str, list[Bilingual]] = {}
    for block in page.indicators:
        for row in block.inputs:
            k = row.key
            typed = {f: str(form.get(f"{f}:{k}", "") or "").strip()[:2000] for f in FIELDS}
            posted[k] = typed
            try:
                before = json.loads(str(form.get(f"orig:{k}", "")))
            except ValueError:
                before = None
            if typed == before or form.get(f"resolve:{k}") == "theirs" or block.locked:
                continue
            if before is None and not any(typed.values()):
                continue
            number: float | None = None
            if typed["value"]:
                try:
                    number = parse_number(typed["value"])
                except NumberError:
                    problems.setdefault(k, []).append(
                        Bilingual(
                            en=f"{typed['value']!r} is not a number; write digits like 1234.5",
                            ko=f"{typed['value']!r}은(는) 숫자가 아닙니다. 1234.5처럼 쓰십시오",
                        )
                    )
                    continue
            grade = typed["grade"].upper() or None
            version = str(form.get(f"version:{k}", "") or "")
            changes.append(
                values.InputChange(
                    indicator=block.number,
                    input=row.name,
                    value=number,
                    unit=typed["unit"] or None,
                    source=typed["source"] or None,
                    comment=typed["comment"] or None,
                    quality_grade=grade,
                    expected_version=int(version) if version.isdigit() else None,
                )
            )
    return changes, posted, problems


def _again(
    pc: PageContext, args: tuple[str, str, int, int], status: int, **kwargs: Any
) -> Response:
    data = build(pc, *args, **kwargs)
    response = render_page(pc, TEMPLATE, data)
    response.status_code = status
    return response


@router.post("/workspace/{slug}/{catalog}/{year}/theme/{theme}", include_in_schema=False)
def save_theme(
    slug: str = SLUG,
    catalog: str = CATALOG,
    year: int = YEAR,
    theme: int = THEME,
    form: FormData = Depends(form_data),
    pc: PageContext = Depends(page_context),
) -> Response:
    """Save the rows you changed; problems and conflicts show the form again with your input."""
    args = (slug, catalog, year, theme)
    current = build(pc, *args)
    changes, posted, unreadable = _parse(form, current)
    if unreadable:
        problem = ActionProblem(
            message=Bilingual(
                en="Some values are not numbers: nothing was saved.",
                ko="숫자가 아닌 값이 있어 저장하지 않았습니다.",
            ),
            status=422,
        )
        return _again(pc, args, 422, posted=posted, row_problems=unreadable, problem=problem)
    try:
        summary = values.set_inputs(
            pc.user_ctx, current.cycle.id, changes, reason="web form", allow_erase=True
        )
    except ValidationFailed as exc:
        rows: dict[str, list[Bilingual]] = {}
        for p in exc.problems:
            rows.setdefault(p.where, []).append(Bilingual(en=p.en, ko=p.ko))
        return _again(pc, args, 422, posted=posted, row_problems=rows, problem=problem_of(exc))
    except ConflictError as exc:
        theirs = {
            c.entity_key.removeprefix(current.cycle.key + "/"): Theirs(
                value=c.theirs if isinstance(c.theirs, int | float) else None,
                changed_by=c.changed_by,
                changed_at=c.changed_at,
                version=c.current_version,
            )
            for c in exc.conflicts
        }
        return _again(pc, args, 409, posted=posted, theirs=theirs, problem=problem_of(exc))
    except ServiceError as exc:
        return _again(pc, args, problem_of(exc).status, posted=posted, problem=problem_of(exc))
    saved = summary.created + summary.updated
    url = f"{current.cycle.workspace_url}/theme/{theme}?saved={saved}"
    return done(pc, url, {"created": summary.created, "updated": summary.updated})
