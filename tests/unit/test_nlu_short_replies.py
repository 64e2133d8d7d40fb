"""The short-reply and request readers: what each must read, and what it must leave alone."""

from __future__ import annotations

import pytest

from bot.nlu.reading import (
    asks_balance,
    asks_invoice_copy,
    is_cancel,
    is_thanks,
    is_yes,
    needs_person,
    retracts,
    wrong_number,
)

CASES = [
    (is_yes, ["ya pak", "siap", "iya bener", "betul bu 🙏", "👍", "That's right"], True),
    (is_yes, ["ya tapi jumlahnya salah", "bukan", "ya?", "1", "ok makasih tapi salah"], False),
    (is_thanks, ["ok makasih pak 🙏", "thanks!", "siap", "👍", "terima kasih bu"], True),
    (is_thanks, ["ya", "benar", "sudah pak terima kasih", "makasih, tagihan sy brp?"], False),
    (is_cancel, ["batal", "gak jadi deh", "ga jadi", "never mind", "cancel"], True),
    (is_cancel, ["batal bayar", "cancel invoice 2", "batal, besok aja"], False),
    (asks_balance, ["tagihan sy brp total?", "how much do I owe?", "berapa hutang saya"], True),
    (asks_balance, ["cicil berapa kali?", "norek nya berapa", "tagihannya salah"], False),
    (
        asks_invoice_copy,
        ["mohon kirim ulang invoice nya", "minta copy faktur inv-1", "Please resend the invoice"],
        True,
    ),
    (
        asks_invoice_copy,
        ["tolong cek lagi tagihan saya", "share again the bill link", "sudah kirim bukti tf"],
        False,
    ),
    (needs_person, ["blm bisa bayar, usaha lg sepi", "sy mau nego", "ada dendanya?"], True),
    (
        needs_person,
        ["belum bayar pak", "sudah transfer cash kemarin", "saya dari toko bunga melati"],
        False,
    ),
    (wrong_number, ["salah nomor pak", "wrong number", "saya bukan PT Maju"], True),
    (
        wrong_number,
        ["tagihannya salah", "barangnya salah kirim pak", "wrong number on the invoice"],
        False,
    ),
    (retracts, ["belum", "eh belum ding, besok ya", "maaf belum transfer"], True),
    (
        retracts,
        ["kemarin, tp blm masuk katanya", "sudah masuk belum?", "blm dapet tagihannya"],
        False,
    ),
]


@pytest.mark.parametrize(
    ("reader", "text", "expected"),
    [(reader, text, expected) for reader, texts, expected in CASES for text in texts],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_reader(reader: object, text: str, expected: bool) -> None:
    assert callable(reader)
    assert reader(text) is expected
