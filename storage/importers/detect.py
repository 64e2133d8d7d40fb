"""`tagih import --detect FILE`: guess an export's layout and propose a column mapping.

Reads the start of the file only and writes nothing. It guesses the encoding (BOM, then
UTF-8, then cp1252), the delimiter, the header row (titles above it are skipped), the
kind of file, which header feeds which Tagih field (Indonesian and English names and the
layouts of the accounting packages in `examples/mappings/`), the date format (day-first
when a date reads both ways, as in Indonesia, and said so) and the number format
(`1.250.000,00` or `1,250,000.00`). A customer export's one phone column holding mobile
numbers, with no WhatsApp column beside it, is proposed for both (`["phone", "whatsapp"]`).
The result prints as a mapping file to check and save.
"""

from __future__ import annotations

import codecs
import collections
import csv
import difflib
import itertools
import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import phonenumbers

from storage.importers.base import ImportKind
from storage.importers.mapping import DATE_FIELDS, strpdate
from storage.parsing import DEFAULT_REGION

#: How much of the file is read.
SAMPLE_BYTES = 256 * 1024
#: How many values of a column are tried against the date formats.
SAMPLE_VALUES = 500

#: Header names (lowercased, letters and digits only) that mean each field, per kind:
#: Tagih's own, Indonesian and English words, and the packages' templates.
SYNONYMS: dict[ImportKind, dict[str, list[str]]] = {
    ImportKind.INVOICES: {
        "number": [
            "number",
            "invoicenumber",
            "invoiceno",
            "invoice",
            "nofaktur",
            "nomorfaktur",
            "faktur",
            "noinvoice",
            "nomorinvoice",
            "invno",
            "docnumber",
            "refnumber",
            "nomor",
            "nofakturpenjualan",
        ],
        "customer": [
            "customer",
            "customercode",
            "kodepelanggan",
            "pelanggan",
            "contactname",
            "kode",
            "customerno",
            "namapelanggan",
            "customername",
            "kodecustomer",
            "customercustomerno",
            "idpelanggan",
        ],
        "issue_date": [
            "issuedate",
            "invoicedate",
            "tanggal",
            "tanggalfaktur",
            "tglfaktur",
            "date",
            "transdate",
            "txndate",
            "tgl",
            "tanggalinvoice",
            "tgltrans",
        ],
        "due_date": ["duedate", "jatuhtempo", "tanggaljatuhtempo", "tgljatuhtempo", "due"],
        "amount": [
            "amount",
            "total",
            "nilai",
            "totalamount",
            "jumlah",
            "grandtotal",
            "itemamount",
            "nilaifaktur",
            "totalfaktur",
            "unitprice",
            "hargasatuan",
        ],
        "balance": [
            "balance",
            "sisa",
            "saldo",
            "amountdue",
            "invoiceamountdue",
            "sisatagihan",
            "primeowing",
            "outstanding",
            "piutang",
            "balancedue",
            "sisapiutang",
        ],
        "currency": ["currency", "matauang", "currencycode"],
        "item": [
            "item",
            "description",
            "deskripsi",
            "keterangan",
            "productname",
            "produk",
            "barang",
            "itemdescription",
        ],
        "salesperson": ["salesperson", "sales", "salesman", "tenagapenjual", "penjual"],
        "quantity": ["quantity", "qty", "kuantitas", "itemquantity"],
        "due_days": ["discdue"],
    },
    ImportKind.CUSTOMERS: {
        "code": ["code", "kode", "customercode", "kodepelanggan", "customerno", "idpelanggan"],
        "name": ["name", "nama", "namapelanggan", "customername", "contactname", "displayname"],
        "email": ["email", "emailaddress", "surel", "alamatemail"],
        "phone": [
            "phone",
            "telepon",
            "telp",
            "nohp",
            "hp",
            "mobile",
            "phonenumber",
            "notelepon",
            "notelp",
        ],
        "whatsapp": ["whatsapp", "wa", "nowa", "nomorwhatsapp"],
        "telegram": ["telegram", "telegramchatid", "chatid"],
        "language": ["language", "bahasa"],
        "timezone": ["timezone", "zonawaktu"],
        "segment": ["segment", "segmen", "kategori", "category"],
        "salesperson": ["salesperson", "sales", "salesman"],
        "collector": ["collector", "penagih", "kolektor"],
        "policy": ["policy", "kebijakan"],
    },
    ImportKind.PAYMENTS: {
        "reference": [
            "reference",
            "paymentnumber",
            "nobukti",
            "noreferensi",
            "referensi",
            "ref",
            "receiptno",
            "nopembayaran",
        ],
        "invoice": ["invoice", "invoicenumber", "nofaktur", "noinvoice", "invoiceno", "faktur"],
        "amount": ["amount", "jumlah", "nilai", "amountpaid", "jumlahbayar"],
        "paid_on": ["paidon", "paymentdate", "tanggal", "tanggalbayar", "date", "tglbayar"],
        "method": ["method", "paymentmethod", "metode", "carabayar", "metodepembayaran"],
    },
}
#: The fields each kind needs (as `storage.importers` requires them).
REQUIRED: dict[ImportKind, tuple[str, ...]] = {
    ImportKind.INVOICES: ("number", "customer", "issue_date", "due_date", "amount"),
    ImportKind.CUSTOMERS: ("code", "name"),
    ImportKind.PAYMENTS: ("reference", "invoice", "amount", "paid_on"),
}
DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%d/%m/%y",
    "%m/%d/%y",
    "%d %b %Y",
    "%d-%b-%Y",
    "%d %B %Y",
    "%b %d, %Y",
)
_FIELD_DATES = DATE_FIELDS
_NUMBER_FIELDS = frozenset({"amount", "balance", "quantity"})


