"""Round-two held-out replies (issue 16): written without reading bot/flows; never tune the rules on them.

Today for every case is TODAY (a Monday). Labels record what a careful human collector would write
down: vague ranges ("minggu depan", "awal bulan", "bulan lalu") get date None, weekdays mean the
next (or, for paid claims, the last) occurrence, and only money counts as an amount.
"""  # noqa: E501

from __future__ import annotations

import datetime as dt

from tests.support.nlu_score import Case, rp

TODAY = dt.date(2026, 12, 28)  # a Monday, three days before the year ends


# Named days around TODAY, to keep the table readable.
TUE = dt.date(2026, 12, 29)  # besok
WED = dt.date(2026, 12, 30)  # lusa
THU = dt.date(2026, 12, 31)  # akhir bulan / akhir tahun
FRI = dt.date(2027, 1, 1)
SAT = dt.date(2027, 1, 2)
SUN = dt.date(2027, 1, 3)
NEXT_MON = dt.date(2027, 1, 4)
JAN5 = dt.date(2027, 1, 5)
YESTERDAY = dt.date(2026, 12, 27)  # kemarin (a Sunday)
SAT_AGO = dt.date(2026, 12, 26)  # 2 hari lalu / sabtu kemarin
FRI_AGO = dt.date(2026, 12, 25)  # 3 hari lalu / jumat kemarin


