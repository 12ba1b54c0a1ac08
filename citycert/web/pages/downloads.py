"""Open data downloads: all public data, or one city's, in every exchange format.

Files are written by the export service into a temporary folder for the request and removed once
sent (nothing is kept between requests). Only published or certified cycles are exported.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path as FilePath

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel
from starlette.background import BackgroundTask
from starlette.responses import FileResponse

from citycert.i18n import both
from citycert.services import public
from citycert.services.context import ServiceContext
from citycert.services.exports import ExportFormat
from citycert.web.deps import public_context
from citycert.web.pages import NavItem
from citycert.web.pages.city import SLUG, Download, downloads_of
from citycert.web.rendering import PageContext, page, page_context

router = APIRouter(tags=["open data"])
NAV = (NavItem("/downloads", "nav.downloads", order=40),)

MEDIA_TYPES = {
    ExportFormat.csv: ("text/csv; charset=utf-8", ".csv"),
    ExportFormat.xlsx: (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".xlsx",
    ),
    ExportFormat.json: ("application/json", ".json"),
    ExportFormat.datapackage: ("application/zip", "-datapackage.zip"),
    ExportFormat.sdmx: ("application/zip", "-sdmx.zip"),
}


class FormatInfo(BaseModel):
    format: ExportFormat
    media_type: str
    description: dict[str, str]
    url: str


class DownloadsPage(BaseModel):
    formats: list[FormatInfo]
    licence: dict[str, str]
    registry_url: str


@page(
    router,
    "/downloads",
    template="downloads.html",
    model=DownloadsPage,
    summary="Open data downloads in every exchange format",
)
def downloads(pc: PageContext = Depends(page_context)) -> DownloadsPage:
    """Links to all public data in csv, xlsx, json, Data Package and SDMX."""
    links: list[Download] = downloads_of(None)
    return DownloadsPage(
        formats=[
            FormatInfo(
                format=d.format,
                media_type=MEDIA_TYPES[d.format][0],
                description=both(f"format.{d.format.value}.about"),
                url=d.url,
            )
            for d in links
        ],
        licence=both("downloads.licence"),
        registry_url=pc.href("/cities"),
    )


def _export_file(ctx: ServiceContext, fmt: ExportFormat, city: str | None) -> FileResponse:
    media_type, suffix = MEDIA_TYPES[fmt]
    name = f"citycert-{city or 'all'}{suffix}"
    folder = FilePath(tempfile.mkdtemp(prefix="citycert-download-"))
    try:
        if fmt is ExportFormat.sdmx:
            written = public.export_public(ctx, fmt=fmt, target=folder / "sdmx", city=city)
            target = folder / name
            with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
                for f in sorted(written.files):
                    zf.write(f, arcname=f.name)
        else:
            target = folder / name
            public.export_public(ctx, fmt=fmt, target=target, city=city)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(
        target,
        media_type=media_type,
        filename=name,
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )


# Every media type a download can have, for the OpenAPI document.
FILE_TYPES: dict[str, dict[str, str]] = {media: {} for media, _ in MEDIA_TYPES.values()}
FORMAT = Path(..., description="csv, xlsx, json, datapackage (zip) or sdmx (zip).")


@router.get(
    "/downloads/all/{fmt}",
    response_class=FileResponse,
    summary="All public data in one exchange format",
    responses={200: {"content": FILE_TYPES}},
)
def download_all(
    fmt: ExportFormat = FORMAT, ctx: ServiceContext = Depends(public_context)
) -> FileResponse:
    return _export_file(ctx, fmt, None)


@router.get(
    "/downloads/cities/{slug}/{fmt}",
    response_class=FileResponse,
    summary="One city's public data in one exchange format",
    responses={200: {"content": FILE_TYPES}},
)
def download_city(
    slug: str = SLUG, fmt: ExportFormat = FORMAT, ctx: ServiceContext = Depends(public_context)
) -> FileResponse:
    return _export_file(ctx, fmt, slug)
