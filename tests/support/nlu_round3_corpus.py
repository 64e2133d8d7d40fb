# ruff: noqa: E501
"""Round-three held-out replies (issue 16), written without reading the rules; never tune on them.

Written by a helper that saw only the label definitions below. Scored once, after the
round-three rules were made from other data (see tests/unit/test_nlu_round3.py).

Today for every case is TODAY (Friday 26 February 2027, two days before a 28-day month ends).
Labels record what a careful human collector would write down: vague ranges ("minggu depan",
"awal bulan", "akhir bulan depan", "bulan lalu") get date None, weekdays mean the next
occurrence (for paid claims, the last one), and only money counts as an amount.
"""

from __future__ import annotations

import datetime as dt

from tests.support.nlu_score import Case, rp

TODAY = dt.date(2027, 2, 26)  # a Friday


CASES: list[Case] = [
    # ---- promise ----
    Case("besok sy tf ya pak", "promise", None, dt.date(2027, 2, 27)),
    Case("Baik bu, insyaallah sy bayar hari senin 🙏", "promise", None, dt.date(2027, 3, 1)),
    Case("lusa ya kak, nunggu gajian dulu", "promise", None, dt.date(2027, 2, 28)),
    Case("nanti sore sy transfer 1,25jt pak", "promise", rp(1_250_000), dt.date(2027, 2, 26)),
    Case("tgl 5 maret sy lunasin semua ya", "promise", None, dt.date(2027, 3, 5)),
    Case("Tgl 2 yaa kak, pas cair dr customer sy", "promise", None, dt.date(2027, 3, 2)),
    Case("minggu depan sy bayar, lg nunggu pencairan", "promise", None, None),
    Case("akhir bulan ini sy transfer ya bu", "promise", None, dt.date(2027, 2, 28)),
    Case(
        "Mohon maaf Bapak, pembayaran invoice INV-2027-0112 akan kami lakukan pada tanggal 3 Maret 2027.",
        "promise",
        None,
        dt.date(2027, 3, 3),
    ),
    Case(
        "sudah saya jadwalkan tf tgl 1 ya pak, nanti sy kirim bukti",
        "promise",
        None,
        dt.date(2027, 3, 1),
    ),
    Case("udh sy jadwalin autodebet hari rabu mas", "promise", None, dt.date(2027, 3, 3)),
    Case("awal maret ya mbak sy bayar", "promise", None, None),
    Case("sy usahakan hari ini jam 3 sore tf 750rb", "promise", rp(750_000), dt.date(2027, 2, 26)),
    Case(
        "I'll transfer the full amount on Monday, sorry for the delay",
        "promise",
        None,
        dt.date(2027, 3, 1),
    ),
    Case(
        "Will pay by end of month, thanks for the reminder", "promise", None, dt.date(2027, 2, 28)
    ),
    Case("sesuk tak transfer mas, saiki lagi neng pasar", "promise", None, dt.date(2027, 2, 27)),
    Case("Punten teh, bade dibayar dinten senen nya", "promise", None, dt.date(2027, 3, 1)),
    Case("ntar kamis aye bayarin dah bang, tenang aje", "promise", None, dt.date(2027, 3, 4)),
    Case(
        "pak sy bayar tgl 10 ya, PO 4471 kami baru diproses finance",
        "promise",
        None,
        dt.date(2027, 3, 10),
    ),
    Case("oke kak besok pagi sy tf 2 jt", "promise", rp(2_000_000), dt.date(2027, 2, 27)),
    Case(
        "3 hari lagi ya pak, lg di luar kota ga bisa ke atm", "promise", None, dt.date(2027, 3, 1)
    ),
    Case("paling lambat tgl 5 udah masuk ke rekening bapak", "promise", None, dt.date(2027, 3, 5)),
    Case(
        "siap bu, hari sabtu sy transfer ke rek BCA yg di invoice",
        "promise",
        None,
        dt.date(2027, 2, 27),
    ),
    Case("tgl 26 ini sy bayar kok kak, tenang aja", "promise", None, dt.date(2027, 2, 26)),
    Case("bsk sy lunasin Rp1.500.000,- nya ya", "promise", rp(1_500_000), dt.date(2027, 2, 27)),
    Case("nanti malem ya mas aku tf, skrg msh meeting", "promise", None, dt.date(2027, 2, 26)),
    Case(
        "Kami akan melakukan pembayaran sebesar Rp 4.750.000 paling lambat akhir bulan ini.",
        "promise",
        rp(4_750_000),
        dt.date(2027, 2, 28),
    ),
    Case("Noted, payment will be processed next week by our finance team", "promise", None, None),
    Case("tgl 1 pas gajian langsung sy tf ya bu", "promise", None, dt.date(2027, 3, 1)),
    Case("bulan depan ya kak, bulan ini lg seret bgt 😭", "promise", None, None),
    Case(
        "insya allah selasa sy lunasi, nomor invoicenya 2027/INV/0098 kan?",
        "promise",
        None,
        dt.date(2027, 3, 2),
    ),
    Case("blm bisa skrg pak, tp hari minggu pasti sy tf", "promise", None, dt.date(2027, 2, 28)),
    Case("OK mbak, lusa sy tf 500k", "promise", rp(500_000), dt.date(2027, 2, 28)),
    Case(
        "pembayaran sdh kami ajukan ke finance, jadwal transfer tgl 4 maret",
        "promise",
        None,
        dt.date(2027, 3, 4),
    ),
    Case("ya ya nanti saya bayar, sabar dong", "promise", None, None),
    Case(
        "tgl 25 bulan depan ya pak sy bayar, nunggu termin dr proyek",
        "promise",
        None,
        dt.date(2027, 3, 25),
    ),
    Case(
        "Baik pak, transfer 1500000 besok siang ke rekening yg bapak kirim",
        "promise",
        rp(1_500_000),
        dt.date(2027, 2, 27),
    ),
    Case("ok kak jam 4 nanti sy trnsfer ya", "promise", None, dt.date(2027, 2, 26)),
    Case(
        "Mohon maaf atas keterlambatannya, pelunasan kami jadwalkan hari Kamis, 4 Maret 2027.",
        "promise",
        None,
        dt.date(2027, 3, 4),
    ),
    Case(
        "sy tf ke rek 0123456789 besok ya, yg di invoice itu kan",
        "promise",
        None,
        dt.date(2027, 2, 27),
    ),
    # ---- paid ----
    Case("udh sy tf kemarin pak", "paid", None, dt.date(2027, 2, 25)),
    Case(
        "sdh lunas ya kak, tadi pagi sy transfer 1.250.000",
        "paid",
        rp(1_250_000),
        dt.date(2027, 2, 26),
    ),
    Case("Sudah saya bayar tgl 20 via BCA", "paid", None, dt.date(2027, 2, 20)),
    Case("udah transfer 3 hari lalu bu, cek lagi dong", "paid", None, dt.date(2027, 2, 23)),
    Case(
        "sy udh bayar selasa kemarin mas, buktinya mau dikirim kemana?",
        "paid",
        None,
        dt.date(2027, 2, 23),
    ),
    Case("tgl 28 kemarin sdh sy tf 2,5jt", "paid", rp(2_500_000), dt.date(2027, 1, 28)),
    Case("Already paid yesterday, please check", "paid", None, dt.date(2027, 2, 25)),
    Case(
        "payment done via VA 8808 1234 5678 9012 this morning", "paid", None, dt.date(2027, 2, 26)
    ),
    Case("udh sy bayar pak, no rek tujuan 1234567890 a.n. PT Maju Jaya", "paid", None, None),
    Case("sampun kula transfer wingi sonten, mas", "paid", None, dt.date(2027, 2, 25)),
    Case("atos dibayar kamari teh, 750 rebu", "paid", rp(750_000), dt.date(2027, 2, 25)),
    Case("udeh gue bayar kemaren lusa bang, cek aje", "paid", None, dt.date(2027, 2, 24)),
    Case("barusan tf 500k kak, mohon dicek 🙏", "paid", rp(500_000), dt.date(2027, 2, 26)),
    Case(
        "Dengan hormat, kami informasikan bahwa pembayaran invoice INV-2027-0112 sebesar Rp 3.200.000 telah kami transfer pada tanggal 22 Februari 2027.",
        "paid",
        rp(3_200_000),
        dt.date(2027, 2, 22),
    ),
    Case("sdh lunas bulan lalu kok", "paid", None, None),
    Case("udh tf minggu lalu kak", "paid", None, None),
    Case("sudah saya bayar tgl 1 feb pak, masa blm masuk", "paid", None, dt.date(2027, 2, 1)),
    Case(
        "sy transfer 1500000 td siang, no ref 882716", "paid", rp(1_500_000), dt.date(2027, 2, 26)
    ),
    Case("udh dibayar via qris td jam 10", "paid", None, dt.date(2027, 2, 26)),
    Case("I paid it on the 24th, transaction id TRX-55102", "paid", None, dt.date(2027, 2, 24)),
    Case("udh sy lunasin hari senin kmrn", "paid", None, dt.date(2027, 2, 22)),
    Case("sudah tf tanggal 31 januari kak", "paid", None, dt.date(2027, 1, 31)),
    Case(
        "Pembayaran sudah dilakukan oleh bagian keuangan kami 2 hari yang lalu.",
        "paid",
        None,
        dt.date(2027, 2, 24),
    ),
    Case("dah ku tf kmrn malem 2jt ya", "paid", rp(2_000_000), dt.date(2027, 2, 25)),
    Case("udah kok pak, cek aja mutasinya", "paid", None, None),
    Case("sdh sy trf tgl 27 kmrn pak, Rp 875.000", "paid", rp(875_000), dt.date(2027, 1, 27)),
    Case("lunas ya bu, td sy setor tunai ke teller", "paid", None, dt.date(2027, 2, 26)),
    Case("already settled via bank transfer last friday", "paid", None, dt.date(2027, 2, 19)),
    Case("sdh sy tf rabu kmrn ya mbak 1,75 jt", "paid", rp(1_750_000), dt.date(2027, 2, 24)),
    Case("udh bayar pake gopay tadi, 350rb", "paid", rp(350_000), dt.date(2027, 2, 26)),
    Case(
        "Transfer sudah masuk kan pak? sy kirim kmrn sore 4.500.000",
        "paid",
        rp(4_500_000),
        dt.date(2027, 2, 25),
    ),
    Case("Alhamdulillah sudah lunas pak, tgl 15 kemarin", "paid", None, dt.date(2027, 2, 15)),
    Case("udah tf ke VA 7001 2233 4455 kmrn", "paid", None, dt.date(2027, 2, 25)),
    Case("wis tak bayar mau esuk mas, IDR 600.000", "paid", rp(600_000), dt.date(2027, 2, 26)),
    # ---- method ----
    Case("bayarnya ke rek mana ya pak?", "method", None, None),
    Case("ada VA nya gak kak? mau bayar 1,5jt", "method", rp(1_500_000), None),
    Case("bisa pake qris ga?", "method", None, None),
    Case("Can I pay by credit card?", "method", None, None),
    Case("minta link pembayarannya dong kak", "method", None, None),
    Case("nomor rekning BCA nya berapa ya bu? mau tf sekarang", "method", None, None),
    Case("bisa bayar lewat ovo/dana gak kak", "method", None, None),
    Case(
        "Mohon informasi nomor virtual account untuk pembayaran invoice INV-2027-0087.",
        "method",
        None,
        None,
    ),
    Case(
        "kalo tf dr mandiri ke rek bapak kena biaya ga? ada rek mandiri nya?", "method", None, None
    ),
    Case("bayar di indomaret bisa gak min?", "method", None, None),
    Case(
        "What's the account number for the transfer? It's for INV-2027-0140", "method", None, None
    ),
    Case("Nyuwun sewu mas, mbayare lewat endi nggih?", "method", None, None),
    Case("gmn caranya bayar pake shopeepay?", "method", None, None),
    Case(
        "kode bayarnya yg bener berapa ya? td sy coba VA 88081234 kok gagal", "method", None, None
    ),
    Case("mau tf 2.300.000 tp rekening tujuannya apa ya?", "method", rp(2_300_000), None),
    Case("bisa bayar tunai ke kantor aja ga pak?", "method", None, None),
    # ---- dispute ----
    Case("lho kok tagihannya 2,5jt? sy kan cuma ambil 10 dus", "dispute", rp(2_500_000), None),
    Case("sy gak pernah pesen barang ini pak, salah kirim tagihan kali", "dispute", None, None),
    Case("barangnya dateng rusak 5 pcs, masa ditagih full", "dispute", None, None),
    Case(
        "sy kok ditagih 2x ya, INV-2027-0112 sama INV-2027-0113 isinya sama persis",
        "dispute",
        None,
        None,
    ),
    Case(
        "diskon 10% nya kok gak dipotong ya? sesuai kesepakatan sama sales", "dispute", None, None
    ),
    Case("maaf ini salah orang, sy bukan pelanggan toko ini", "dispute", None, None),
    Case("harganya beda sama quotation yg dikirim sales, tolong dicek lagi", "dispute", None, None),
    Case("barang blm sampe kok udah ditagih?", "dispute", None, None),
    Case("The invoice amount is wrong, we only received 40 units not 50.", "dispute", None, None),
    Case("kiriman kurang 2 dus pak, tolong invoicenya direvisi", "dispute", None, None),
    Case(
        "Kami keberatan dengan tagihan ini karena barang telah kami retur pada tanggal 10 Februari.",
        "dispute",
        None,
        None,
    ),
    Case("ongkir kok dobel ditagih ya kak?", "dispute", None, None),
    Case("lah ini kan udh dibatalin ordernya, knp masih ada tagihan", "dispute", None, None),
    Case("Iki salah tagihan mas, aku ora tau pesen barang iki", "dispute", None, None),
    Case(
        "tagihan Rp 3.450.000 ini gak sesuai, PPN nya kok dihitung 2x",
        "dispute",
        rp(3_450_000),
        None,
    ),
    Case("qty di invoice 120, yg dtg cuma 100, mohon dikoreksi", "dispute", None, None),
    Case(
        "kmrn sy tf dobel kak, kepotong 2 kali, tolong dikembalikan salah satunya",
        "dispute",
        None,
        None,
    ),
    Case("barangnya expired semua pak, mau sy balikin aja", "dispute", None, None),
    Case("this isn't our invoice, wrong company I think", "dispute", None, None),
    # ---- instalment ----
    Case("bisa dicicil ga pak? 3x gitu", "instalment", None, None),
    Case("boleh bayar setengah dulu? sisanya bulan depan", "instalment", None, None),
    Case("sy cicil 500rb per minggu ya kak", "instalment", rp(500_000), None),
    Case(
        "Apakah memungkinkan pembayaran dilakukan secara bertahap dalam 4 termin?",
        "instalment",
        None,
        None,
    ),
    Case("Can I split it into two payments?", "instalment", None, None),
    Case("angsur 2 kali boleh? @1,5jt", "instalment", rp(1_500_000), None),
    Case("bisa nyicil 250k sebulan ga kak, lg susah bgt", "instalment", rp(250_000), None),
    Case("mas, nek dicicil iso ra? sebulan sejuta", "instalment", rp(1_000_000), None),
    Case("tf bertahap ya bu, tiap tgl 5 sy kirim 1.000.000", "instalment", rp(1_000_000), None),
    Case("gimana kalo dibayar 3 kali, tiap gajian?", "instalment", None, None),
    Case("could we do monthly installments of IDR 2,000,000?", "instalment", rp(2_000_000), None),
    Case("boleh sebagian dl ga pak, 40% skrg sisanya akhir bulan", "instalment", None, None),
    Case("kagak bisa sekaligus bang, aye cicil ye", "instalment", None, None),
    # ---- handoff ----
    Case("bisa telpon sy aja ga pak, 0812-3456-7890", "handoff", None, None),
    Case("sy mau ngomong sama admin aja", "handoff", None, None),
    Case("tolong sambungkan ke CS ya", "handoff", None, None),
    Case("Can I speak to a real person please?", "handoff", None, None),
    Case("mau bicara dgn sales yg pegang akun sy, pak Budi", "handoff", None, None),
    Case("ini bot ya? sy mau sama orangnya langsung", "handoff", None, None),
    Case(
        "Mohon dihubungkan dengan bagian keuangan Bapak untuk diskusi lebih lanjut.",
        "handoff",
        None,
        None,
    ),
    Case("minta nomor cs nya dong kak, mau ngobrol langsung", "handoff", None, None),
    Case("telpon aku ae mas, ribet nek chat", "handoff", None, None),
    Case("pls have your account manager call me, +62 811 222 333", "handoff", None, None),
    Case("kak tolong suruh mbak Rina yg hubungi sy", "handoff", None, None),
    # ---- opt_out ----
    Case("stop", "opt_out", None, None),
    Case("jangan chat lagi ya, ganggu", "opt_out", None, None),
    Case("unsubscribe", "opt_out", None, None),
    Case("tolong berhenti kirim pengingat ke nomor ini", "opt_out", None, None),
    Case("Please stop sending me these reminders.", "opt_out", None, None),
    Case("udah jgn sms2 lg, cape", "opt_out", None, None),
    Case("Mohon nomor saya dihapus dari daftar pengingat otomatis.", "opt_out", None, None),
    Case("STOP kirim WA ke sy!!!", "opt_out", None, None),
    Case("ojo ngirim pesen meneh mas", "opt_out", None, None),
    Case("ga usah diingetin lg kak, sy gak mau terima notif ini", "opt_out", None, None),
    Case("berhenti langganan pengingat", "opt_out", None, None),
    # ---- opt_in ----
    Case("tolong aktifin lagi pengingatnya ya kak", "opt_in", None, None),
    Case("Please resume the reminders, I stopped them by mistake", "opt_in", None, None),
    Case("kemarin sy stop, skrg mau diingetin lg aja", "opt_in", None, None),
    Case("Mohon pengingat tagihan diaktifkan kembali ke nomor ini.", "opt_in", None, None),
    # ---- language ----
    Case("english please", "language", None, None),
    Case("pakai bahasa indonesia aja min", "language", None, None),
    Case("Can you send this in English? I don't read Indonesian", "language", None, None),
    Case("bisa pake bahasa inggris ga? bos sy orang luar", "language", None, None),
    # ---- unknown ----
    Case("ok", "unknown", None, None),
    Case("siapa ini?", "unknown", None, None),
    Case("makasih kak", "unknown", None, None),
    Case("halo", "unknown", None, None),
    Case("🙏", "unknown", None, None),
    Case("ini nomor siapa ya, dapet dr mana nomor sy?", "unknown", None, None),
    Case("botnya lemot bgt sih balesnya", "unknown", None, None),
    Case("toko buka jam berapa ya besok?", "unknown", None, None),
    Case("Good morning", "unknown", None, None),
    Case("wkwkwk", "unknown", None, None),
    Case("mas, stok beras 25kg masih ada?", "unknown", None, None),
    Case("Terima kasih atas informasinya.", "unknown", None, None),
    Case("nggih mas, matur suwun", "unknown", None, None),
    Case("pesan reminder nya masuk 3x, bot nya error ya?", "unknown", None, None),
]
