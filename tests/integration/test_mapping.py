"""Column mappings (issue 13): accounting packages' exports imported as they come out.

Each mapping file in `examples/mappings/` imports its sample export in `examples/exports/`
through the command line into a real database, and the invoices read back as the export
meant them; a bad mapping is refused naming the file, the line and the key; errors in the
data name the export's own columns.
"""

from __future__ import annotations

import asyncio
import shlex
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner, Result

from bot.cli.main import app
from storage.db import Database
from storage.importers.mapping import parse_number
from storage.models import Contact, Customer, Invoice, Payment
from storage.parsing import FieldError
from tests.integration.test_importers import write

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MAPPINGS = EXAMPLES / "mappings"
EXPORTS = EXAMPLES / "exports"


def run(*args: str) -> Result:
    """Run `tagih` with `args`."""
    return CliRunner().invoke(app, list(args))


def ok(*args: str) -> str:
    """Run `tagih`, which must succeed; its output."""
    result = run(*args)
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


@pytest.fixture
def customers(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The example customers (C001…C030) imported; the database URL."""
    monkeypatch.setenv("TAGIH_DATABASE_URL", db_url)
    monkeypatch.setenv("COLUMNS", "300")
    ok("import", "customers", str(EXAMPLES / "customers.csv"))
    return db_url


@pytest.fixture
def database(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty migrated database the command line uses; its URL."""
    monkeypatch.setenv("TAGIH_DATABASE_URL", db_url)
    monkeypatch.setenv("COLUMNS", "300")
    return db_url


def contacts(db_url: str) -> dict[str, dict[str, str]]:
    """Every customer's contacts: {code: {channel: address}}."""

    async def read() -> dict[str, dict[str, str]]:
        database = Database(db_url)
        try:
            async with database.sessions() as session:
                query = select(Customer.code, Contact.channel, Contact.address).join(Customer)
                found: dict[str, dict[str, str]] = {}
                for code, channel, address in (await session.exec(query)).all():
                    found.setdefault(code, {})[channel] = address
                return found
        finally:
            await database.dispose()

    return asyncio.run(read())


def invoices(db_url: str) -> dict[str, tuple[str, str, str, Decimal, Decimal, str, str]]:
    """Every invoice: (customer id, issue, due, amount, balance, currency, item) by number."""

    async def read() -> dict[str, tuple[str, str, str, Decimal, Decimal, str, str]]:
        database = Database(db_url)
        try:
            async with database.sessions() as session:
                rows = (await session.exec(select(Invoice))).all()
                return {
                    row.number: (
                        str(row.customer_id),
                        row.issue_date.isoformat(),
                        row.due_date.isoformat(),
                        row.amount,
                        row.balance,
                        row.currency,
                        row.item,
                    )
                    for row in rows
                }
        finally:
            await database.dispose()

    return asyncio.run(read())


def payments(db_url: str) -> dict[str, Decimal]:
    """Every payment's amount by reference."""

    async def read() -> dict[str, Decimal]:
        database = Database(db_url)
        try:
            async with database.sessions() as session:
                return {p.reference: p.amount for p in (await session.exec(select(Payment))).all()}
        finally:
            await database.dispose()

    return asyncio.run(read())


def imported(package: str) -> str:
    """Import the sample export of `package` through its mapping; the command's output."""
    return ok(
        "import",
        "invoices",
        str(EXPORTS / f"{package}-invoices.csv"),
        "--map",
        str(MAPPINGS / f"{package}-invoices.toml"),
    )


def test_jurnal_lines_add_up_and_payments_follow(customers: str) -> None:
    """Jurnal: the lines of an invoice (quantity x unit price) make one invoice; payments too."""
    assert "imported 3 rows: 2 new" in imported("jurnal")
    rows = invoices(customers)
    assert set(rows) == {"SI/2026/0101", "SI/2026/0102"}
    first = rows["SI/2026/0101"]
    assert first[1:] == (
        "2026-10-05",
        "2026-11-04",
        Decimal("1350000"),  # 10 x 65,000 + 2 x 350,000
        Decimal("1350000"),
        "IDR",
        "Semen 50 kg",
    )
    assert rows["SI/2026/0102"][3] == Decimal("2450012.50")  # 25 x 98,000.50
    ok(
        "import",
        "payments",
        str(EXPORTS / "jurnal-payments.csv"),
        "--map",
        str(MAPPINGS / "jurnal-payments.toml"),
    )
    assert payments(customers) == {"RP/2026/0001": Decimal("500000")}
    assert invoices(customers)["SI/2026/0101"][4] == Decimal("850000")


def test_xero_export_takes_the_invoice_totals(customers: str) -> None:
    """Xero: Total and InvoiceAmountDue are repeated on each line; the first line stands."""
    imported("xero")
    rows = invoices(customers)
    assert rows["INV-0001"][1:] == (
        "2026-10-01",
        "2026-10-31",
        Decimal("1110000.00"),
        Decimal("910000.00"),
        "IDR",
        "Jasa instalasi",
    )
    assert rows["INV-0002"][3:5] == (Decimal("555000.00"), Decimal("555000.00"))


def test_quickbooks_sums_item_amounts_written_with_commas(customers: str) -> None:
    """QuickBooks Online: `1,500,000.00` read as declared; item amounts add up per invoice."""
    imported("quickbooks")
    rows = invoices(customers)
    assert rows["1001"][3] == Decimal("1750000.50")
    assert rows["1002"][1:4] == ("2026-10-09", "2026-11-08", Decimal("800000.00"))


def test_zahir_due_date_from_terms_and_decimal_comma(customers: str) -> None:
    """Zahir: `;`-separated, `1.250.000,00`, and the due date DISCDUE days after TANGGAL."""
    imported("zahir")
    rows = invoices(customers)
    assert rows["ZI-0001"][1:4] == ("2026-10-01", "2026-10-31", Decimal("1250000.00"))
    assert rows["ZI-0002"][1:4] == ("2026-10-15", "2026-10-29", Decimal("2500000.50"))


def test_accurate_balance_from_prime_owing(customers: str) -> None:
    """Accurate (API field names): primeOwing is the open balance."""
    imported("accurate")
    rows = invoices(customers)
    assert rows["SI.2026.10.00002"][3:6] == (Decimal("750000"), Decimal("250000"), "IDR")


def test_plain_layout_mapping(customers: str) -> None:
    """Tagih's own layout through the plain mapping imports as it does without one."""
    ok(
        "import",
        "invoices",
        str(EXAMPLES / "invoices.csv"),
        "--map",
        str(MAPPINGS / "plain-invoices.toml"),
    )
    assert len(invoices(customers)) == 120


def test_inline_map_and_errors_name_the_exports_columns(customers: str, tmp_path: Path) -> None:
    """`--map "No. Faktur=number,..."`; a bad cell is reported under the export's header."""
    export = write(
        tmp_path,
        "faktur.csv",
        "No. Faktur,Kode Pelanggan,Tgl Faktur,Jatuh Tempo,Nilai\n"
        "F-1,C001,2026-10-01,2026-10-31,1000000\n"
        "F-2,C001,2026-10-01,2026-09-30,12jt\n",
    )
    inline = (
        "No. Faktur=number,Kode Pelanggan=customer,Tgl Faktur=issue_date,"
        "Jatuh Tempo=due_date,Nilai=amount"
    )
    result = run("import", "invoices", str(export), "--map", inline)
    assert result.exit_code == 1
    assert f"{export}:3: Nilai: not an amount: '12jt'" in result.output
    assert f"{export}:3: Jatuh Tempo: before issue_date" in result.output
    assert invoices(customers) == {}
    fixed = export.read_text().replace("2026-09-30,12jt", "2026-10-30,12000000")
    export.write_text(fixed)
    ok("import", "invoices", str(export), "--map", inline)
    assert invoices(customers)["F-2"][3] == Decimal("12000000")


def test_declared_formats_refuse_the_other_convention(customers: str, tmp_path: Path) -> None:
    """A date or amount not in the mapping's declared format is an error, never a guess."""
    mapping = write(
        tmp_path,
        "m.toml",
        'dates = ["%d/%m/%Y"]\ndecimal = ","\nthousands = "."\n\n[columns]\n'
        '"No" = "number"\n"Cust" = "customer"\n"Tgl" = "issue_date"\n"Due" = "due_date"\n'
        '"Total" = "amount"\n',
    )
    export = write(
        tmp_path,
        "e.csv",
        'No,Cust,Tgl,Due,Total\nA-1,C001,2026-10-01,31/10/2026,"1,250,000.00"\n',
    )
    result = run("import", "invoices", str(export), "--map", str(mapping))
    assert result.exit_code == 1
    assert f"{export}:2: Tgl: not a date as %d/%m/%Y: '2026-10-01'" in result.output
    assert f"{export}:2: Total: not an amount as decimal ','" in result.output


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            '[columns]\n"No" = "nomber"\n"C" = "customer"\n',
            "m.toml:2: [columns] 'No': unknown Tagih field 'nomber' for invoices; "
            "did you mean 'number'?",
        ),
        (
            '[columns]\n"No" = "number"\n"No2" = "number"\n',
            "m.toml:3: [columns] 'No2': 'number' is already fed by column 'No'",
        ),
        ('dates = ["%Y"]\n', "m.toml:1: dates: '%Y' is no date format"),
        ('decimal = ";"\n', 'm.toml:1: decimal: \';\': the decimal mark is "," or "."'),
        ("colums = 1\n", "m.toml:1: colums: unknown setting"),
        ("[columns]\n", "nothing feeds the required field(s) amount, customer"),
        (
            '[columns]\n"No" = "number"\n"C" = []\n',
            "m.toml:3: [columns] 'C': an empty list feeds no field",
        ),
        (
            '[columns]\n"No" = "number"\n"N2" = ["item", "number"]\n',
            "m.toml:3: [columns] 'N2': 'number' is already fed by column 'No'",
        ),
        (
            '[columns]\n"No" = ["number", "itme"]\n',
            "m.toml:2: [columns] 'No': unknown Tagih field 'itme' for invoices; "
            "did you mean 'item'?",
        ),
    ],
)
def test_bad_mapping_is_refused_with_file_line_and_key(
    customers: str, tmp_path: Path, toml: str, expected: str
) -> None:
    """A bad mapping exits 2 naming the mapping file, the line and key, and what is wrong."""
    mapping = write(tmp_path, "m.toml", toml)
    export = write(tmp_path, "e.csv", "No,C\n1,C001\n")
    result = run("import", "invoices", str(export), "--map", str(mapping))
    assert result.exit_code == 2, result.output
    assert expected.replace("m.toml", str(mapping)) in " ".join(result.output.split())


