"""Use cases over the audit log: verify the hash chain, export it, show a value's history."""

from __future__ import annotations

from typing import Any

from citycert.services.context import ServiceContext
from citycert.store import audit_log
from citycert.store.audit_log import AuditEntry, ExportFormat, VerifyResult


def verify(ctx: ServiceContext) -> VerifyResult:
    """Recompute every hash; the result names the first broken entry, if any."""
    with ctx.read() as s:
        return audit_log.verify_chain(s)


def export(ctx: ServiceContext, *, fmt: ExportFormat) -> str:
    """The whole log as CSV or JSON text."""
    with ctx.read() as s:
        return audit_log.export(s, fmt)


def write_export(ctx: ServiceContext, *, fmt: ExportFormat, out: Any) -> int:
    """Stream the whole log to a text file object; returns the number of entries."""
    with ctx.read() as s:
        return audit_log.write_export(s, fmt, out)


def history(ctx: ServiceContext, *, entity_key_prefix: str) -> list[AuditEntry]:
    """Every change to a key and to the keys under it (`daegu/iso37120-2018/2023/5.1`)."""
    with ctx.read() as s:
        return audit_log.history(s, entity_key_prefix)