class DetectError(ValueError):
    """A file whose layout cannot be guessed (empty, binary)."""


@dataclass
class Detection:
    """What `detect` guessed about a file, and what it is unsure of (`notes`)."""

    file: str
    encoding: str
    delimiter: str
    skip_rows: int
    header: list[str]
    kind: ImportKind
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)  # header → fields
    dates: list[str] = field(default_factory=list)
    decimal: str | None = None
    thousands: str = ""
    lines: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def fed(self) -> set[str]:
        """Every field some column feeds."""
        return {name for names in self.columns.values() for name in names}

    def toml(self) -> str:
        """The proposal as a mapping file (`tagih import KIND FILE --map it.toml`)."""
        q = json.dumps
        out = [
            f"# Column mapping proposed by `tagih import --detect {Path(self.file).name}`.",
            "# Check it, then: tagih import "
            f"{self.kind.value} {Path(self.file).name} --map this-file.toml",
            f"kind = {q(self.kind.value)}",
            f"encoding = {q(self.encoding)}",
            f"delimiter = {q(self.delimiter)}",
        ]
        if self.skip_rows:
            out.append(f"skip_rows = {self.skip_rows}")
        if self.dates:
            out.append(f"dates = [{', '.join(q(d) for d in self.dates)}]")
        if self.decimal is not None:
            out.append(f"decimal = {q(self.decimal)}")
            out.append(f"thousands = {q(self.thousands)}")
        if self.lines:
            out.append(f"lines = {q(self.lines)}")
        out += ["", "[columns]"]
        for header in self.header:
            if not header.strip():
                continue
            names = self.columns.get(header)
            if names:
                value = q(names[0]) if len(names) == 1 else f"[{', '.join(map(q, names))}]"
                out.append(f"{q(header.strip())} = {value}")
            else:
                out.append(f'# {q(header.strip())} = ""  # not imported')
        covered = self.fed
        if "quantity" in covered:
            covered.add("amount")
        if "due_days" in covered:
            covered.add("due_date")
        missing = [name for name in REQUIRED[self.kind] if name not in covered]
        out += ["", "[fixed]"]
        if self.kind is ImportKind.INVOICES and "currency" not in covered:
            out.append('# currency = "IDR"')
        for name in missing:
            out.append(f'# {name} = ""  # required: no column found for it')
        return "\n".join(out) + "\n"


def command(kind: ImportKind, file: str | Path) -> str:
    """The `tagih import KIND --detect FILE` that proposes a mapping for `file`, quoted for a
    shell (hinted by the CLI and by `tagih sync` when a file is another package's layout)."""
    return f"tagih import {kind.value} --detect {shlex.quote(str(file))}"


