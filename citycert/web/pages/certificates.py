"""Public certificate verification: anyone with a certificate number (or its QR code) can check
that it is genuine, in force, and what it certifies; the printable PDF comes from the same data."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel
from starlette.responses import Response

from citycert.io.reports.output import render_report
from citycert.services import certificates
from citycert.services.context import ServiceContext
from citycert.web.deps import public_context
from citycert.web.rendering import PageContext, page, page_context

router = APIRouter(tags=["certificates"])

PUBLIC_ID = Path(
    ...,
    pattern=r"^[A-Za-z0-9-]{3,80}$",
    description="Certificate number, e.g. CC-2024-DAEGU-37120-0001.",
)


class CertificatePage(BaseModel):
    certificate: certificates.CertificateVerification
    city_url: str
    pdf_url: str


@page(
    router,
    "/certificates/{public_id}",
    template="certificate.html",
    model=CertificatePage,
    summary="Verify a certificate",
)
def certificate(
    public_id: str = PUBLIC_ID, pc: PageContext = Depends(page_context)
) -> CertificatePage:
    """Status (valid, expired, revoked, altered), what was certified, and the snapshot hash."""
    view = certificates.verify(pc.ctx, public_id=public_id)
    return CertificatePage(
        certificate=view,
        city_url=pc.href(f"/cities/{view.city_slug}"),
        pdf_url=f"/certificates/{view.public_id}/pdf",
    )


@router.get(
    "/certificates/{public_id}/pdf",
    summary="The printable certificate (PDF, English and Korean)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def certificate_pdf(
    public_id: str = PUBLIC_ID, ctx: ServiceContext = Depends(public_context)
) -> Response:
    view = certificates.verify(ctx, public_id=public_id)
    data = render_report(certificates.document(view), "pdf", "both")
    return Response(
        data,
        media_type="application/pdf",
        headers={"content-disposition": f'inline; filename="{view.public_id}.pdf"'},
    )
