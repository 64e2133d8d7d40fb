"""Category tests for round two of reply understanding (issue 16), written before the rules.

Each category of the issue gets many phrasings of our own (none copied from the held-out
corpus): numbers that are not money, past dates, abbreviations and regional words, tense and
intent, and times within today.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from bot.nlu.reading import Intent, classify, parse_amount, parse_date

D = dt.date
YEAR_END = D(2026, 12, 28)  # a Monday, three days before the year ends
MID = D(2026, 11, 18)  # a Wednesday in the middle of a month
EARLY = D(2026, 12, 5)  # a Saturday early in a month

NOT_MONEY = [
    "faktur INV-2025-0142 sudah dibayar",
    "invoice no 2025/INV/0781 kapan jatuh temponya",
    "PO 4500998877 belum ada di sistem kami",
    "no PO: 7788 sudah diterima",
    "nomor PO kami 11223344",
    "invoice #10234 yang mana ya",
    "nomor hp saya 0812 9999 8888",
    "wa ke 0857-1234-5678 ya",
    "telp kantor +62 21 5550 1234",
    "hubungi 62 811 2233 4455",
    "rekening 1234567890 atas nama siapa?",
    "no rek 123-456-7890 bener kan",
    "VA 8877665544332211 sudah benar?",
    "virtual account 3901234567 masih aktif",
    "kode bayar 556677 sudah expired",
    "sudah lunas sesuai faktur 2026",
]
MONEY = [
    ("bayar 1500000 besok", Decimal(1_500_000)),
    ("saya transfer 2500000 ya", Decimal(2_500_000)),
    ("Rp 150000 dulu", Decimal(150_000)),
    ("sudah tf 1.250.000", Decimal(1_250_000)),
    ("IDR 300000 sudah masuk?", Decimal(300_000)),
    ("kirim 1.000.000 tadi", Decimal(1_000_000)),
    ("750rb ke rekening 1234567890", Decimal(750_000)),
    ("ke VA 8877665544 sebesar 2jt", Decimal(2_000_000)),
    ("sudah bayar faktur INV-2025-0142 sebesar Rp 3.000.000", Decimal(3_000_000)),
]


@pytest.mark.parametrize("text", NOT_MONEY)
def test_identifiers_are_not_money(text: str) -> None:
    assert parse_amount(text) is None


@pytest.mark.parametrize(("text", "amount"), MONEY)
def test_money_context_still_counts(text: str, amount: Decimal) -> None:
    assert parse_amount(text) == amount


PAST = [
    ("sudah saya bayar 4 hari yang lalu", YEAR_END, D(2026, 12, 24)),
    ("tf nya 5 hari lalu", YEAR_END, D(2026, 12, 23)),
    ("udah bayar 2 h lalu", MID, D(2026, 11, 16)),
    ("seminggu yang lalu sudah lunas", MID, D(2026, 11, 11)),
    ("2 minggu yang lalu", MID, D(2026, 11, 4)),
    ("sudah bayar minggu lalu", MID, D(2026, 11, 11)),
    ("udah lunas bln lalu", MID, D(2026, 10, 18)),
    ("bulan lalu sudah tf", EARLY, D(2026, 11, 5)),
    ("tanggal 12 kemarin sudah tf", YEAR_END, D(2026, 12, 12)),
    ("tgl 20 kmrn", YEAR_END, D(2026, 12, 20)),
    ("tgl 20 kemarin sudah lunas", EARLY, D(2026, 11, 20)),
    ("tgl 3 kemarin", EARLY, D(2026, 12, 3)),
    ("tanggal 25 bulan lalu", MID, D(2026, 10, 25)),
    ("tgl 30 yang lalu", EARLY, D(2026, 11, 30)),
    ("kamis kemarin sudah transfer", YEAR_END, D(2026, 12, 24)),
    ("selasa lalu sdh bayar", MID, D(2026, 11, 17)),
    ("senin kmrn", MID, D(2026, 11, 16)),
    ("3 bulan yang lalu", MID, D(2026, 8, 18)),
]


# A payment said to be made names a past day even without "kemarin": the last such day.
PAID_ON = [
    ("sudah saya transfer tgl 10", YEAR_END, D(2026, 12, 10)),
    ("udah dibayar tanggal 27", EARLY, D(2026, 11, 27)),
    ("telah kami lunasi 20 desember", YEAR_END, D(2026, 12, 20)),
    ("sdh tf hari jumat", MID, D(2026, 11, 13)),
    ("we paid on the 2nd", MID, D(2026, 11, 2)),
    ("transferred on Nov 30", EARLY, D(2026, 11, 30)),
    ("lunas dari tgl 3", EARLY, D(2026, 12, 3)),
    # a plan stays future
    ("sudah saya jadwalkan bayar tgl 30", MID, D(2026, 11, 30)),
    ("tgl 30 sudah bisa saya transfer", MID, D(2026, 11, 30)),
]


@pytest.mark.parametrize(("text", "today", "expected"), PAID_ON)
def test_paid_dates_are_past(text: str, today: dt.date, expected: dt.date) -> None:
    assert parse_date(text, today) == expected


@pytest.mark.parametrize(("text", "today", "expected"), PAST)
def test_past_dates(text: str, today: dt.date, expected: dt.date) -> None:
    assert parse_date(text, today) == expected


ABBREVIATED = [
    ("dlm 3 hr sy bayar", MID, D(2026, 11, 21)),
    ("2 mgg lg ya", MID, D(2026, 12, 2)),
    ("dlm 2 bln lunas", MID, D(2027, 1, 18)),
    ("1 thn lg", MID, D(2027, 11, 18)),
    ("dlm 30 dtk sy tf", MID, MID),
    ("senen ya", MID, D(2026, 11, 23)),
    ("selasa sy tf", MID, D(2026, 11, 24)),
    ("rebo depan", MID, D(2026, 11, 25)),
    ("kemis sy bayar", MID, D(2026, 11, 19)),
    ("jumat ya", MID, D(2026, 11, 20)),
    ("jum'at sore", MID, D(2026, 11, 20)),
    ("setu pagi sy transfer", MID, D(2026, 11, 21)),
    ("mbenjing", MID, D(2026, 11, 19)),
    ("isuk sy bayar", MID, D(2026, 11, 19)),
    ("wingi wes tf", MID, D(2026, 11, 17)),
    ("kamari tos bayar", MID, D(2026, 11, 17)),
]


@pytest.mark.parametrize(("text", "today", "expected"), ABBREVIATED)
def test_abbreviated_and_regional_dates(text: str, today: dt.date, expected: dt.date) -> None:
    assert parse_date(text, today) == expected


INTENTS = [
    # regional and slang
    ("sampun lunas pak", Intent.PAID),
    ("sampun dipun transfer", Intent.PAID),
    ("nggih, mbenjing kula bayar", Intent.PROMISE),
    ("enggal kula lunasi nggih", Intent.PROMISE),
    ("wes kula transfer wingi", Intent.PAID),  # not "tak": that is also "tidak"
    ("atuh, isukan abdi bayar", Intent.PROMISE),
    ("teh, abdi tos transfer", Intent.PAID),
    ("gw udah bayar bro", Intent.PAID),
    ("lo cek aja, gue udah tf", Intent.PAID),
    ("gue bayar lusa deh", Intent.PROMISE),
    # a future date wins over "sudah"
    ("jumat depan sudah saya lunasi", Intent.PROMISE),
    ("sudah saya rencanakan bayar tgl 5", Intent.PROMISE),
    ("minggu depan sudah kami transfer ya", Intent.PROMISE),
    ("besok sudah bisa saya transfer", Intent.PROMISE),
    # amount and date without instalment words: a promise
    ("2jt tgl 10 ya", Intent.PROMISE),
    ("tgl 15 saya bayar 3 juta", Intent.PROMISE),
    ("Rp 4.000.000 hari kamis", Intent.PROMISE),
    ("lusa 750rb ya kak", Intent.PROMISE),
    # instalments in English
    ("could we pay in two parts", Intent.INSTALMENT),
    ("can I split the bill into 3 payments", Intent.INSTALMENT),
    ("can we split it into two", Intent.INSTALMENT),
    ("is it possible to pay monthly", Intent.INSTALMENT),
    ("pay in three instalments ok?", Intent.INSTALMENT),
    ("we would like to pay it off in stages", Intent.INSTALMENT),
    # opting back in
    ("mulai lagi kirim pengingat", Intent.OPT_IN),
    ("tolong mulai kirim pesan lagi", Intent.OPT_IN),
    ("boleh kirim pengingat lagi", Intent.OPT_IN),
    ("aktifkan lagi pengingatnya", Intent.OPT_IN),
    ("please send the reminders again", Intent.OPT_IN),
    ("resume reminders", Intent.OPT_IN),
    # a question about the account or VA is a method question, number or amount or not
    ("VA 1234567890 ini benar?", Intent.METHOD),
    ("rekening BNI 123456789 masih aktif?", Intent.METHOD),
    ("mau transfer 2jt ke rekening mana", Intent.METHOD),
    ("no VA nya berapa ya", Intent.METHOD),
    ("nomor rekening 0987123456 masih sama kan?", Intent.METHOD),
    ("rekening bca ada?", Intent.METHOD),
    ("is account 1234567890 still valid?", Intent.METHOD),
]


@pytest.mark.parametrize(("text", "intent"), INTENTS)
def test_intents(text: str, intent: Intent) -> None:
    assert classify(text) == intent


TODAY_WORDS = [
    "nanti jam 3",
    "jam 4 sore ini sy tf",
    "dalam 2 jam",
    "dlm 1 jam sy bayar",
    "1 jam lagi ya",
    "30 menit lagi",
    "baru saja",
    "barusan sy tf",
    "tadi pagi",
    "tadi siang udah bayar",
    "just now",
    "in an hour",
]


@pytest.mark.parametrize("text", TODAY_WORDS)
def test_within_today(text: str) -> None:
    assert parse_date(text, MID) == MID