def test_header_missing_from_the_file_suggests_the_closest(customers: str, tmp_path: Path) -> None:
    """A mapped header the export lacks is named, with the file's closest header."""
    export = write(
        tmp_path, "e.csv", "No. Faktur,Kode,Tgl,Due,Nilai\nF-1,C001,2026-10-01,2026-10-31,5\n"
    )
    result = run(
        "import",
        "invoices",
        str(export),
        "--map",
        "No Faktur=number,Kode=customer,Tgl=issue_date,Due=due_date,Nilai=amount",
    )
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "column 'No Faktur' of --map is not in the file; did you mean 'No. Faktur'?" in text


#: A customer export with one mobile number column, the SMS and the WhatsApp number alike.
PELANGGAN = "Kode,Nama Pelanggan,No. HP,Email\n"
ONE_NUMBER = {
    "toml": 'kind = "customers"\n\n[columns]\n"Kode" = "code"\n"Nama Pelanggan" = "name"\n'
    '"No. HP" = ["phone", "whatsapp"]\n"Email" = "email"\n',
    "inline": "Kode=code,Nama Pelanggan=name,No. HP=phone+whatsapp,Email=email",
}


def one_number_map(tmp_path: Path, form: str) -> str:
    """The `--map` argument of `form`: a mapping file's path, or the inline text."""
    if form == "toml":
        return str(write(tmp_path, "pelanggan.toml", ONE_NUMBER["toml"]))
    return ONE_NUMBER["inline"]