def detect(path: Path, kind: ImportKind | None = None) -> Detection:
    """Guess the layout of the export in `path`; `kind` if known, else guessed from the header."""
    with path.open("rb") as handle:
        raw = handle.read(SAMPLE_BYTES)
        truncated = bool(handle.read(1))
    if not raw.strip():
        raise DetectError(f"{path}: empty file")
    encoding, text, notes = _decode(raw, truncated)
    if "\x00" in text:
        raise DetectError(f"{path}: not a text file (a spreadsheet? save it as CSV)")
    lines = text.splitlines()
    if truncated and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut off by the sample
    delimiter = _delimiter(lines)
    rows = list(csv.reader(lines, delimiter=delimiter))
    skip = _header_row(rows)
    header = [cell.strip() for cell in rows[skip]]
    body = [row for row in rows[skip + 1 :] if any(cell.strip() for cell in row)]
    if kind is None:
        kind = max(SYNONYMS, key=lambda k: _score(header, k))
        notes.append(f"looks like a file of {kind.value} (pass KIND to choose another)")
    found = Detection(str(path), encoding, delimiter, skip, header, kind, notes=notes)
    found.columns = {h: (name,) for h, name in match_headers(header, kind).items()}
    fed = found.fed
    for name in REQUIRED[kind]:
        if name not in fed and not (
            (name == "amount" and "quantity" in fed) or (name == "due_date" and "due_days" in fed)
        ):
            found.notes.append(f"no column found for the required field {name!r}: map it by hand")
    columns = {name: index for index, name in enumerate(header)}

    def values(names: frozenset[str]) -> list[str]:
        picked = [columns[h] for h, fields in found.columns.items() if names & set(fields)]
        return [row[i].strip() for row in body[:SAMPLE_VALUES] for i in picked if i < len(row)]

    dates = [v for v in values(_FIELD_DATES) if v]
    if dates:
        found.dates = _date_formats(dates, found.notes)
    found.decimal, found.thousands = _number_format(
        [v for v in values(_NUMBER_FIELDS) if v], found.notes
    )
    if kind is ImportKind.INVOICES:
        found.lines = _lines(body, header, found)
    if kind is ImportKind.CUSTOMERS and "whatsapp" not in fed:
        _whatsapp_too(found, [v for v in values(frozenset({"phone"})) if v])
    return found


def _whatsapp_too(found: Detection, numbers: list[str]) -> None:
    """Feed WhatsApp from the phone column too when all its numbers are mobile numbers.

    Exports of Indonesian accounting packages often have one `No. HP` column, which is
    the customer's SMS and WhatsApp number alike; without it no WhatsApp contact would be
    imported. A landline (`021-…`) is never on WhatsApp, so one among the numbers, or no
    number at all to judge by, leaves the column to `phone` alone.
    """
    if not numbers or not all(_mobile(number) for number in numbers):
        return
    header = next(h for h, names in found.columns.items() if "phone" in names)
    found.columns[header] = ("phone", "whatsapp")
    found.notes.append(
        f"{header!r} holds mobile numbers and no column is WhatsApp's: proposed for both "
        'phone (SMS, voice) and whatsapp; drop "whatsapp" if they are not on WhatsApp'
    )


def _mobile(text: str) -> bool:
    """True if `text` reads as a mobile number (written as Indonesians do, or with +CC)."""
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE


def _decode(raw: bytes, truncated: bool) -> tuple[str, str, list[str]]:
    """The encoding of `raw`, its text, and what is uncertain about it."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        data = raw if len(raw) % 2 == 0 else raw[:-1]
        return "utf-16", data.decode("utf-16", "replace"), []
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", raw[3:].decode("utf-8", "replace"), []
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        return "utf-8", decoder.decode(raw, final=not truncated), []
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1", raw.decode("latin-1"), ["not UTF-8 nor cp1252: read as latin-1"]
    return "cp1252", text, ["not UTF-8: read as cp1252 (Windows Western); check accented names"]


def _delimiter(lines: list[str]) -> str:
    """The delimiter of the first lines: csv.Sniffer's guess, or the most frequent one."""
    sample = "\n".join(lines[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        counts = collections.Counter({d: sample.count(d) for d in ",;\t|"})
        return counts.most_common(1)[0][0] if counts.most_common(1)[0][1] else ","


def _header_row(rows: list[list[str]]) -> int:
    """The index of the header: the first row as wide as the data, with no numbers or dates."""
    widths = collections.Counter(len(row) for row in rows[:50] if len(row) > 1)
    width = widths.most_common(1)[0][0] if widths else max(len(r) for r in rows[:1] or [[]])
    for index, row in enumerate(rows[:20]):
        cells = [cell.strip() for cell in row if cell.strip()]
        if len(row) == width and cells and not any(re.fullmatch(r"[\d.,/ -]+", c) for c in cells):
            return index
    return 0


def normal(header: str) -> str:
    """`header` as the synonyms spell it: lowercase letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", header.casefold())


def _score(header: list[str], kind: ImportKind) -> int:
    """How many of `kind`'s fields the header names (required ones count double)."""
    fed = set(match_headers(header, kind).values())
    return sum(2 if name in REQUIRED[kind] else 1 for name in fed)


def match_headers(header: list[str], kind: ImportKind) -> dict[str, str]:
    """Each header that means a field of `kind`: exact synonyms first, then close spellings."""
    synonyms = SYNONYMS[kind]
    chosen: dict[str, str] = {}
    taken: set[str] = set()
    # An exact synonym, earlier in a field's list meaning a better match, wins.
    ranked = sorted(
        (
            (synonyms[name].index(normal(h)), i, h, name)
            for i, h in enumerate(header)
            for name in synonyms
            if normal(h) in synonyms[name]
        ),
    )
    for _, _, h, name in ranked:
        if h not in chosen and name not in taken:
            chosen[h] = name
            taken.add(name)
    words = {word: name for name, names in synonyms.items() for word in names}
    for h in header:
        if h in chosen or not normal(h):
            continue
        close = difflib.get_close_matches(normal(h), list(words), n=1, cutoff=0.85)
        if close and words[close[0]] not in taken:
            chosen[h] = words[close[0]]
            taken.add(words[close[0]])
    return chosen


def _date_formats(values: list[str], notes: list[str]) -> list[str]:
    """The date format that reads every value; day-first when both orders do."""
    fits = []
    for form in DATE_FORMATS:
        try:
            for value in values:
                strpdate(value, form)
        except ValueError:
            continue
        fits.append(form)
    if not fits:
        notes.append(f"no date format reads every date (e.g. {values[0]!r}): set `dates` by hand")
        return []
    best = fits[0]
    swapped = {"%d/%m/%Y": "%m/%d/%Y", "%d-%m-%Y": "%m-%d-%Y", "%d/%m/%y": "%m/%d/%y"}
    if best in swapped and swapped[best] in fits:
        notes.append(
            f"dates are ambiguous: every one reads as {best} and as {swapped[best]}; "
            f"chose day-first ({best}), as Indonesia writes them: check"
        )
    elif best in swapped.values():
        notes.append(f"dates are month-first ({best}): some would not read day-first")
    return [best]


_GROUPED_DOT = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")
_GROUPED_COMMA = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d{1,2}$")
_DECIMAL_DOT = re.compile(r"^-?\d+\.\d{1,2}$")


def _number_format(values: list[str], notes: list[str]) -> tuple[str | None, str]:
    """(decimal mark, thousands separator) the amounts are written with; None if plain."""
    votes: collections.Counter[str] = collections.Counter()
    for value in values:
        text = re.sub(r"^(?:rp\.?|idr)\s*", "", value.strip(), flags=re.I).removesuffix(",-")
        if _GROUPED_DOT.match(text) or _DECIMAL_COMMA.match(text):
            votes["comma"] += 1
        elif _GROUPED_COMMA.match(text) or _DECIMAL_DOT.match(text):
            votes["dot"] += 1
    if not votes:
        return None, ""
    if votes["comma"] and votes["dot"]:
        notes.append(
            f"amounts are written both ways ({votes['comma']} like 1.250.000,00, "
            f"{votes['dot']} like 1,250,000.00): chose the commoner, check"
        )
    if votes["comma"] >= votes["dot"]:
        return ",", "."
    return ".", ","


def _lines(body: list[list[str]], header: list[str], found: Detection) -> str | None:
    """ "sum" when invoice numbers repeat on consecutive rows (one row per invoice line)."""
    numbers = [h for h, names in found.columns.items() if "number" in names]
    if not numbers:
        return None
    index = header.index(numbers[0])
    keys = [row[index].strip() for row in body if index < len(row)]
    if not any(a == b and a for a, b in itertools.pairwise(keys)):
        return None
    if _amount_repeats(body, header, found, index):
        # Summing an invoice total repeated on each line would multiply the invoice.
        found.notes.append(
            "invoice numbers repeat on consecutive rows with the same amount on each: the "
            'amount is the invoice total, lines = "first" takes it once'
        )
        return "first"
    found.notes.append(
        'invoice numbers repeat on consecutive rows (one row per line): lines = "sum" '
        'adds up their amounts; use "first" if the amount is the invoice total repeated'
    )
    return "sum"


def _amount_repeats(
    body: list[list[str]], header: list[str], found: Detection, number_index: int
) -> bool:
    """Whether every repeated invoice carries one and the same amount on all its rows."""
    amounts = [h for h, names in found.columns.items() if "amount" in names]
    if not amounts:
        return False
    index = header.index(amounts[0])
    rows: dict[str, list[str]] = {}
    for row in body:
        if max(index, number_index) < len(row) and row[number_index].strip():
            rows.setdefault(row[number_index].strip(), []).append(row[index].strip())
    repeated = [values for values in rows.values() if len(values) > 1]
    return bool(repeated) and all(len(set(values)) == 1 for values in repeated)
