# ruff: noqa: E501
"""Round-four held-out replies (issue 16), written without reading the rules; never tune on them.

Written by a helper that saw only the label definitions, and scored once, after the round-four
rules had been made from the second development corpus (see tests/unit/test_nlu_round4.py).

Today for every case is TODAY (Monday 30 November 2026, the last day of a 30-day month).
Vague ranges ("minggu depan", "awal desember") have date None; weekdays mean the next
occurrence (for paid claims, the last one); only money counts as an amount.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

TODAY = dt.date(2026, 11, 30)  # a Monday


class Case(NamedTuple):
    """One reply and what a collector reads in it."""

    text: str
    # intent is one of: promise, paid, method, dispute, instalment, handoff, opt_out, opt_in,
    # language, unknown
    intent: str
    amount: Decimal | None  # money amount stated, in rupiah; None when no money amount is stated
    date: dt.date | None  # payment date for paid, promised date for promise, else None


def rp(n: int) -> Decimal:
    return Decimal(n)


CASES: list[Case] = [
    # ---- promise ----
    Case("besok sy transfer ya kak", "promise", None, dt.date(2026, 12, 1)),
    Case("Siap pak, lusa saya lunasi", "promise", None, dt.date(2026, 12, 2)),
    Case(
        "rabu ya bu sy bayar, lg nunggu pencairan dr customer",
        "promise",
        None,
        dt.date(2026, 12, 2),
    ),
    Case("senin dpn sy tf 2,5jt ya kak", "promise", rp(2_500_000), dt.date(2026, 12, 7)),
    Case(
        "Insya Allah tgl 5 saya bayar pak, nunggu gajian dulu",
        "promise",
        None,
        dt.date(2026, 12, 5),
    ),
    Case(
        "nanti sore ya mba sy transfer, masih di jalan nih", "promise", None, dt.date(2026, 11, 30)
    ),
    Case(
        "Mohon maaf Bapak/Ibu, pembayaran invoice INV-2026-0412 akan kami lakukan pada tanggal 10 Desember 2026. Terima kasih atas pengertiannya.",
        "promise",
        None,
        dt.date(2026, 12, 10),
    ),
    Case("akhir bulan ya kak pasti sy bayar", "promise", None, dt.date(2026, 11, 30)),
    Case("minggu depan ya bu, lg sepi bgt toko", "promise", None, None),
    Case("awal desember ya pak sy lunasi semua", "promise", None, None),
    Case("jam 3 nanti sy tf 750rb ya", "promise", rp(750_000), dt.date(2026, 11, 30)),
    Case("I'll pay on Friday, sorry for the delay", "promise", None, dt.date(2026, 12, 4)),
    Case(
        "We will settle the outstanding balance of Rp 4.200.000 by 15 December.",
        "promise",
        rp(4_200_000),
        dt.date(2026, 12, 15),
    ),
    Case("sesuk yo mas tak transfer, saiki durung gajian", "promise", None, dt.date(2026, 12, 1)),
    Case("isukan abdi bayar nya teh, hapunten telat", "promise", None, dt.date(2026, 12, 1)),
    Case("ntar aye bayar lusa bang, santai aje", "promise", None, dt.date(2026, 12, 2)),
    Case("beko sore ambo bayia yo da", "promise", None, dt.date(2026, 11, 30)),
    Case("tgl 30 sy bayar kak", "promise", None, dt.date(2026, 11, 30)),
    Case("hari ini sy lunasi ya, 1.250.000 kan?", "promise", rp(1_250_000), dt.date(2026, 11, 30)),
    Case(
        "Dengan hormat, kami akan melakukan pembayaran paling lambat hari Kamis, 3 Desember 2026.",
        "promise",
        None,
        dt.date(2026, 12, 3),
    ),
    Case("kmis ya kak sy tf", "promise", None, dt.date(2026, 12, 3)),
    Case("sabtu sy mampir ke kantor bayar cash ya bu", "promise", None, dt.date(2026, 12, 5)),
    Case("bsk pagi sy transfer 3jt ya bu", "promise", rp(3_000_000), dt.date(2026, 12, 1)),
    Case("ok nanti malam saya bayar", "promise", None, dt.date(2026, 11, 30)),
    Case("sy usahakan tgl 12 ya pak", "promise", None, dt.date(2026, 12, 12)),
    Case("tgl 25 pas gajian sy bayar kak", "promise", None, dt.date(2026, 12, 25)),
    Case("Noted, we will process the payment next week.", "promise", None, None),
    Case(
        "PO 4471 nanti dibayar tgl 8 ya mas, nunggu approval finance",
        "promise",
        None,
        dt.date(2026, 12, 8),
    ),
    Case("siap kak, besok lunas 👍", "promise", None, dt.date(2026, 12, 1)),
    Case(
        "Baik Bu, pembayaran sebesar Rp 12.500.000 akan kami transfer besok siang.",
        "promise",
        rp(12_500_000),
        dt.date(2026, 12, 1),
    ),
    Case("mas aku bayar rebo yo", "promise", None, dt.date(2026, 12, 2)),
    Case("jumat ya bu, abis jumatan sy tf", "promise", None, dt.date(2026, 12, 4)),
    Case("nnt sy bayar kak", "promise", None, None),
    Case("pasti sy bayar kok kak, sabar ya", "promise", None, None),
    Case(
        "tanggal 7 desember sy lunasi semua 5.4jt", "promise", rp(5_400_000), dt.date(2026, 12, 7)
    ),
    Case("Saya transfer 2 hari lagi ya pak", "promise", None, dt.date(2026, 12, 2)),
    Case(
        "Can I pay tomorrow? Will transfer 850k in the morning",
        "promise",
        rp(850_000),
        dt.date(2026, 12, 1),
    ),
    Case("senin ya pak, hari ini bank lg offline", "promise", None, dt.date(2026, 12, 7)),
    Case(
        "Mohon waktu hingga tanggal 20 Desember untuk pelunasan tagihan no. 0087/TGH/XI/2026.",
        "promise",
        None,
        dt.date(2026, 12, 20),
    ),
    Case("dana cair tgl 3, langsung sy transfer ya kak", "promise", None, dt.date(2026, 12, 3)),
    Case("ntar abis maghrib sy tf yaa", "promise", None, dt.date(2026, 11, 30)),
    Case("tak bayar mengko bengi mas", "promise", None, dt.date(2026, 11, 30)),
    Case(
        "besok jam 10 sy tf 1.500.000 ke rek 1234567890 yg biasa kan?",
        "promise",
        rp(1_500_000),
        dt.date(2026, 12, 1),
    ),
    Case("siap bu, nanti siang sy tf 1,25jt", "promise", rp(1_250_000), dt.date(2026, 11, 30)),
    Case("We will pay on December 2nd.", "promise", None, dt.date(2026, 12, 2)),
    # ---- paid ----
    Case("sudah sy transfer kemarin kak", "paid", None, dt.date(2026, 11, 29)),
    Case("udh tf td pagi ya bu, cek aja", "paid", None, dt.date(2026, 11, 30)),
    Case(
        "Sudah lunas ya pak, tgl 25 sy transfer 1.800.000",
        "paid",
        rp(1_800_000),
        dt.date(2026, 11, 25),
    ),
    Case("jumat kemarin udah sy bayar lewat BCA", "paid", None, dt.date(2026, 11, 27)),
    Case("3 hari lalu udh sy lunasi kak", "paid", None, dt.date(2026, 11, 27)),
    Case("udh bayar", "paid", None, None),
    Case(
        "Dear team, payment of IDR 7,350,000 was made yesterday. Please find the transfer slip attached.",
        "paid",
        rp(7_350_000),
        dt.date(2026, 11, 29),
    ),
    Case(
        "sdh sy tf barusan 500k, buktinya sy kirim ya", "paid", rp(500_000), dt.date(2026, 11, 30)
    ),
    Case(
        "Dengan hormat, kami informasikan bahwa pembayaran invoice INV/2026/11/0231 telah kami lakukan pada tanggal 27 November 2026 sebesar Rp 15.000.000,00.",
        "paid",
        rp(15_000_000),
        dt.date(2026, 11, 27),
    ),
    Case("wis tak transfer wingi mas", "paid", None, dt.date(2026, 11, 29)),
    Case("atos dibayar kamari teh", "paid", None, dt.date(2026, 11, 29)),
    Case("udeh gw bayar dari kemaren bang", "paid", None, dt.date(2026, 11, 29)),
    Case("lah kan udah dibayar minggu lalu kak", "paid", None, None),
    Case(
        "Sudah saya bayar via VA BNI 8808123456789012 tadi siang",
        "paid",
        None,
        dt.date(2026, 11, 30),
    ),
    Case(
        "sudah lunas ya bu, sabtu kemarin transfer 2,75jt",
        "paid",
        rp(2_750_000),
        dt.date(2026, 11, 28),
    ),
    Case("tf nya udh masuk blm kak? sy tf kemarin sore", "paid", None, dt.date(2026, 11, 29)),
    Case(
        "Already paid via QRIS this morning, ref no 202611300045",
        "paid",
        None,
        dt.date(2026, 11, 30),
    ),
    Case("udah bayar di indomaret td, kode bayar 88012345", "paid", None, dt.date(2026, 11, 30)),
    Case("alhamdulillah udh lunas kak tgl 28 kemarin", "paid", None, dt.date(2026, 11, 28)),
    Case("pembayaran sdh kami lakukan tgl 26/11 ya", "paid", None, dt.date(2026, 11, 26)),
    Case(
        "lha wes lunas tho mas, wingi sore tak tf 950rb", "paid", rp(950_000), dt.date(2026, 11, 29)
    ),
    Case("kak sy udh bayar 1jt td pagi", "paid", rp(1_000_000), dt.date(2026, 11, 30)),
    Case("sudah transfer kemarin lusa kak", "paid", None, dt.date(2026, 11, 28)),
    Case("I transferred the full amount last Friday.", "paid", None, dt.date(2026, 11, 27)),
    Case("Done ya kak, udah tf", "paid", None, None),
    Case("alah, lah ambo bayia kapatang da", "paid", None, dt.date(2026, 11, 29)),
    Case(
        "sy sdh transfer tgl 20 kemarin pak, bukti sdh sy email",
        "paid",
        None,
        dt.date(2026, 11, 20),
    ),
    Case(
        "Pembayaran telah kami selesaikan melalui transfer Mandiri pada hari ini dengan nominal Rp 3.150.000.",
        "paid",
        rp(3_150_000),
        dt.date(2026, 11, 30),
    ),
    Case("udh sy bayar lunas pake gopay kak", "paid", None, None),
    Case(
        "tadi sdh sy transfer 4.500.000 ke rek mandiri",
        "paid",
        rp(4_500_000),
        dt.date(2026, 11, 30),
    ),
    Case("payment done on 24 Nov, receipt attached", "paid", None, dt.date(2026, 11, 24)),
    Case(
        "Kami sudah membayar Rp 6,2 juta tanggal 23 November lalu.",
        "paid",
        rp(6_200_000),
        dt.date(2026, 11, 23),
    ),
    Case("lunas kak, udh sy bayar td", "paid", None, dt.date(2026, 11, 30)),
    Case("sdh dibayar sama suami sy kemarin", "paid", None, dt.date(2026, 11, 29)),
    Case("udah tf 300rb tadi sore", "paid", rp(300_000), dt.date(2026, 11, 30)),
    Case("wes lunas mas", "paid", None, None),
    Case(
        "sdh transfer 1500000 tadi jam 9, mohon dicek", "paid", rp(1_500_000), dt.date(2026, 11, 30)
    ),
    Case("kak bukannya udh sy bayar? sy tf sabtu kemaren", "paid", None, dt.date(2026, 11, 28)),
    # ---- method ----
    Case("rek nya apa kak?", "method", None, None),
    Case("bisa bayar pake QRIS gak?", "method", None, None),
    Case("Mohon informasi nomor rekening untuk pembayaran invoice tersebut.", "method", None, None),
    Case("bisa lewat indomaret/alfamart ga kak?", "method", None, None),
    Case("VA BCA nya berapa ya?", "method", None, None),
    Case("kalo tf dr BRI ke VA mandiri kena biaya admin brp?", "method", None, None),
    Case("Can I pay by credit card?", "method", None, None),
    Case("link pembayarannya mana kak? yg kemarin udh expired", "method", None, None),
    Case("bisa bayar pake ovo/dana?", "method", None, None),
    Case("mau bayar 2.300.000 nih, ke rek mana ya?", "method", rp(2_300_000), None),
    Case("norek nya a.n siapa ya pak? biar ga salah tf", "method", None, None),
    Case("Is there a virtual account for Mandiri?", "method", None, None),
    Case("bisa bayar cash ke kantor ga bu?", "method", None, None),
    Case("kode bayar alfamart nya dong kak", "method", None, None),
    Case("rekening opo mas? BCA po BRI?", "method", None, None),
    Case("kumaha cara bayarna teh?", "method", None, None),
    Case("kalau pakai kartu kredit ada biaya tambahan 3% gak?", "method", None, None),
    Case(
        "Mohon dikirimkan ulang tautan pembayaran, tautan sebelumnya tidak dapat dibuka.",
        "method",
        None,
        None,
    ),
    Case("bisa via shopeepay ga? mau bayar 450rb", "method", rp(450_000), None),
    # ---- dispute ----
    Case("tagihannya salah kak, harusnya cuma 3jt", "dispute", rp(3_000_000), None),
    Case("sy gak pernah pesen barang ini", "dispute", None, None),
    Case(
        "Pesanan PO-7781 sudah kami batalkan tanggal 10 November, mohon tagihan tersebut dibatalkan.",
        "dispute",
        None,
        None,
    ),
    Case("barangnya dateng rusak 5 dus, masa mau ditagih full", "dispute", None, None),
    Case("barang blm nyampe kok udh ditagih?", "dispute", None, None),
    Case("ini ditagih 2x kak, kmrn udh ada tagihan yg sama persis", "dispute", None, None),
    Case("diskon 10% nya ga masuk kak", "dispute", None, None),
    Case("kok ada PPN nya? kan kita bukan PKP", "dispute", None, None),
    Case("ini bukan tagihan sy, salah orang kali", "dispute", None, None),
    Case("harga di invoice beda sama penawaran kak, cek lagi deh", "dispute", None, None),
    Case("The invoice shows 50 units but we only received 40.", "dispute", None, None),
    Case("obatnya udh expired pas nyampe, mau sy retur", "dispute", None, None),
    Case("barangnya kurang 2 karton mas, jd ga sesuai", "dispute", None, None),
    Case("ongkirnya kok dibebankan ke sy? kan janjinya free ongkir", "dispute", None, None),
    Case(
        "Dengan hormat, kami keberatan atas tagihan nomor 112/INV/XI/2026 karena jumlah yang ditagihkan tidak sesuai dengan surat jalan.",
        "dispute",
        None,
        None,
    ),
    Case("barang sudah kami retur minggu lalu, kenapa masih ditagih?", "dispute", None, None),
    Case("lho aku ora pesen opo2 mas", "dispute", None, None),
    Case("barangna teu acan dongkap, naha tos ditagih?", "dispute", None, None),
    Case("We were charged twice for invoice INV-3391, please correct.", "dispute", None, None),
    Case("denda keterlambatan 200rb itu apa? ga ada di perjanjian", "dispute", rp(200_000), None),
    Case("jumlahnya salah, kita cuma ambil 12 pcs bukan 20", "dispute", None, None),
    Case("ordernya udh cancel dr tgl 2 kak", "dispute", None, None),
    Case("sayurnya sebagian busuk pas dateng, ga mau bayar full", "dispute", None, None),
    Case(
        "ini tagihan atas nama CV Maju Jaya, kami PT Maju Jaya Abadi. salah kirim?",
        "dispute",
        None,
        None,
    ),
    # ---- instalment ----
    Case("bisa dicicil gak kak? 3x gitu", "instalment", None, None),
    Case("boleh bayar 500rb per minggu?", "instalment", rp(500_000), None),
    Case(
        "Apakah pembayaran dapat dilakukan secara bertahap dalam 2 termin?",
        "instalment",
        None,
        None,
    ),
    Case("sy bayar setengah dulu ya, sisanya bulan depan", "instalment", None, None),
    Case("can I split it into 3 payments?", "instalment", None, None),
    Case("bisa angsur 1jt sebulan ga bu?", "instalment", rp(1_000_000), None),
    Case("mas iso dicicil ra? lagi seret", "instalment", None, None),
    Case("kak cicil 4x boleh? per bulan 750rb", "instalment", rp(750_000), None),
    Case(
        "Kami mengajukan permohonan pembayaran bertahap sebesar Rp 2.000.000 per bulan selama 5 bulan.",
        "instalment",
        rp(2_000_000),
        None,
    ),
    Case("bisa nyicil ga bang, gw lg bokek", "instalment", None, None),
    Case("tiap gajian sy bayar 300rb ya kak, boleh?", "instalment", rp(300_000), None),
    Case("kalau DP dulu 40% sisanya nyusul bisa?", "instalment", None, None),
    Case("tiasa dicicil teu teh?", "instalment", None, None),
    Case(
        "Could we pay in two instalments of Rp 5,000,000 each?", "instalment", rp(5_000_000), None
    ),
    # ---- handoff ----
    Case("tolong sambungkan ke admin", "handoff", None, None),
    Case("mau ngomong sama orang aja, bukan bot", "handoff", None, None),
    Case("telpon sy aja kak di 0812-3456-7890", "handoff", None, None),
    Case("Mohon saya dihubungkan dengan bagian keuangan Bapak.", "handoff", None, None),
    Case("sy mau bicara sama mas Andi salesnya", "handoff", None, None),
    Case("can I speak to a real person?", "handoff", None, None),
    Case("CS nya mana? mau nanya langsung", "handoff", None, None),
    Case("bisa telp balik ga? susah jelasin lewat chat", "handoff", None, None),
    Case("sambungin ke cs dong min", "handoff", None, None),
    Case("aku pengin ngobrol karo wong langsung wae, ora karo bot", "handoff", None, None),
    Case("Please have your account manager call me.", "handoff", None, None),
    Case("minta nomor WA admin keuangannya dong", "handoff", None, None),
    # ---- opt_out ----
    Case("stop kirim pesan", "opt_out", None, None),
    Case("jangan spam terus dong, berhenti", "opt_out", None, None),
    Case("unsubscribe", "opt_out", None, None),
    Case("tolong hapus nomor sy dr daftar", "opt_out", None, None),
    Case("Mohon untuk tidak lagi mengirimkan pengingat ke nomor ini.", "opt_out", None, None),
    Case("STOP", "opt_out", None, None),
    Case("please stop sending me these reminders", "opt_out", None, None),
    Case("ga usah ngingetin lagi kak, ganggu", "opt_out", None, None),
    Case("wis mas, ojo dikirimi pesen meneh", "opt_out", None, None),
    Case("berhenti langganan pengingat", "opt_out", None, None),
    Case("keluarin sy dr broadcast ini", "opt_out", None, None),
    Case("remove me from this list", "opt_out", None, None),
    # ---- opt_in ----
    Case("tolong aktifin lagi pengingatnya ya kak", "opt_in", None, None),
    Case("kirimin reminder lagi aja, sy suka lupa", "opt_in", None, None),
    Case("Please resume the payment reminders.", "opt_in", None, None),
    Case("Mohon pengingat tagihan diaktifkan kembali ke email ini.", "opt_in", None, None),
    Case("kemarin sy minta stop, skrg mau dikirimin pengingat lagi", "opt_in", None, None),
    # ---- language ----
    Case("can you reply in English please?", "language", None, None),
    Case("pakai bahasa Indonesia aja kak, sy ga ngerti inggris", "language", None, None),
    Case("Could you send the reminders in English?", "language", None, None),
    Case("Mohon gunakan Bahasa Indonesia.", "language", None, None),
    Case("English please", "language", None, None),
    # ---- unknown ----
    Case("ok", "unknown", None, None),
    Case("siapa ini?", "unknown", None, None),
    Case("makasih kak", "unknown", None, None),
    Case("tokonya buka jam brp?", "unknown", None, None),
    Case("stok beras 25kg masih ada?", "unknown", None, None),
    Case("assalamualaikum", "unknown", None, None),
    Case("botnya ga nyambung", "unknown", None, None),
    Case("👍", "unknown", None, None),
    Case("Selamat pagi.", "unknown", None, None),
    Case("nomor ini dapet dari mana?", "unknown", None, None),
    Case("kak mau order lagi 10 dus aqua", "unknown", None, None),
    Case("iya", "unknown", None, None),
    Case("Thanks for the reminder.", "unknown", None, None),
    Case("punten, ieu saha?", "unknown", None, None),
    Case("pesan ini dikirim otomatis ya?", "unknown", None, None),
]
