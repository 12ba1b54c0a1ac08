"""Evidence files: stored once per distinct content (SHA-256) in the database, linked to figures."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from citycert.domain.authz import Action
from citycert.services.context import NotFoundError, Problem, ServiceContext, ValidationFailed
from citycert.services.cycles import cycle_key, load_cycle
from citycert.services.principal import authorize_cycle, cycle_target, principal_of
from citycert.services.values import input_spec
from citycert.settings import get_settings
from citycert.standards.catalog import get_catalog
from citycert.store.models import EvidenceBlob, EvidenceLink, ReportingCycle

# Evidence file types by name ending, with the media type they are stored and served as. The
# type a browser sends is not trusted; anything a browser could run from our origin (HTML, SVG,
# scripts, programs) is refused.
EVIDENCE_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "txt": "text/plain",
    "csv": "text/csv",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "hwp": "application/x-hwp",
    "hwpx": "application/hwp+zip",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "zip": "application/zip",
}


def evidence_media_type(filename: str) -> str | None:
    """The media type an evidence file is stored as, from its name; None = not accepted."""
    _, dot, ext = filename.rpartition(".")
    return EVIDENCE_TYPES.get(ext.lower()) if dot else None


@dataclass(frozen=True)
class EvidenceFile:
    sha256: str
    size: int
    media_type: str
    data: bytes


@dataclass(frozen=True)
class EvidenceRef:
    id: int
    cycle_id: int
    indicator: str
    input: str | None
    sha256: str
    filename: str
    uploaded_by: str
    uploaded_at: datetime


def _store_blob(s: Session, sha: str, data: bytes, media_type: str) -> None:
    """Insert the content unless it is already there (two uploads of one file race safely)."""
    ins = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    s.execute(
        ins(EvidenceBlob)
        .values(sha256=sha, size=len(data), media_type=media_type, data=data)
        .on_conflict_do_nothing(index_elements=["sha256"])
    )


def add_evidence(
    ctx: ServiceContext,
    *,
    cycle_id: int,
    indicator: str,
    input: str | None,
    filename: str,
    data: bytes,
    media_type: str,
    max_bytes: int | None = None,
) -> str:
    """Attach a file to an indicator (or one input) of a cycle; returns its SHA-256."""
    limit = max_bytes if max_bytes is not None else get_settings().max_upload_bytes
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()[:255]
    problems = []
    if len(data) > limit:
        problems.append(
            Problem(
                "file",
                f"file is {len(data):,} bytes, above the limit of {limit:,}",
                f"파일 크기({len(data):,}바이트)가 한도({limit:,}바이트)를 넘습니다",
            )
        )
    if not name:
        problems.append(Problem("filename", "file name is empty", "파일 이름이 비어 있습니다"))
    elif evidence_media_type(name) is None:
        accepted = ", ".join(f".{e}" for e in EVIDENCE_TYPES)
        problems.append(
            Problem(
                "filename",
                f"files like {name!r} cannot be attached; accepted types: {accepted}",
                f"{name!r} 형식의 파일은 첨부할 수 없습니다. 첨부할 수 있는 형식: {accepted}",
            )
        )
    media_type = evidence_media_type(name) or media_type
    sha = hashlib.sha256(data).hexdigest()
    with ctx.transaction() as s:
        cycle, slug = load_cycle(s, cycle_id)
        authorize_cycle(ctx, Action.evidence_add, cycle)
        cat = get_catalog(cycle.catalog)
        if cat.get(indicator) is None:
            problems.append(
                Problem(
                    indicator,
                    f"{cat.key} has no indicator {indicator!r}",
                    f"{cat.key}에 지표 {indicator!r}이(가) 없습니다",
                )
            )
        elif input is not None and input_spec(cat, indicator, input) is None:
            problems.append(
                Problem(
                    f"{indicator}/{input}",
                    f"indicator {indicator} has no input {input!r}",
                    f"지표 {indicator}에는 입력값 {input!r}이(가) 없습니다",
                )
            )
        if problems:
            raise ValidationFailed(problems)
        _store_blob(s, sha, data, media_type.strip() or "application/octet-stream")
        same = s.scalars(
            select(EvidenceLink.id).where(
                EvidenceLink.cycle_id == cycle_id,
                EvidenceLink.indicator == indicator,
                EvidenceLink.input.is_(None) if input is None else EvidenceLink.input == input,
                EvidenceLink.sha256 == sha,
                EvidenceLink.filename == name,
            )
        ).first()
        if same is not None:
            return sha  # the same file under the same name is already attached
        now = ctx.now()
        s.add(
            EvidenceLink(
                cycle_id=cycle_id,
                indicator=indicator,
                input=input,
                sha256=sha,
                filename=name,
                uploaded_by=ctx.actor,
                uploaded_at=now,
            )
        )
        key = f"{cycle_key(slug, cycle.catalog, cycle.year)}/{indicator}"
        ctx.audit(
            s,
            action="evidence.add",
            entity="evidence_link",
            entity_key=f"{key}/{input}" if input else key,
            new={"sha256": sha, "filename": name, "size": len(data), "media_type": media_type},
            at=now,
        )
    return sha


def _may_read(ctx: ServiceContext, s: Session, sha: str) -> bool:
    """Whether the principal may read some cycle this file is attached to."""
    principal = principal_of(ctx)
    linked = s.scalars(
        select(ReportingCycle)
        .join(EvidenceLink, EvidenceLink.cycle_id == ReportingCycle.id)
        .where(EvidenceLink.sha256 == sha)
    )
    return any(principal.can(Action.evidence_read, cycle_target(c)) for c in linked)


def get_evidence(ctx: ServiceContext, *, sha256: str) -> EvidenceFile:
    """The stored file with this SHA-256; NotFoundError when there is none."""
    with ctx.read() as s:
        blob = s.get(EvidenceBlob, sha256.strip().lower())
        if blob is not None and not _may_read(ctx, s, blob.sha256):
            blob = None  # files of cycles one may not read are as good as absent
        if blob is None:
            raise NotFoundError(f"no evidence file {sha256}", f"증빙 파일 {sha256}이(가) 없습니다")
        return EvidenceFile(blob.sha256, blob.size, blob.media_type, blob.data)


def list_evidence(
    ctx: ServiceContext, *, cycle_id: int, indicator: str | None = None
) -> list[EvidenceRef]:
    """Files attached in a cycle (optionally to one indicator), oldest first."""
    q = select(EvidenceLink).where(EvidenceLink.cycle_id == cycle_id)
    if indicator is not None:
        q = q.where(EvidenceLink.indicator == indicator)
    with ctx.read() as s:
        authorize_cycle(ctx, Action.evidence_read, load_cycle(s, cycle_id)[0])
        return [
            EvidenceRef(
                link.id,
                link.cycle_id,
                link.indicator,
                link.input,
                link.sha256,
                link.filename,
                link.uploaded_by,
                link.uploaded_at,
            )
            for link in s.scalars(q.order_by(EvidenceLink.id))
        ]
