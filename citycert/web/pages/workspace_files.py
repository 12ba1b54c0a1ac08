"""Files of the city workspace: the Excel template to download, the filled workbook to upload
(with a report pointing at every problem cell), and evidence files to attach and download.

Uploads are read up to the configured size limit (`CITYCERT_MAX_UPLOAD_BYTES`) and never kept
on disk longer than the request: the import reads a temporary copy named like the original, so
every problem names the file the official knows.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path as FsPath
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, HTTPException, Path, Query, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from citycert.io.problems import Problem as FileProblem
from citycert.io.workbook.rows import Expect
from citycert.services import evidence, imports, template, workflow
from citycert.services.context import ServiceError
from citycert.services.principal import PermissionDenied
from citycert.web.errors import wants_json
from citycert.web.pages import workspace_entry
from citycert.web.pages.workspace_common import (
    CATALOG,
    SLUG,
    YEAR,
    Bilingual,
    CycleHeader,
    done,
    find_cycle,
    header_of,
    problem_of,
    require_sign_in,
)
from citycert.web.rendering import PageContext, page_context, render_page, render_template

router = APIRouter(tags=["workspace"], dependencies=[Depends(require_sign_in)])

BASE = "/workspace/{slug}/{catalog}/{year}"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SAFE_NAME = re.compile(r"[^\w.\- ()\[\]가-힣]+")


def safe_name(filename: str | None, default: str) -> str:
    """The base name of an uploaded file, without path or odd characters."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    base = _SAFE_NAME.sub("_", base).strip(" .")[:120]
    return base or default


async def read_limited(upload: UploadFile, limit: int) -> bytes:
    """The uploaded bytes; 413 when the file is larger than `limit`."""
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(status_code=413)
    return data


