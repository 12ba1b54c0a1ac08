"""Coverage-guided fuzzing of the importers with atheris (libFuzzer for Python).

The first input byte picks the file type (.csv, .json or .xlsx), the rest is the file. Any
exception other than a finished report is a crash: libFuzzer stops and writes the input to
`crash-<hash>` (under -artifact_prefix). The corpus starts from valid CityCert exports and a
template, so mutations reach deep into the readers.

Short run (as the test suite does):
    .venv/bin/python tests/hardening/fuzz_atheris.py -atheris_runs=300
Long run (an hour, keeping the corpus between runs):
    mkdir -p .fuzz/corpus && CITYCERT_FUZZ_CORPUS=.fuzz/corpus \
      .venv/bin/python tests/hardening/fuzz_atheris.py -max_total_time=3600 \
      -timeout=20 -rss_limit_mb=4096 -artifact_prefix=.fuzz/ .fuzz/corpus
Reproduce a crash:
    .venv/bin/python tests/hardening/fuzz_atheris.py .fuzz/crash-<hash>
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["citycert"]):
    from citycert.io.workbook.load import read_import_file

SUFFIXES = (".csv", ".json", ".xlsx")
FOLDER = Path(tempfile.mkdtemp(prefix="citycert-fuzz-"))


def one_input(data: bytes) -> None:
    """Read `data` as an import file; only a ParsedFile (with or without problems) may come."""
    if not data:
        return
    path = FOLDER / f"input{SUFFIXES[data[0] % len(SUFFIXES)]}"
    path.write_bytes(data[1:])
    parsed = read_import_file(path, max_bytes=1024 * 1024)
    for p in parsed.problems:
        if not (p.file == str(path) and p.message_en and p.message_ko and p.hint_ko):
            raise AssertionError(f"badly formed problem: {p!r}")


def seed_corpus(folder: Path) -> None:
    """Valid files of each type, written by CityCert, prefixed with their type byte."""
    from citycert.services import cities, cycles, exports, values
    from citycert.services.context import ServiceContext
    from citycert.services.template import make_template
    from citycert.store import migrate
    from citycert.store.engine import Database

    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        return
    work = Path(tempfile.mkdtemp(prefix="citycert-seed-"))
    db = Database.from_url(f"sqlite:///{work / 'seed.sqlite3'}")
    migrate.upgrade(db)
    try:
        ctx = ServiceContext(db=db, actor="cli:fuzz")
        cities.create_city(ctx, data=cities.parse_create(
            {"slug": "daegu", "name_en": "Daegu", "name_ko": "대구", "country": "KR"}))  # fmt: skip
        cy = cycles.open_cycle(ctx, city="daegu", catalog="iso37120-2018", year=2023)
        values.set_inputs(ctx, cy.id, [
            values.InputChange("5.1", "unemployed_persons", 48_000, source="KOSIS"),
            values.InputChange("5.1", "labour_force", 1_200_000, comment="=1+1"),
        ])  # fmt: skip
        for i, fmt in enumerate(("csv", "json", "xlsx")):
            target = work / f"seed.{fmt}"
            exports.export(ctx, fmt=exports.ExportFormat(fmt), target=target)
            (folder / f"seed-{fmt}").write_bytes(bytes([i]) + target.read_bytes())
        template = work / "template.xlsx"
        make_template(ctx, city="daegu", catalog="iso37120-2018", year=2023, path=template)
        (folder / "seed-template").write_bytes(bytes([2]) + template.read_bytes())
    finally:
        db.dispose()


def main() -> None:
    args = list(sys.argv)
    corpus = os.environ.get("CITYCERT_FUZZ_CORPUS")
    if corpus and not any(not a.startswith("-") for a in args[1:]):
        seed_corpus(Path(corpus))
        args.append(corpus)
    atheris.Setup(args, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
