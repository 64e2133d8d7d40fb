"""Write deterministic example customers, invoices and payments CSVs for Tagih.

    python examples/generate.py --today 2026-11-23          # the committed files
    python examples/generate.py --seed 7 --out /tmp/demo    # another data set

Import them in order: customers, invoices, payments.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import phonenumbers

HERE = Path(__file__).resolve().parent

SALESPEOPLE = ("Budi Santoso", "Siti Rahmawati", "Agus Setiawan")
COLLECTORS = ("Rina Wulandari", "Yusuf Hidayat")

# City and its time zone: WIB (Asia/Jakarta), WITA (Asia/Makassar), WIT (Asia/Jayapura).
CITIES = (
    ("Jakarta", "Asia/Jakarta"),
    ("Bandung", "Asia/Jakarta"),
    ("Surabaya", "Asia/Jakarta"),
    ("Semarang", "Asia/Jakarta"),
    ("Medan", "Asia/Jakarta"),
    ("Palembang", "Asia/Jakarta"),
    ("Malang", "Asia/Jakarta"),
    ("Makassar", "Asia/Makassar"),
    ("Denpasar", "Asia/Makassar"),
    ("Balikpapan", "Asia/Makassar"),
    ("Manado", "Asia/Makassar"),
    ("Mataram", "Asia/Makassar"),
    ("Jayapura", "Asia/Jayapura"),
    ("Ambon", "Asia/Jayapura"),
    ("Sorong", "Asia/Jayapura"),
)
FORMS = ("PT", "PT", "CV", "CV", "UD", "Toko")
WORDS = (
    "Maju", "Jaya", "Sumber", "Rejeki", "Berkah", "Abadi", "Sentosa", "Makmur", "Karya",
    "Mandiri", "Sejahtera", "Prima", "Cahaya", "Bintang", "Harapan", "Mulia", "Lestari",
    "Nusantara", "Sinar", "Baru", "Agung", "Utama", "Surya", "Indah",
)  # fmt: skip
ITEMS = {
    "retail": ("Minyak goreng 2 L (karton)", "Beras premium 25 kg", "Gula pasir 50 kg",
               "Sabun cuci 800 g (karton)", "Mi instan (dus)"),
    "distributor": ("Kopi bubuk 1 kg", "Air mineral 600 ml (palet)", "Susu UHT 1 L (karton)",
                    "Teh celup 25 s (karton)"),
    "horeca": ("Daging sapi beku 10 kg", "Tepung terigu 25 kg", "Keju cheddar 2 kg",
               "Peralatan dapur", "Jasa servis mesin kopi"),
    "konstruksi": ("Semen 50 kg (200 sak)", "Besi beton 10 mm (batang)", "Cat tembok 25 kg",
                   "Keramik 40x40 (dus)", "Jasa instalasi listrik"),
}  # fmt: skip
# Telkomsel, Indosat, XL, Tri and Smartfren prefixes.
MOBILE_PREFIXES = (
    "0811", "0812", "0813", "0821", "0822", "0852", "0853", "0856", "0857",
    "0815", "0817", "0818", "0819", "0859", "0877", "0878", "0896", "0881",
)  # fmt: skip
METHODS = ("transfer BCA", "transfer Mandiri", "transfer BRI", "virtual account", "QRIS", "giro")


@dataclass
class Invoice:
    """An invoice as written, plus what the payments generator needs to know."""

    number: str
    customer: str
    issue: dt.date
    due: dt.date
    amount: int
    currency: str
    fixed_balance: bool


def mobile(rng: random.Random) -> str:
    """A valid Indonesian mobile number, written the ways people write them."""
    while True:
        prefix = rng.choice(MOBILE_PREFIXES)
        rest = "".join(rng.choice("0123456789") for _ in range(8))
        number = phonenumbers.parse(prefix + rest, "ID")
        if phonenumbers.is_valid_number(number):
            break
    style = rng.random()
    if style < 0.6:
        return f"{prefix}-{rest[:4]}-{rest[4:]}"
    if style < 0.8:
        return f"+62 {prefix[1:]} {rest[:4]} {rest[4:]}"
    return f"62{prefix[1:]}{rest}"


def customers(rng: random.Random, count: int) -> list[dict[str, str]]:
    """About `count` customers spread over Indonesia's three time zones."""
    rows: list[dict[str, str]] = []
    names: set[str] = set()
    while len(rows) < count:
        form = rng.choice(FORMS)
        city, zone = rng.choice(CITIES)
        words = rng.sample(WORDS, 2)
        name = f"{form} {' '.join(words)}" + (f" {city}" if form == "Toko" else "")
        if name in names:
            continue
        names.add(name)
        index = len(rows) + 1
        slug = "".join(words).lower()
        english = index % 8 == 3  # a few foreign-managed companies read English
        domain = f"{slug}.example" if index % 3 else "example.co.id"
        phone = mobile(rng)
        whatsapp = "" if rng.random() < 0.4 else (phone if rng.random() < 0.7 else mobile(rng))
        telegram = {5: "512345678", 17: "-1001234567890"}.get(index, "")
        rows.append(
            {
                "code": f"C{index:03d}",
                "name": name if not english else f"PT {' '.join(words)} Indonesia",
                "email": f"keuangan@{domain}"
                if domain != "example.co.id"
                else f"ar.{slug}@{domain}",
                "phone": phone,
                "whatsapp": whatsapp,
                "telegram": telegram,
                "language": "en" if english else ("id" if index % 2 else ""),
                "timezone": zone,
                "segment": rng.choice(tuple(ITEMS)),
                "salesperson": SALESPEOPLE[index % len(SALESPEOPLE)],
                "collector": COLLECTORS[index % len(COLLECTORS)],
                "policy": "",
            }
        )
    return rows