@pytest.mark.parametrize("form", ["toml", "inline"])
def test_one_column_feeds_sms_and_whatsapp(database: str, tmp_path: Path, form: str) -> None:
    """`"No. HP" = ["phone", "whatsapp"]` (inline `No. HP=phone+whatsapp`): one number, every
    channel it reaches: SMS and voice (`phone`) and WhatsApp."""
    export = write(
        tmp_path,
        "pelanggan.csv",
        PELANGGAN + "K1,PT Satu,0812-3456-7890,ar@satu.example\nK2,CV Dua,,ar@dua.example\n",
    )
    output = ok("import", "customers", str(export), "--map", one_number_map(tmp_path, form))
    assert "imported 2 rows: 2 new" in output
    number = "+6281234567890"
    assert contacts(database) == {
        "K1": {"sms": number, "voice": number, "whatsapp": number, "email": "ar@satu.example"},
        "K2": {"email": "ar@dua.example"},
    }


@pytest.mark.parametrize("form", ["toml", "inline"])
def test_bad_number_in_a_shared_column_is_named_once(
    database: str, tmp_path: Path, form: str
) -> None:
    """A bad cell of a column feeding two fields is one problem, under the export's header."""
    export = write(
        tmp_path,
        "pelanggan.csv",
        PELANGGAN + "K1,PT Satu,0812-3456-7890,\nK2,CV Dua,nomor kantor,\n",
    )
    result = run("import", "customers", str(export), "--map", one_number_map(tmp_path, form))
    assert result.exit_code == 1, result.output
    problem = f"{export}:3: No. HP: not a phone number: 'nomor kantor'"
    assert result.output.count(problem) == 1, result.output
    assert "1 problem in 1 row: nothing was imported." in result.output
    assert "phone:" not in result.output and "whatsapp:" not in result.output
    assert contacts(database) == {}


