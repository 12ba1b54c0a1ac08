"""Issue the certificate of a verified cycle through the service, announcing writes (crash tests).

`python -m tests.hardening.issue_certificate DATABASE_URL CYCLE_ID` (from the repository root)
calls `citycert.services.certificates.issue` as the operator, with the write markers (and the
hold) of `cli_with_write_marker`, and prints the certificate number when done.
"""

from __future__ import annotations

import sys

from tests.hardening.cli_with_write_marker import install_from_environment


def main() -> None:
    install_from_environment()
    from citycert.services import certificates
    from citycert.services.context import ServiceContext
    from citycert.store.engine import Database

    url, cycle_id = sys.argv[1], int(sys.argv[2])
    db = Database.from_url(url)
    try:
        cert = certificates.issue(ServiceContext(db=db, actor="admin@kcert"), cycle_id=cycle_id)
    finally:
        db.dispose()
    print(f"issued {cert.public_id}", flush=True)


if __name__ == "__main__":
    main()