def idr(rng: random.Random) -> int:
    """A round-ish Rupiah amount between 500.000 and 150.000.000, small ones more likely."""
    raw: float = 500_000 * 300 ** rng.random()
    step = 50_000 if raw < 5_000_000 else 250_000 if raw < 50_000_000 else 1_000_000
    return min(150_000_000, max(500_000, round(raw / step) * step))


def invoices(
    rng: random.Random, rows: list[dict[str, str]], count: int, today: dt.date
) -> list[Invoice]:
    """`count` invoices due over the last four months, and some not yet due."""
    result = []
    for index in range(1, count + 1):
        customer = rng.choice(rows)
        due = today + dt.timedelta(days=rng.randint(-120, 30))
        issue = due - dt.timedelta(days=rng.choice((14, 30, 30, 45, 60)))
        if issue > today:  # nothing is invoiced in the future
            issue = today - dt.timedelta(days=rng.randint(0, 7))
        usd = index % 25 == 7
        amount = rng.randrange(500, 15_000, 50) * 100 if usd else idr(rng) * 100  # hundredths
        number = f"INV/{issue:%Y}/{issue:%m}/{index:04d}"
        result.append(Invoice(number, customer["code"], issue, due, amount,
                              "USD" if usd else "IDR", index % 30 == 11))  # fmt: skip
    return result


def money(hundredths: int, currency: str, rng: random.Random) -> str:
    """Write an amount as accounting exports and people do."""
    units, cents = divmod(hundredths, 100)
    if currency != "IDR":
        return f"{units}.{cents:02d}"
    style = rng.random()
    dotted = f"{units:,}".replace(",", ".")
    return str(units) if style < 0.6 else dotted if style < 0.85 else f"Rp {dotted}"


def invoice_rows(
    rng: random.Random, items: list[Invoice], by_code: dict[str, dict[str, str]]
) -> list[dict[str, str]]:
    """The invoices file; a few invoices carry a balance already reduced before Tagih."""
    rows = []
    for inv in items:
        balance = ""
        if inv.fixed_balance:
            balance = money(inv.amount // 200 * 100, inv.currency, rng)
        rows.append(
            {
                "number": inv.number,
                "customer": inv.customer,
                "issue_date": inv.issue.isoformat()
                if rng.random() < 0.8
                else f"{inv.issue:%d/%m/%Y}",
                "due_date": inv.due.isoformat(),
                "amount": money(inv.amount, inv.currency, rng),
                "currency": inv.currency if inv.currency != "IDR" or rng.random() < 0.3 else "",
                "balance": balance,
                "item": rng.choice(ITEMS[by_code[inv.customer]["segment"]]),
                "salesperson": rng.choice(SALESPEOPLE) if rng.random() < 0.1 else "",
            }
        )
    return rows


def payments(
    rng: random.Random, items: list[Invoice], count: int, today: dt.date
) -> list[dict[str, str]]:
    """About `count` payments: some partial, some closing, a few in two instalments."""
    candidates = [inv for inv in items if inv.issue < today and not inv.fixed_balance]
    rows: list[dict[str, str]] = []
    for inv in rng.sample(candidates, len(candidates)):
        first = inv.amount if rng.random() < 0.5 else inv.amount * rng.choice((3, 4, 5, 6)) // 10
        parts = [first] + (
            [inv.amount - first] if first < inv.amount and rng.random() < 0.4 else []
        )
        span = max(1, (today - inv.issue).days)
        days = sorted(rng.randint(1, span) for _ in parts)  # instalments in date order
        for part, day in zip(parts, days, strict=True):
            paid_on = inv.issue + dt.timedelta(days=day)
            rows.append(
                {
                    "reference": f"PAY-{paid_on:%Y%m%d}-{len(rows) + 1:04d}",
                    "invoice": inv.number,
                    "amount": money(part, inv.currency, rng),
                    "paid_on": paid_on.isoformat(),
                    "method": "wire transfer" if inv.currency != "IDR" else rng.choice(METHODS),
                }
            )
        if len(rows) >= count:
            break
    return rows


def write(path: Path, rows: list[dict[str, str]]) -> None:
    """Write `rows` as a UTF-8 CSV with a header row."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments and write the three files."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    jakarta_today = dt.datetime.now(ZoneInfo("Asia/Jakarta")).date()
    parser.add_argument("--today", type=dt.date.fromisoformat, default=jakarta_today)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--customers", type=int, default=30)
    parser.add_argument("--invoices", type=int, default=120)
    parser.add_argument("--payments", type=int, default=40)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    people = customers(rng, args.customers)
    items = invoices(rng, people, args.invoices, args.today)
    write(args.out / "customers.csv", people)
    write(args.out / "invoices.csv", invoice_rows(rng, items, {c["code"]: c for c in people}))
    write(args.out / "payments.csv", payments(rng, items, args.payments, args.today))


if __name__ == "__main__":
    main()