#: An export's header and a row, for each kind, as an accounting package writes them.
FOREIGN = {
    "invoices": "No. Faktur,Kode Pelanggan,Tgl Faktur,Jatuh Tempo,Nilai\n"
    "F-1,K1,2026-10-01,2026-10-31,1000000\n",
    "customers": PELANGGAN + "K1,PT Satu,0812-3456-7890,ar@satu.example\n",
    "payments": "No. Bukti,No. Faktur,Jumlah,Tanggal Bayar\nP-1,F-1,1000000,2026-10-05\n",
}


@pytest.mark.parametrize("kind", sorted(FOREIGN))
def test_foreign_header_without_map_ends_with_detect_hint(
    database: str, tmp_path: Path, kind: str
) -> None:
    """An export imported as if it were Tagih's layout: the header error as before, then a
    last line pointing at `--detect`, whose command (quoted) proposes a mapping."""
    export = write(tmp_path, "ekspor akuntansi.csv", FOREIGN[kind])
    result = run("import", kind, str(export))
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{export}:1: unknown columns: "), result.output
    assert lines[1] == "1 problem in 1 row: nothing was imported."
    command = f"tagih import {kind} --detect '{export}'"
    assert lines[-1] == (
        f"hint: an accounting package's export? try `{command}` to propose a mapping of its "
        "columns, then import it with --map"
    )
    proposed = ok(*shlex.split(command)[1:])
    assert f'kind = "{kind}"' in proposed and "[columns]" in proposed


@pytest.mark.parametrize(
    ("text", "mapped"),
    [
        ("code,name\nK1,\n", False),  # Tagih's layout, a bad row
        ("code,name,name\nK1,PT Satu,PT Satu\n", False),  # a repeated column only
        (PELANGGAN + "K1,PT Satu,,\n", True),  # a mapping naming a header the file lacks
    ],
)
def test_no_detect_hint_when_the_layout_is_not_the_problem(
    database: str, tmp_path: Path, text: str, mapped: bool
) -> None:
    """Bad rows, a repeated column, or a mapping's own mismatch: no hint about `--detect`."""
    export = write(tmp_path, "e.csv", text)
    extra = ["--map", "Kode=code,Nama=name,No. WA=whatsapp"] if mapped else []
    result = run("import", "customers", str(export), *extra)
    assert result.exit_code == 1, result.output
    assert f"{export}:" in result.output
    assert "--detect" not in result.output


def test_parse_number_conventions() -> None:
    """Declared decimal comma and point; grouping by three; at most two decimals."""
    assert parse_number("Rp 1.250.000,50", ",", ".") == Decimal("1250000.50")
    assert parse_number("1,250,000.00", ".", ",") == Decimal("1250000.00")
    assert parse_number("-1250000", ",", ".") == Decimal("-1250000")
    assert parse_number("100.0000", ".", ",") == Decimal("100.00")
    for bad in ("1.25.000,00", "1,250,000.00", "12,5jt", "1.250.000,123"):
        with pytest.raises(FieldError):
            parse_number(bad, ",", ".")