@router.get(BASE + "/template.xlsx", include_in_schema=False)
def download_template(
    slug: str = SLUG,
    catalog: str = CATALOG,
    year: int = YEAR,
    labels: str = Query("both", pattern=r"^(ko|en|both)$", description="Label language."),
    pc: PageContext = Depends(page_context),
) -> Response:
    """The data-entry workbook of this cycle, pre-filled with the stored figures."""
    cycle = find_cycle(pc, slug, catalog, year)
    workflow.status(pc.user_ctx, cycle_id=cycle.id)  # city people and verifiers only
    name = f"citycert-{slug}-{catalog}-{year}.xlsx"
    with tempfile.TemporaryDirectory(prefix="citycert-template-") as tmp:
        path = FsPath(tmp) / name
        template.make_template(
            pc.user_ctx, city=slug, catalog=catalog, year=year, path=path, lang=labels
        )
        data = path.read_bytes()
    return Response(
        data,
        media_type=XLSX,
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


class ProblemRow(BaseModel):
    """One problem of an uploaded file: where (file, sheet, row, column), what, and the fix."""

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    code: str | None
    message: Bilingual
    fix: Bilingual


class ImportPage(BaseModel):
    cycle: CycleHeader
    file: str
    dry_run: bool
    applied: bool
    counts: dict[str, int]
    problems: list[ProblemRow]
    conflicts: list[ProblemRow]
    warnings: list[ProblemRow]
    created: list[str]
    updated: list[str]
    recomputed: int


def _rows(problems: list[FileProblem], name: str) -> list[ProblemRow]:
    return [
        ProblemRow(
            file=name,
            sheet=p.sheet,
            row=p.row,
            column=p.column,
            code=p.code,
            message=Bilingual(en=p.message_en, ko=p.message_ko),
            fix=Bilingual(en=p.hint_en, ko=p.hint_ko),
        )
        for p in problems
    ]


@router.post(BASE + "/import", include_in_schema=False)
async def upload_workbook(
    slug: str = SLUG,
    catalog: str = CATALOG,
    year: int = YEAR,
    file: UploadFile = File(...),
    dry_run: bool = Form(False),
    pc: PageContext = Depends(page_context),
) -> Response:
    """Import a filled workbook (or CSV/JSON exchange file) into this cycle, all or nothing."""
    data = await read_limited(file, pc.settings.max_upload_bytes)
    name = safe_name(file.filename, "upload.xlsx")
    return await run_in_threadpool(_import, pc, slug, catalog, year, name, data, dry_run)


def _import(
    pc: PageContext, slug: str, catalog: str, year: int, name: str, data: bytes, dry_run: bool
) -> Response:
    cycle = find_cycle(pc, slug, catalog, year)
    workflow.status(pc.user_ctx, cycle_id=cycle.id)
    header = header_of(pc, cycle)
    with tempfile.TemporaryDirectory(prefix="citycert-upload-") as tmp:
        path = FsPath(tmp) / name
        path.write_bytes(data)
        report = imports.import_file(
            pc.user_ctx,
            path,
            expect=Expect(city=slug, catalog=catalog, year=year),
            dry_run=dry_run,
            max_bytes=pc.settings.max_upload_bytes,
        )
    page = ImportPage(
        cycle=header,
        file=name,
        dry_run=dry_run,
        applied=report.applied,
        counts=report.counts(),
        problems=_rows(report.problems, name),
        conflicts=_rows(report.conflicts, name),
        warnings=_rows(report.warnings, name),
        created=report.created,
        updated=report.updated,
        recomputed=report.recomputed,
    )
    status = 200 if report.ok else (409 if report.conflicts and not report.problems else 422)
    if wants_json(pc.request):
        return JSONResponse(page.model_dump(mode="json"), status_code=status)
    return render_template(
        pc.request,
        "workspace/import.html",
        {"pc": pc, "data": page},
        lang=pc.lang,
        status_code=status,
    )


@router.post(BASE + "/evidence", include_in_schema=False)
async def upload_evidence(
    slug: str = SLUG,
    catalog: str = CATALOG,
    year: int = YEAR,
    target: str = Form(..., max_length=120, description="indicator or indicator/input"),
    theme: int = Form(..., ge=1, le=99),
    file: UploadFile = File(...),
    pc: PageContext = Depends(page_context),
) -> Response:
    """Attach an evidence file to an indicator (or one of its inputs)."""
    data = await read_limited(file, pc.settings.max_upload_bytes)
    name = safe_name(file.filename, "evidence")
    media = (file.content_type or "application/octet-stream")[:100]
    return await run_in_threadpool(
        _attach, pc, (slug, catalog, year, theme), target, name, data, media
    )


def _attach(
    pc: PageContext,
    args: tuple[str, str, int, int],
    target: str,
    name: str,
    data: bytes,
    media: str,
) -> Response:
    slug, catalog, year, theme = args
    cycle = find_cycle(pc, slug, catalog, year)
    indicator, _, input_name = target.partition("/")
    try:
        evidence.add_evidence(
            pc.user_ctx,
            cycle_id=cycle.id,
            indicator=indicator,
            input=input_name or None,
            filename=name,
            data=data,
            media_type=media,
            max_bytes=pc.settings.max_upload_bytes,
        )
    except PermissionDenied:
        raise
    except ServiceError as exc:
        problem = problem_of(exc)
        page = workspace_entry.build(pc, *args, problem=problem)
        response = render_page(pc, workspace_entry.TEMPLATE, page)
        response.status_code = problem.status
        return response
    url = f"/workspace/{slug}/{catalog}/{year}/theme/{theme}?uploaded=true#ind-{indicator}"
    return done(pc, url, {"indicator": indicator, "filename": name})


@router.get("/workspace/evidence/{sha256}", include_in_schema=False)
def download_evidence(
    sha256: str = Path(..., pattern=r"^[0-9a-f]{64}$"),
    name: str | None = Query(None, max_length=255),
    pc: PageContext = Depends(page_context),
) -> Response:
    """An evidence file, for the city's people and the cycle's verifiers (never the public)."""
    found = evidence.get_evidence(pc.user_ctx, sha256=sha256)
    filename = safe_name(name, sha256[:16])
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(
        found.data,
        media_type=found.media_type or "application/octet-stream",
        headers={"content-disposition": disposition, "cache-control": "private, no-store"},
    )