CASES: list[Case] = [
    # ---- promise: will pay on/by a date -------------------------------------------------------
    Case("besok sy tf ya kak", "promise", None, TUE),
    Case("lusa sy lunasin bu 🙏", "promise", None, WED),
    Case("1jt tgl 5 ya pak", "promise", rp(1_000_000), JAN5),
    Case("tgl 5 ya pak, nunggu gajian", "promise", None, JAN5),
    Case("senin depan sudah saya transfer", "promise", None, NEXT_MON),
    Case("sudah saya jadwalkan transfer tgl 31", "promise", None, THU),
    Case("nanti jam 3 sy transfer", "promise", None, TODAY),
    Case("dlm 2 jam sy bayar kak", "promise", None, TODAY),
    Case("senen sy bayar mas", "promise", None, NEXT_MON),
    Case("rebo tak transfer yo mas", "promise", None, WED),
    Case("kemis insyaallah lunas", "promise", None, THU),
    Case("jum'at sy bayar ya bu", "promise", None, FRI),
    Case("setu tak lunasi mbak", "promise", None, SAT),
    Case("hari minggu sy transfer, sabar ya", "promise", None, SUN),
    Case("selasa sy transfer full", "promise", None, TUE),
    Case("tanggal 2 januari saya lunasi", "promise", None, SAT),
    Case("akhir bulan ya bu sy bayar", "promise", None, THU),
    Case("awal bulan depan sy lunasi ya", "promise", None, None),
    Case("minggu depan ya pak sy transfer", "promise", None, None),
    Case("mgg depan insyaallah", "promise", None, None),
    Case("Rp1.450.000 sy transfer jumat ya", "promise", rp(1_450_000), FRI),
    Case("besok pagi atuh teh, abdi transfer", "promise", None, TUE),
    Case("isukan ditransfer atuh kang", "promise", None, TUE),
    Case("mbenjing kulo transfer nggih pak", "promise", None, TUE),
    Case("nggih, enggal kulo bayar", "promise", None, None),
    Case("besok gw bayar dah, santai", "promise", None, TUE),
    Case("gue lunasin lusa ya bro", "promise", None, WED),
    Case("hr ini sy lunasin kak", "promise", None, TODAY),
    Case("nanti sore sy tf 750rb", "promise", rp(750_000), TODAY),
    Case("3 hari lagi sy bayar 2 jt", "promise", rp(2_000_000), THU),
    Case("akhir tahun ini pasti lunas pak", "promise", None, THU),
    Case("tgl 30 sy transfer dua juta", "promise", rp(2_000_000), WED),
    Case("tgl 5/1 sy transfer ya", "promise", None, JAN5),
    Case("INV/2026/12/0031 akan sy bayar 4 Januari 2027", "promise", None, NEXT_MON),
    Case("IDR 2,000,000 will be transferred on 4 Jan", "promise", rp(2_000_000), NEXT_MON),
    Case("I'll pay tomorrow", "promise", None, TUE),
    Case("will settle it by friday", "promise", None, FRI),
    Case("we will pay by the end of the month", "promise", None, THU),
    Case("next monday ok? we'll transfer 1.5 juta", "promise", rp(1_500_000), NEXT_MON),
    Case("rabu ini sy bayar setengah juta, lunas", "promise", rp(500_000), WED),
    Case("ok bu, tgl 2 sy transfer 3,25jt", "promise", rp(3_250_000), SAT),
    # ---- paid: says they already paid ---------------------------------------------------------
    Case("sdh tf kmrn kak", "paid", None, YESTERDAY),
    Case("udh trf td pagi ya", "paid", None, TODAY),
    Case("tadi pagi sudah saya transfer", "paid", None, TODAY),
    Case("sampun kulo transfer nggih", "paid", None, None),
    Case("sampun kulo transfer wingi mas", "paid", None, YESTERDAY),
    Case("barusan tf 750rb", "paid", rp(750_000), TODAY),
    Case("baru saja saya bayar ya bu", "paid", None, TODAY),
    Case("3 hari yang lalu sudah saya lunasi", "paid", None, FRI_AGO),
    Case("minggu lalu udah bayar kok", "paid", None, None),
    Case("tgl 20 kmrn sdh sy transfer", "paid", None, dt.date(2026, 12, 20)),
    Case("tgl 15 kemarin sudah lunas pak", "paid", None, dt.date(2026, 12, 15)),
    Case("udh dibayar 2 hr lalu", "paid", None, SAT_AGO),
    Case("jumat kemarin sdh tf 1,5jt", "paid", rp(1_500_000), FRI_AGO),
    Case("sabtu kmrn udah sy lunasin", "paid", None, SAT_AGO),
    Case("gue udah tf kemaren, lu cek dong", "paid", None, YESTERDAY),
    Case("tos dibayar teh kamari", "paid", None, YESTERDAY),
    Case("INV-2026-0031 sdh lunas ya", "paid", None, None),
    Case("No. 2026/INV/115 udh dibayar tgl 18 des", "paid", None, dt.date(2026, 12, 18)),
    Case("sdh tf dr rek 0987654321 a.n. budi", "paid", None, None),
    Case("dah di tf ke VA 8808123456 kemarin", "paid", None, YESTERDAY),
    Case("sdh bayar pake qris tadi", "paid", None, TODAY),
    Case("bukti tf sudah sy kirim ya kak", "paid", None, None),
    Case("lunas kok bu, 1,5jt tgl 23", "paid", rp(1_500_000), dt.date(2026, 12, 23)),
    Case(
        "sy sdh transfer tgl 24/12/2026 sebesar Rp 2.350.000",
        "paid",
        rp(2_350_000),
        dt.date(2026, 12, 24),
    ),
    Case(
        "jatuh tempo 15/12/2026 kan? sdh sy bayar 14/12/2026", "paid", None, dt.date(2026, 12, 14)
    ),
    Case("udh lunas dr tgl 10", "paid", None, dt.date(2026, 12, 10)),
    Case("already paid yesterday", "paid", None, YESTERDAY),
    Case("I transferred IDR 2,000,000 on Dec 22", "paid", rp(2_000_000), dt.date(2026, 12, 22)),
    Case("paid via gopay just now", "paid", None, TODAY),
    Case("sudah ditransfer Rp. 3.000.000,- mohon dicek", "paid", rp(3_000_000), None),
    Case("udah gw bayar 750k td siang", "paid", rp(750_000), TODAY),
    Case("sdh transfer 500 ribu barusan, cek ya", "paid", rp(500_000), TODAY),
    # ---- method: how/where to pay -------------------------------------------------------------
    Case("transfer kemana kak?", "method", None, None),
    Case("no rek nya berapa ya?", "method", None, None),
    Case("bisa bayar pakai qris?", "method", None, None),
    Case("VA 8808123456 masih aktif?", "method", None, None),
    Case("rek BCA 0987654321 a.n PT Maju masih bisa dipake?", "method", None, None),
    Case("bisa pake ovo/gopay ga?", "method", None, None),
    Case("bayarnya lewat mana ya kak", "method", None, None),
    Case("minta nomor VA nya dong", "method", None, None),
    Case("kirim link pembayaran dong kak", "method", None, None),
    Case("mau tf 750rb, ke rek mana?", "method", rp(750_000), None),
    Case("can I pay by credit card?", "method", None, None),
    Case("what's the bank account for payment?", "method", None, None),
    Case("Do you accept QRIS?", "method", None, None),
    Case("rekening mandiri ada ga? sy ga pny bca", "method", None, None),
    # ---- dispute: contests the invoice --------------------------------------------------------
    Case("tagihan INV-2026-0031 dobel, udah ditagih bulan lalu", "dispute", None, None),
    Case("sy ga pernah pesan barang ini", "dispute", None, None),
    Case("barangnya rusak pas dateng, blm mau bayar", "dispute", None, None),
    Case("jumlahnya salah mbak", "dispute", None, None),
    Case("harusnya cuma 1,2jt bukan segitu", "dispute", rp(1_200_000), None),
    Case("PO 4500123987 blm dikirim barangnya kok udh ditagih", "dispute", None, None),
    Case("this invoice is wrong, we only ordered 10 units", "dispute", None, None),
    Case("harga beda sama penawaran, di penawaran cuma Rp 900.000", "dispute", rp(900_000), None),
    Case("diskon 10% nya belum dipotong", "dispute", None, None),
    Case("barang kurang 2 dus, tagihannya ga sesuai", "dispute", None, None),
    Case("we never received the goods", "dispute", None, None),
    Case("double billing on INV-2026-0044 and INV-2026-0045", "dispute", None, None),
    Case("ini tagihan siapa ya? kami ga ada transaksi", "dispute", None, None),
    Case("lo salah tagih, gw ga order bulan ini", "dispute", None, None),
    # ---- instalment: pay in parts -------------------------------------------------------------
    Case("boleh dicicil ga kak?", "instalment", None, None),
    Case("bisa angsur 3x?", "instalment", None, None),
    Case("can we pay in parts?", "instalment", None, None),
    Case("split it into three payments please", "instalment", None, None),
    Case("cicil 500rb per bulan bisa?", "instalment", rp(500_000), None),
    Case("bisa dibayar bertahap pak?", "instalment", None, None),
    Case("nyicil boleh gak gan", "instalment", None, None),
    Case("angsuran 4 bulan bisa pak?", "instalment", None, None),
    Case("gue cicil ya, lg bokek", "instalment", None, None),
    Case("tiap gajian sy bayar 1jt bisa?", "instalment", rp(1_000_000), None),
    Case("setengah juta dulu bisa? sisanya nyusul", "instalment", rp(500_000), None),
    Case("can I pay 5 million first and the rest next month?", "instalment", rp(5_000_000), None),
    Case("punten, tiasa dicicil teu?", "instalment", None, None),
    # ---- handoff: wants a human ---------------------------------------------------------------
    Case("tlg telp sy di 0813-2222-1111", "handoff", None, None),
    Case("hubungi sy +62 812 3456 7890 aja", "handoff", None, None),
    Case("mau bicara dengan sales nya", "handoff", None, None),
    Case("sambungin ke admin dong", "handoff", None, None),
    Case("can I speak to a real person?", "handoff", None, None),
    Case("please call me", "handoff", None, None),
    Case("ini bot ya? mau ngobrol sama orang beneran", "handoff", None, None),
    Case("telp aja mas, ribet chat", "handoff", None, None),
    Case("gw mau ngomong ama atasan lo", "handoff", None, None),
    Case("minta ditelpon finance nya, no sy 081234567890", "handoff", None, None),
    # ---- opt_out: stop messages ---------------------------------------------------------------
    Case("stop", "opt_out", None, None),
    Case("STOP kirim pesan", "opt_out", None, None),
    Case("jangan wa sy lagi", "opt_out", None, None),
    Case("unsubscribe", "opt_out", None, None),
    Case("please stop messaging me", "opt_out", None, None),
    Case("berhenti kirim pengingat", "opt_out", None, None),
    Case("udh ga usah kirim2 reminder lagi", "opt_out", None, None),
    Case("hapus nomor saya dr daftar kalian", "opt_out", None, None),
    Case("gausah spam2 lg lah", "opt_out", None, None),
    Case("stop sms ini", "opt_out", None, None),
    # ---- opt_in: resume messages --------------------------------------------------------------
    Case("mulai lagi kirim pengingat", "opt_in", None, None),
    Case("aktifin lagi notifnya", "opt_in", None, None),
    Case("start", "opt_in", None, None),
    Case("kirim lagi reminder nya ya", "opt_in", None, None),
    Case("please resume the reminders", "opt_in", None, None),
    Case("sy mau dapet pengingat lagi", "opt_in", None, None),
    Case("boleh diingetin lagi tiap bulan", "opt_in", None, None),
    # ---- language: switch language ------------------------------------------------------------
    Case("pakai bahasa inggris bisa?", "language", None, None),
    Case("English please", "language", None, None),
    Case("can you write in Indonesian?", "language", None, None),
    Case("ganti ke bahasa indonesia aja", "language", None, None),
    Case("sy ga ngerti bhs inggris, pake indo aja", "language", None, None),
    Case("in english pls", "language", None, None),
    # ---- unknown: chit-chat, thanks, unclear --------------------------------------------------
    Case("ok", "unknown", None, None),
    Case("makasih kak", "unknown", None, None),
    Case("siapa ya?", "unknown", None, None),
    Case("🙏", "unknown", None, None),
    Case("selamat tahun baru pak", "unknown", None, None),
    Case("lg meeting, nanti", "unknown", None, None),
    Case("maaf salah kirim", "unknown", None, None),
    Case("hah?", "unknown", None, None),
    Case("thanks", "unknown", None, None),
    Case("sy cek dulu ya", "unknown", None, None),
    Case("baik bu, pesannya sudah diterima", "unknown", None, None),
    Case("wkwkwk", "unknown", None, None),
    Case("p", "unknown", None, None),
    Case("INV-2026-0031 itu yang mana ya?", "unknown", None, None),
]
