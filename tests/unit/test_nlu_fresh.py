"""A held-out set of replies written after the rules were finished and never tuned on.

Measured once, before any change: 41 of 42 (97.6%); the miss ("hubungi sales saya") is left
as it is so this set keeps measuring generalisation. Do not tune the rules on it: write a
new set instead.
"""

from __future__ import annotations

from bot.nlu.reading import classify

FRESH = [
    ("pak, sudah saya transfer tadi pagi ke BCA", "paid"),
    ("dana sudah masuk ke rekening bapak belum ya? saya sudah kirim", "paid"),
    ("udah lunas kok bu", "paid"),
    ("bukti transfer sudah saya email", "paid"),
    ("payment was made last friday", "paid"),
    ("we settled this invoice already", "paid"),
    ("insyaallah akhir bulan saya lunasi", "promise"),
    ("kasih waktu sampai tgl 15 ya", "promise"),
    ("nanti senin saya bayar", "promise"),
    ("bisa minggu depan pak? lagi nunggu pencairan", "promise"),
    ("will transfer on the 30th", "promise"),
    ("give me until next week please", "promise"),
    ("lusa sy tf", "promise"),
    ("nomor rekeningnya berapa ya", "method"),
    ("bisa bayar pakai gopay?", "method"),
    ("ada qris nya ga?", "method"),
    ("what is your bank account number", "method"),
    ("can I pay by credit card", "method"),
    ("barang yang dikirim kurang 2 dus", "dispute"),
    ("tagihannya dobel, sudah pernah ditagih", "dispute"),
    ("harganya beda dengan PO kami", "dispute"),
    ("barangnya cacat semua, mau kami kembalikan", "dispute"),
    ("the goods arrived damaged", "dispute"),
    ("this invoice is wrong", "dispute"),
    ("boleh bayar 3 kali?", "instalment"),
    ("saya cicil tiap bulan bisa?", "instalment"),
    ("can we split the payment into installments", "instalment"),
    ("bisa angsuran pak", "instalment"),
    ("tolong telpon saya saja", "handoff"),
    ("saya mau ngomong sama orangnya langsung", "handoff"),
    ("please have someone call me", "handoff"),
    ("hubungi sales saya", "handoff"),
    ("stop kirim pesan", "opt_out"),
    ("jangan wa saya lagi", "opt_out"),
    ("unsubscribe me please", "opt_out"),
    ("tolong hapus nomor ini dari daftar", "opt_out"),
    ("mulai lagi", "opt_in"),
    ("in english please", "language"),
    ("pakai bahasa indonesia saja", "language"),
    ("ok terima kasih infonya", "unknown"),
    ("siapa ya ini?", "unknown"),
    ("selamat pagi", "unknown"),
]


def test_fresh_held_out_accuracy() -> None:
    right = sum(classify(text).value == want for text, want in FRESH)
    assert right / len(FRESH) >= 0.95, f"{right}/{len(FRESH)}"
