"""`tagih import --detect FILE` (issue 13): guesses printed as a mapping that then imports."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from storage.importers import ImportKind
from storage.importers.detect import detect
from tests.integration.test_mapping import (
    EXPORTS,
    contacts,
    customers,
    database,
    invoices,
    ok,
    run,
)

__all__ = ["customers", "database"]  # the fixtures, shared

EXPORT = (
    "Laporan Piutang per 31/10/2026\n"
    "\n"
    "No. Faktur;Kode Pelanggan;Nama Pelanggan;Tanggal Faktur;Jatuh Tempo;Total;Sisa;Keterangan\n"
    "F-001;C001;PT Lestari Agung;01/10/2026;05/11/2026;1.250.000,00;1.250.000,00;Semen Rp\n"
    "F-002;C002;Café Señor;03/10/2026;02/11/2026;2.000.000,50;500.000,00;Kopi\n"
)


def test_detects_encoding_delimiter_title_rows_and_formats(customers: str, tmp_path: Path) -> None:
    """cp1252, `;`, two title lines, day-first dates (ambiguous, said so), decimal comma."""
    export = tmp_path / "piutang.csv"
    export.write_bytes(EXPORT.encode("cp1252"))
    result = run("import", "--detect", str(export))
    assert result.exit_code == 0, result.output
    toml = result.stdout
    for line in (
        'kind = "invoices"',
        'encoding = "cp1252"',
        'delimiter = ";"',
        "skip_rows = 2",
        'dates = ["%d/%m/%Y"]',
        'decimal = ","',
        'thousands = "."',
        '"No. Faktur" = "number"',
        '"Kode Pelanggan" = "customer"',
        '"Tanggal Faktur" = "issue_date"',
        '"Jatuh Tempo" = "due_date"',
        '"Total" = "amount"',
        '"Sisa" = "balance"',
        '"Keterangan" = "item"',
        '# "Nama Pelanggan" = ""  # not imported',
    ):
        assert line in toml, toml
    assert "dates are ambiguous" in result.output
    assert invoices(customers) == {}  # detection writes nothing
    mapping = tmp_path / "map.toml"
    mapping.write_text(toml)
    ok("import", "invoices", str(export), "--map", str(mapping))
    rows = invoices(customers)
    expected = ("2026-10-03", "2026-11-02", Decimal("2000000.50"), Decimal(500000))
    assert rows["F-002"][1:5] == expected


def test_utf16_and_month_first_dates(tmp_path: Path) -> None:
    """A UTF-16 file with a BOM; dates that only read month-first are month-first."""
    export = tmp_path / "e.csv"
    text = (
        "Invoice No\tCustomer\tInvoice Date\tDue Date\tAmount\nA1\tC1\t10/25/2026\t11/24/2026\t5\n"
    )
    export.write_bytes(text.encode("utf-16"))
    found = detect(export)
    assert (found.encoding, found.delimiter, found.kind) == ("utf-16", "\t", ImportKind.INVOICES)
    assert found.dates == ["%m/%d/%Y"]
    assert found.decimal is None


@pytest.mark.parametrize("package", ["jurnal", "xero", "quickbooks", "zahir", "accurate"])
def test_known_layouts_are_recognised(package: str) -> None:
    """The packages' own headers map onto the fields their shipped mapping gives them."""
    found = detect(EXPORTS / f"{package}-invoices.csv")
    assert found.kind is ImportKind.INVOICES
    fed = found.fed
    assert {"number", "customer", "issue_date"} <= fed, found.columns
    assert "amount" in fed or "quantity" in fed


def test_invoice_lines_summed_or_taken_once(tmp_path: Path) -> None:
    """Rows per invoice line: line amounts are summed; a total repeated on each row is taken
    once (summing it would multiply the invoice)."""
    head = "Invoice No,Customer,Invoice Date,Due Date,Amount\n"
    lines = tmp_path / "lines.csv"
    lines.write_text(head + "A1,C1,01/10/2026,31/10/2026,100\nA1,C1,01/10/2026,31/10/2026,250\n")
    assert detect(lines).lines == "sum"
    totals = tmp_path / "totals.csv"
    totals.write_text(head + "A1,C1,01/10/2026,31/10/2026,350\nA1,C1,01/10/2026,31/10/2026,350\n")
    found = detect(totals)
    assert found.lines == "first" and any("invoice total" in note for note in found.notes)
    assert detect(EXPORTS / "xero-invoices.csv").lines == "first"  # Total repeats per line


def test_one_mobile_column_proposed_for_sms_and_whatsapp(database: str, tmp_path: Path) -> None:
    """A customer export's one `No. HP` column of mobile numbers, no WhatsApp column: the
    proposal feeds both from it, says so, and imports contacts on every channel."""
    export = tmp_path / "pelanggan.csv"
    export.write_text(
        "Kode Pelanggan;Nama Pelanggan;No. HP\n"
        "K1;PT Satu;0812-3456-7890\nK2;CV Dua;\nK3;UD Tiga;+62 857 1234 5678\n"
    )
    result = run("import", "--detect", str(export))
    assert result.exit_code == 0, result.output
    assert '"No. HP" = ["phone", "whatsapp"]' in result.stdout
    assert "'No. HP' holds mobile numbers and no column is WhatsApp's" in result.output
    mapping = tmp_path / "map.toml"
    mapping.write_text(result.stdout)
    ok("import", "customers", str(export), "--map", str(mapping))
    first, third = "+6281234567890", "+6285712345678"
    assert contacts(database) == {
        "K1": {"sms": first, "voice": first, "whatsapp": first},
        "K3": {"sms": third, "voice": third, "whatsapp": third},
    }


@pytest.mark.parametrize(
    ("columns", "row"),
    [
        ("Kode,Nama,Telepon", "K1,PT Satu,021-5551234"),  # a landline is never on WhatsApp
        ("Kode,Nama,No. HP,No. WA", "K1,PT Satu,0812-3456-7890,0857-1234-5678"),
        ("Kode,Nama,No. HP", "K1,PT Satu,"),  # no number to judge by
    ],
)
def test_phone_column_left_alone(tmp_path: Path, columns: str, row: str) -> None:
    """Landlines, a WhatsApp column of its own, or no numbers: the phone column is phone's."""
    export = tmp_path / "pelanggan.csv"
    export.write_text(f"{columns}\n{row}\n")
    found = detect(export, ImportKind.CUSTOMERS)
    phone = columns.split(",")[2]
    assert found.columns[phone] == ("phone",)
    assert f"{phone!r} holds mobile numbers" not in " ".join(found.notes)
