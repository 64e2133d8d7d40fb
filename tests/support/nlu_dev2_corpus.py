"""Second development replies (issue 16), written without reading the rules; tuned on, by category.

Written by a helper that saw the label definitions and not the rules; the round-four rules were
then fixed against its misses, by category, each with phrasings of our own in
tests/unit/test_nlu_round3_rules.py. Its score is no held-out measure.

Today for every case is TODAY (Wednesday 31 March 2027, the last day of a 31-day month).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

TODAY = dt.date(2027, 3, 31)  # a Wednesday


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
    # ---------------------------------------------------------------- promise
    Case("besok sy tf ya kak", "promise", None, dt.date(2027, 4, 1)),
    Case("Pak, saya bayar lusa ya, lagi nunggu dana cair", "promise", None, dt.date(2027, 4, 2)),
    Case("jumat insyaallah sy lunasin 2,5jt nya", "promise", rp(2500000), dt.date(2027, 4, 2)),
    Case("senin ya bu, gajian dulu 🙏", "promise", None, dt.date(2027, 4, 5)),
    Case("tgl 5 sy bayar full kak", "promise", None, dt.date(2027, 4, 5)),
    Case("nanti sore sy transfer 750rb ya", "promise", rp(750000), dt.date(2027, 3, 31)),
    Case("hari ini jam 3 saya tf mas", "promise", None, dt.date(2027, 3, 31)),
    Case("minggu depan ya kak, lagi bokek bgt", "promise", None, None),
    Case("awal april sy bayar, tunggu ya", "promise", None, None),
    Case("akhir bulan pasti dibayar pak", "promise", None, dt.date(2027, 3, 31)),
    Case("Iya nanti saya bayar, mohon sabar", "promise", None, None),
    Case("sdh sy catat kak, besok pagi sy transfer", "promise", None, dt.date(2027, 4, 1)),
    Case("udah saya jadwalkan pembayarannya tgl 10 ya min", "promise", None, dt.date(2027, 4, 10)),
    Case("udah sy siapin duitnya, tinggal tf besok", "promise", None, dt.date(2027, 4, 1)),
    Case("udah ya bu, nanti sore sy tf", "promise", None, dt.date(2027, 3, 31)),
    Case("Iya mas sudah saya ingat, besok sy bayar 😊", "promise", None, dt.date(2027, 4, 1)),
    Case("makasih udh diingetin kak, lusa sy lunasin", "promise", None, dt.date(2027, 4, 2)),
    Case(
        "Dengan hormat, bersama ini kami sampaikan bahwa pembayaran atas invoice "
        "INV-2027/03/0452 akan kami lakukan pada tanggal 7 April 2027. Terima kasih.",
        "promise",
        None,
        dt.date(2027, 4, 7),
    ),
    Case(
        "Kami informasikan bahwa pembayaran sebesar Rp 12.450.000 dijadwalkan pada hari "
        "Jumat, 2 April 2027.",
        "promise",
        rp(12450000),
        dt.date(2027, 4, 2),
    ),
    Case(
        "Tagihan sebesar Rp 3.750.000 akan kami bayarkan paling lambat tanggal 9 April 2027.",
        "promise",
        rp(3750000),
        dt.date(2027, 4, 9),
    ),
    Case(
        "Mohon izin Bapak/Ibu, kami akan melakukan pembayaran pada hari Senin tanggal 5 April "
        "2027 sebesar Rp 8.200.000,-",
        "promise",
        rp(8200000),
        dt.date(2027, 4, 5),
    ),
    Case(
        "Mohon maaf atas keterlambatannya. Pembayaran akan kami proses besok setelah mendapat "
        "persetujuan direksi.",
        "promise",
        None,
        dt.date(2027, 4, 1),
    ),
    Case(
        "Yth. Bagian Piutang, pembayaran untuk PO 4512 akan kami realisasikan pada siklus "
        "pembayaran berikutnya.",
        "promise",
        None,
        None,
    ),
    Case(
        "Dengan ini kami konfirmasi bahwa dana sebesar Rp 21.000.000 telah kami ajukan dan akan "
        "ditransfer hari ini sebelum pukul 16.00 WIB.",
        "promise",
        rp(21000000),
        dt.date(2027, 3, 31),
    ),
    Case("I'll transfer the balance tomorrow morning", "promise", None, dt.date(2027, 4, 1)),
    Case("Will pay by Friday, sorry for the delay", "promise", None, dt.date(2027, 4, 2)),
    Case(
        "Ok noted, we will settle invoice #INV-8891 on 6 April",
        "promise",
        None,
        dt.date(2027, 4, 6),
    ),
    Case(
        "Pls give me until Monday, I'll pay IDR 4,500,000 in full",
        "promise",
        rp(4500000),
        dt.date(2027, 4, 5),
    ),
    Case(
        "Dear Sir/Madam, payment for invoice 2027-0331 will be released on April 8, 2027 "
        "through our AP cycle.",
        "promise",
        None,
        dt.date(2027, 4, 8),
    ),
    Case("Okay will pay today", "promise", None, dt.date(2027, 3, 31)),
    Case("sorry kak lagi hectic, weekend ini aku transfer ya", "promise", None, None),
    Case("sesok tak transfer yo mas", "promise", None, dt.date(2027, 4, 1)),
    Case("dalem ngapunten pak, mbenjing senin kula lunasi", "promise", None, dt.date(2027, 4, 5)),
    Case("engke sonten abdi transfer nya teh", "promise", None, dt.date(2027, 3, 31)),
    Case("bisuak ambo bayia yo da", "promise", None, dt.date(2027, 4, 1)),
    Case("Besok pe kubayar lah lae, sabar dulu kau", "promise", None, dt.date(2027, 4, 1)),
    Case("entar aye bayar dah bang, kagak kabur", "promise", None, None),
    Case("bsk ya kak sy tf 500k", "promise", rp(500000), dt.date(2027, 4, 1)),
    Case("tgl 31 ini sy bayar", "promise", None, dt.date(2027, 3, 31)),
    Case("Insya Allah tgl 15 april sy lunasi semua", "promise", None, dt.date(2027, 4, 15)),
    Case("blm bisa skrg kak, nnti malem sy tf", "promise", None, dt.date(2027, 3, 31)),
    Case("PO 4512 itu nanti sy bayar senin, tunggu ya", "promise", None, dt.date(2027, 4, 5)),
    Case("mbak, invoice no 20270315 sy bayar besok ya", "promise", None, dt.date(2027, 4, 1)),
    Case("rekening sy lg limit, lusa sy tf 1.2jt", "promise", rp(1200000), dt.date(2027, 4, 2)),
    Case("sabtu ya pak sy bayar cash ke sales nya", "promise", None, dt.date(2027, 4, 3)),
    Case("jam 2 siang ini sy transfer ya bu", "promise", None, dt.date(2027, 3, 31)),
    Case("oke kak, abis gajian tgl 25 bulan depan sy bayar", "promise", None, dt.date(2027, 4, 25)),
    Case(
        "hari selasa nanti sy bayar ya, skrg msh di luar kota", "promise", None, dt.date(2027, 4, 6)
    ),
    Case("ntar gw tf ya bang, nunggu duit masuk", "promise", None, None),
    Case(
        "insyaallah kamis ini saya transfer, dananya sudah saya siapkan",
        "promise",
        None,
        dt.date(2027, 4, 1),
    ),
    Case(
        "skrg lg di jalan, nanti malem sampe rumah langsung sy tf",
        "promise",
        None,
        dt.date(2027, 3, 31),
    ),
    Case("sy usahakan tgl 3 ya kak", "promise", None, dt.date(2027, 4, 3)),
    Case("tgl 2 april sy bayar 850.000", "promise", rp(850000), dt.date(2027, 4, 2)),
    Case("paling lambat 10 hari lagi sy lunasi pak", "promise", None, dt.date(2027, 4, 10)),
    Case(
        "3 hari lagi ya pak, lg nunggu pembayaran dr customer sy",
        "promise",
        None,
        dt.date(2027, 4, 3),
    ),
    Case(
        "mba tolong kasih waktu sampe jumat ya, pasti sy bayar",
        "promise",
        None,
        dt.date(2027, 4, 2),
    ),
    Case("nnti sy bayar kok, santai aja", "promise", None, None),
    Case("Siap bu, sisanya 2 jt sy kirim besok", "promise", rp(2000000), dt.date(2027, 4, 1)),
    Case("tunggu tgl 1 ya kak, gajian", "promise", None, dt.date(2027, 4, 1)),
    Case("sy bayar kalo proyek udh cair ya pak", "promise", None, None),
    Case("wkwk lupa kak, ntar sore dh sy tf", "promise", None, dt.date(2027, 3, 31)),
    Case(
        "Pak, dananya baru masuk tgl 12, jadi tgl 12 saya bayar ya",
        "promise",
        None,
        dt.date(2027, 4, 12),
    ),
    Case("bsk pagi jam 9 sy tf ya, 300rb kan?", "promise", rp(300000), dt.date(2027, 4, 1)),
    Case(
        "mohon maaf bu telat, hari ini sy lunasi Rp 1.175.000 nya",
        "promise",
        rp(1175000),
        dt.date(2027, 3, 31),
    ),
    Case(
        "ok min noted, nanti sy transfer ke VA 8808001234567890 yg kemarin ya",
        "promise",
        None,
        None,
    ),
    # ---------------------------------------------------------------- paid
    Case("udah kok, cek mutasi", "paid", None, None),
    Case("sdh tf kemarin kak", "paid", None, dt.date(2027, 3, 30)),
    Case("sudah saya bayar tadi pagi, Rp 1.250.000", "paid", rp(1250000), dt.date(2027, 3, 31)),
    Case("tf nya senin kemarin ya bu", "paid", None, dt.date(2027, 3, 29)),
    Case("sdh lunas tgl 25 ya mas", "paid", None, dt.date(2027, 3, 25)),
    Case("3 hari lalu udh sy transfer 500rb", "paid", rp(500000), dt.date(2027, 3, 28)),
    Case(
        "Dengan hormat, kami sampaikan bahwa pembayaran invoice INV/2027/02/118 telah kami "
        "transfer pada tanggal 26 Maret 2027 sebesar Rp 15.600.000.",
        "paid",
        rp(15600000),
        dt.date(2027, 3, 26),
    ),
    Case(
        "Kami telah melakukan pelunasan melalui transfer RTGS pada hari Senin, 29 Maret 2027, "
        "dengan nomor referensi 20270329BCA00012.",
        "paid",
        None,
        dt.date(2027, 3, 29),
    ),
    Case(
        "Bukti transfer terlampir. Pembayaran dilakukan tanggal 22 Maret 2027 sebesar "
        "Rp 9.875.000 untuk PO-7781.",
        "paid",
        rp(9875000),
        dt.date(2027, 3, 22),
    ),
    Case("Sdh dibayarkan oleh bagian finance kami minggu lalu", "paid", None, None),
    Case(
        "Menindaklanjuti pesan Bapak, tagihan tersebut telah kami selesaikan. Mohon dicek "
        "kembali pada rekening penerimaan.",
        "paid",
        None,
        None,
    ),
    Case(
        "Bersama ini kami informasikan bahwa dana sebesar Rp 6.430.000 telah kami kirimkan "
        "kemarin melalui Mandiri Cash Management.",
        "paid",
        rp(6430000),
        dt.date(2027, 3, 30),
    ),
    Case("udh sy bayar, ini buktinya", "paid", None, None),
    Case("lho kan udah lunas min", "paid", None, None),
    Case("barusan sy tf 750k", "paid", rp(750000), dt.date(2027, 3, 31)),
    Case("tadi siang udh transfer via BCA no ref 827364519", "paid", None, dt.date(2027, 3, 31)),
    Case("Already paid yesterday, pls check", "paid", None, dt.date(2027, 3, 30)),
    Case(
        "Payment of IDR 2,300,000 was made on 29 March", "paid", rp(2300000), dt.date(2027, 3, 29)
    ),
    Case(
        "Hi, I've already settled this via bank transfer on 24 March, ref no 55120034",
        "paid",
        None,
        dt.date(2027, 3, 24),
    ),
    Case("paid via QRIS just now", "paid", None, dt.date(2027, 3, 31)),
    Case("udh aku transfer kok kak, coba dicek lagi mutasinya 🙏", "paid", None, None),
    Case("sdh dibayar via VA 8808123456789012 tgl 27", "paid", None, dt.date(2027, 3, 27)),
    Case("sampun kula transfer wingi mas", "paid", None, dt.date(2027, 3, 30)),
    Case("wis tak bayar mau esuk mas, 450 ewu", "paid", rp(450000), dt.date(2027, 3, 31)),
    Case("alah, geus dibayar kamari teh", "paid", None, dt.date(2027, 3, 30)),
    Case("Bah, duitnya udah kukirim semalam, lae", "paid", None, dt.date(2027, 3, 30)),
    Case("lah udh gw bayar bang kmrn sore", "paid", None, dt.date(2027, 3, 30)),
    Case("sudah tf 1.500.000 jam 10 tadi", "paid", rp(1500000), dt.date(2027, 3, 31)),
    Case("bukannya sudah lunas ya? saya transfer tgl 20 lalu", "paid", None, dt.date(2027, 3, 20)),
    Case("udh masuk blm kak? sy tf td pagi 2,5jt", "paid", rp(2500000), dt.date(2027, 3, 31)),
    Case("sudah sy setor tunai di indomaret kemarin", "paid", None, dt.date(2027, 3, 30)),
    Case("Done ya kak, udh ku tf", "paid", None, None),
    Case("mohon dicek, dana sudah kami kirim 2 hari yang lalu", "paid", None, dt.date(2027, 3, 29)),
    Case("sdh sy lunasi lewat kurir, bayar cod", "paid", None, None),
    Case("Lunas pak, bukti tf sdh sy kirim ke WA sales", "paid", None, None),
    Case("sy bayar sabtu kmrn pake gopay 320rb", "paid", rp(320000), dt.date(2027, 3, 27)),
    Case("udah beres kok, kemaren sore", "paid", None, dt.date(2027, 3, 30)),
    Case("cek mutasi tgl 28 ya bu, atas nama PT Sinar Jaya", "paid", None, dt.date(2027, 3, 28)),
    Case("cek mutasi aja kak, tgl 29 masuk kok", "paid", None, dt.date(2027, 3, 29)),
    Case("transfer sdh sy lakukan, total 4jt, mohon diupdate", "paid", rp(4000000), None),
    Case("kok masih ditagih? kan udah bayar tgl 15", "paid", None, dt.date(2027, 3, 15)),
    Case("udah sy tf pak, pake nomor VA yg dikasih", "paid", None, None),
    Case("sy udh bayar 1jt kemarin, sisanya nanti ya", "paid", rp(1000000), dt.date(2027, 3, 30)),
    Case("udah ya mbak, td siang 🙏", "paid", None, dt.date(2027, 3, 31)),
    Case("Sdh trf td pg. Rp 675.000. Tks", "paid", rp(675000), dt.date(2027, 3, 31)),
    Case("lunasss kak, kmrn tf lewat dana", "paid", None, dt.date(2027, 3, 30)),
    Case("tgl 30 kmrn sdh sy bayar via mandiri", "paid", None, dt.date(2027, 3, 30)),
    Case("tgl 1 maret udh sy bayar kok, coba cek lg", "paid", None, dt.date(2027, 3, 1)),
    Case("Udh transfer ke rek BRI 0123-01-000456-30-1 kemarin", "paid", None, dt.date(2027, 3, 30)),
    Case(
        "Sudah saya transfer Jumat kemarin sebesar 3,2 juta",
        "paid",
        rp(3200000),
        dt.date(2027, 3, 26),
    ),
    Case("Mas sy udh bayar td jam 11.30, 1.750.000", "paid", rp(1750000), dt.date(2027, 3, 31)),
    Case("hari minggu kemarin istri sy yg tf kak", "paid", None, dt.date(2027, 3, 28)),
    Case("alhamdulillah sdh lunas semua ya kak", "paid", None, None),
    Case(
        "already transferred 850k this morning, check pls", "paid", rp(850000), dt.date(2027, 3, 31)
    ),
    # ---------------------------------------------------------------- method
    Case("no rek nya brp kak?", "method", None, None),
    Case("bisa bayar pake QRIS gak?", "method", None, None),
    Case(
        "Mohon informasi nomor virtual account untuk pembayaran invoice INV-0098.",
        "method",
        None,
        None,
    ),
    Case(
        "Kami memerlukan informasi rekening tujuan beserta nama bank untuk proses pembayaran "
        "melalui sistem kami.",
        "method",
        None,
        None,
    ),
    Case(
        "Apakah pembayaran dapat dilakukan melalui giro atau hanya transfer bank? Mohon "
        "informasinya.",
        "method",
        None,
        None,
    ),
    Case("bayarnya ke mana ya min", "method", None, None),
    Case("bisa via ovo/gopay/dana?", "method", None, None),
    Case("kalo bayar di alfamart bisa ga? kena admin brp?", "method", None, None),
    Case("How do I pay? Do you accept credit card?", "method", None, None),
    Case("Is bank transfer to Mandiri OK or only BCA?", "method", None, None),
    Case("kirim link pembayarannya dong kak", "method", None, None),
    Case("transfer 1,5jt ke rek mana ya?", "method", rp(1500000), None),
    Case("VA BCA nya berapa? yg kemaren kode 8077 udh expired", "method", None, None),
    Case("bisa cash ke kantor ga pak?", "method", None, None),
    Case("rekening a.n. siapa ya? mau tf tp takut salah", "method", None, None),
    Case("kalo pake kartu kredit ada biaya tambahan gak?", "method", None, None),
    Case("bisa bayar pake shopeepay kak?", "method", None, None),
    Case("Bu, bisa kirim ulang nomor VA-nya? sy hapus chatnya", "method", None, None),
    Case("nomer rekening BNI ada gak kak, sy gak punya BCA", "method", None, None),
    Case("kodenya apa kalo bayar di indomaret?", "method", None, None),
    Case("nomer rekeninge piro mas?", "method", None, None),
    Case("biaya transfer antar bank nya siapa yg nanggung ya?", "method", None, None),
    Case("QRIS nya bisa dikirim ulang? mau bayar 275rb sekarang", "method", rp(275000), None),
    Case("link pembayaran nya error kak, ada cara lain?", "method", None, None),
    Case("bisa bayar via paylater?", "method", None, None),
    Case("halo kak, no rek nya apa ya? mau tf skrg", "method", None, None),
    # ---------------------------------------------------------------- dispute
    Case("lho sy gk pernah order ini", "dispute", None, None),
    Case("barangnya rusak pas dateng, gmn mau bayar", "dispute", None, None),
    Case("order nya kan udh sy cancel minggu lalu", "dispute", None, None),
    Case("kok ditagih dua kali? invoice 0331 sama 0332 itu barang yg sama", "dispute", None, None),
    Case("diskon 10% nya blm dipotong ya kak", "dispute", None, None),
    Case("barang blm nyampe kok udh ditagih", "dispute", None, None),
    Case(
        "Kami keberatan atas tagihan ini karena harga tidak sesuai dengan penawaran "
        "(quotation) no. Q-2027-045.",
        "dispute",
        None,
        None,
    ),
    Case(
        "Sehubungan dengan tagihan nomor 112/INV/III/2027, kami sampaikan bahwa sebagian "
        "barang yang diterima dalam kondisi cacat sehingga kami belum dapat memproses "
        "pembayaran.",
        "dispute",
        None,
        None,
    ),
    Case(
        "Berdasarkan berita acara serah terima, jumlah barang yang kami terima hanya 120 unit, "
        "bukan 150 unit sebagaimana tercantum dalam faktur. Mohon faktur direvisi.",
        "dispute",
        None,
        None,
    ),
    Case("salah orang kali, sy bukan pelanggan toko ini", "dispute", None, None),
    Case("PPN nya kok dihitung 2x", "dispute", None, None),
    Case("Qty di invoice 50 pcs, yg dateng cuma 45", "dispute", None, None),
    Case("produk nya udh expired pas nyampe, mau sy retur", "dispute", None, None),
    Case("ongkirnya kok ditagih? katanya free ongkir", "dispute", None, None),
    Case("The invoice amount is wrong, we agreed on IDR 7,000,000", "dispute", rp(7000000), None),
    Case(
        "We never received the goods for PO 4471, please check with your logistics",
        "dispute",
        None,
        None,
    ),
    Case("itu barang retur kak, udh sy balikin ke sales nya", "dispute", None, None),
    Case("Nggak bisa bayar, barangnya kurang 3 dus", "dispute", None, None),
    Case("Bu, ini bukan tagihan saya, saya Rina bukan Rini", "dispute", None, None),
    Case("harga per dus nya beda sama yg dijanjiin sales", "dispute", None, None),
    Case("nota nya dobel kak, yg satu udh sy bayar", "dispute", None, None),
    Case("mesinnya rusak baru sehari dipake, sy gak mau bayar sblm diganti", "dispute", None, None),
    Case("denda keterlambatannya gak masuk akal, kan baru telat 2 hari", "dispute", None, None),
    Case("ini pesanan siapa? sy gk merasa pesan apa2", "dispute", None, None),
    Case("aku ra tau pesen barang iki mas", "dispute", None, None),
    Case("barangna can nepi, naha geus ditagih?", "dispute", None, None),
    Case("Kenapa dua kali ditagih, lae? Cuma sekali nya aku pesan", "dispute", None, None),
    Case("warnanya salah kak, sy pesan yg hitam dtg yg putih", "dispute", None, None),
    Case("kenapa tagihannya jadi 2,7jt? kesepakatan awal gak segitu", "dispute", rp(2700000), None),
    Case("kan pesenan nya udh dibatalin sama admin kalian", "dispute", None, None),
    Case("harga di invoice beda sama PO no 5561, mohon direvisi", "dispute", None, None),
    Case("barangnya rusak 2 dus, sisanya nanti sy bayar kalo udh diganti", "dispute", None, None),
    Case(
        "hey this was supposed to be cancelled, why am I still getting billed?",
        "dispute",
        None,
        None,
    ),
    # ---------------------------------------------------------------- instalment
    Case("boleh dicicil gak kak?", "instalment", None, None),
    Case("bisa bayar 2x gak? 500rb dulu trus sisanya bulan depan", "instalment", rp(500000), None),
    Case("sy mau angsur 3 bulan, per bulan 1jt bisa?", "instalment", rp(1000000), None),
    Case(
        "Mohon kebijakan Bapak/Ibu untuk pembayaran secara bertahap sebanyak 3 termin.",
        "instalment",
        None,
        None,
    ),
    Case(
        "Kami mengajukan permohonan pembayaran secara angsuran sebesar Rp 5.000.000 per bulan "
        "selama 6 bulan.",
        "instalment",
        rp(5000000),
        None,
    ),
    Case("Can I split the payment into two?", "instalment", None, None),
    Case("is there an instalment option? like 3 months", "instalment", None, None),
    Case("kalo nyicil 250rb per minggu boleh?", "instalment", rp(250000), None),
    Case("tolong bisa dibagi 2 pembayarannya pak", "instalment", None, None),
    Case("bisa termin ga? 30% skrg 70% nanti", "instalment", None, None),
    Case("dicicil ya bu, sebulan 750 ribu", "instalment", rp(750000), None),
    Case("aku bayar separo dhisik yo mas, sisane sesok", "instalment", None, None),
    Case("bisa dicicil 4x kak? masing2 1,25jt", "instalment", rp(1250000), None),
    Case("gbs lunas skrg kak, bisa nyicil?", "instalment", None, None),
    Case("bayar setengah dulu boleh? sisanya minggu depan", "instalment", None, None),
    Case("Bisa dicicil kagak bang, 200 rebu seminggu", "instalment", rp(200000), None),
    Case("bisa dicicia ndak, uda? ambo baru bisa bayia saparo", "instalment", None, None),
    Case("pak sy minta keringanan, bayar per 2 minggu sekali bisa?", "instalment", None, None),
    Case("Could we pay in 3 instalments of IDR 2,000,000 each?", "instalment", rp(2000000), None),
    # ---------------------------------------------------------------- handoff
    Case("sy mau ngomong sama admin aja", "handoff", None, None),
    Case("bisa telpon sy aja gak kak? 0812-3456-7890", "handoff", None, None),
    Case("tolong sambungkan ke CS", "handoff", None, None),
    Case("ini bot ya? mau bicara sm orang beneran", "handoff", None, None),
    Case("Can I speak with someone from your finance team?", "handoff", None, None),
    Case("hubungin sales sy aja pak, mas Doni", "handoff", None, None),
    Case(
        "Mohon kami dapat dihubungkan dengan bagian piutang/keuangan untuk membahas tagihan ini.",
        "handoff",
        None,
        None,
    ),
    Case("tlg telp ke nomor ini ya 081298765432 jam 4 sore", "handoff", None, None),
    Case("mau komplain langsung ke manusia, bukan mesin", "handoff", None, None),
    Case("minta no WA admin nya dong", "handoff", None, None),
    Case("aku arep ngomong karo mbak sing biasane wae", "handoff", None, None),
    Case("please call me, it's easier to discuss by phone", "handoff", None, None),
    Case("sy mau ketemu langsung sama orang keuangan nya, bisa?", "handoff", None, None),
    Case("min, bisa minta tolong orang dr kantor telp sy?", "handoff", None, None),
    Case("ada CS yg bisa dihubungi ga? urgent", "handoff", None, None),
    Case("hoyong ngobrol sareng admin wae", "handoff", None, None),
    # ---------------------------------------------------------------- opt_out
    Case("stop kirim pesan ini", "opt_out", None, None),
    Case("tolong hapus nomor sy dari list", "opt_out", None, None),
    Case("unsubscribe", "opt_out", None, None),
    Case("jangan wa sy lagi ya, ganggu", "opt_out", None, None),
    Case("Mohon untuk tidak mengirimkan pengingat ke nomor ini lagi.", "opt_out", None, None),
    Case(
        "Kami meminta agar alamat email ini dihapus dari daftar distribusi pengingat tagihan Anda.",
        "opt_out",
        None,
        None,
    ),
    Case("STOP", "opt_out", None, None),
    Case("berhenti ngingetin sy tiap hari, risih", "opt_out", None, None),
    Case("please remove me from your mailing list", "opt_out", None, None),
    Case("gak usah diingetin2 lg kak, sy bisa inget sendiri", "opt_out", None, None),
    Case("nomor ini bukan punya pak budi lagi, jgn dikirimin lagi", "opt_out", None, None),
    Case("ojo ngirim pesen maneh yo", "opt_out", None, None),
    Case("sy gk mau terima reminder lewat sms, stop", "opt_out", None, None),
    Case("Stop spamming me", "opt_out", None, None),
    Case("tlg jgn hubungi sy lg lewat telegram", "opt_out", None, None),
    Case("keluarin sy dr daftar pengingat", "opt_out", None, None),
    # ---------------------------------------------------------------- opt_in
    Case("kak tolong aktifin lagi pengingatnya ya", "opt_in", None, None),
    Case("sy mau diingetin lg kayak dulu", "opt_in", None, None),
    Case("Please resume the payment reminders, I missed a due date", "opt_in", None, None),
    Case("START", "opt_in", None, None),
    Case("kemaren sy minta stop, skrg nyalain lg aja reminder nya", "opt_in", None, None),
    Case(
        "Mohon pengingat tagihan dapat diaktifkan kembali ke email finance kami.",
        "opt_in",
        None,
        None,
    ),
    Case("kirimin lg notif tagihannya ya min, biar gak lupa", "opt_in", None, None),
    # ---------------------------------------------------------------- language
    Case("can you write in English please?", "language", None, None),
    Case("bisa pake bahasa inggris aja? sy gk lancar bhs indonesia", "language", None, None),
    Case(
        "Tolong kirim pesannya dalam bahasa Indonesia saja, saya tidak mengerti bahasa Inggris.",
        "language",
        None,
        None,
    ),
    Case("English please", "language", None, None),
    Case("mas, isa ganti boso jowo ora? 😂", "language", None, None),
    Case(
        "Could you send the reminders in Indonesian instead? My staff handles it",
        "language",
        None,
        None,
    ),
    # ---------------------------------------------------------------- unknown
    Case("siapa ini?", "unknown", None, None),
    Case("ok", "unknown", None, None),
    Case("makasih kak", "unknown", None, None),
    Case("tokonya buka jam brp?", "unknown", None, None),
    Case("stok beras 25kg ada?", "unknown", None, None),
    Case("halo", "unknown", None, None),
    Case("botnya lemot bgt", "unknown", None, None),
    Case("Selamat pagi", "unknown", None, None),
    Case("wkwkwk", "unknown", None, None),
    Case("👍", "unknown", None, None),
    Case("ini nomor siapa ya, dapet dr mana?", "unknown", None, None),
    Case("alamat gudangnya dimana ya kak?", "unknown", None, None),
    Case("tgl 5 kantor buka gak?", "unknown", None, None),
    Case("Is your office open on 2 April?", "unknown", None, None),
    Case("kak mau order lagi 10 dus, ready?", "unknown", None, None),
    Case("botnya gak ngerti2 dari tadi", "unknown", None, None),
    Case("tagihan yg mana ya?", "unknown", None, None),
    Case("Baik, terima kasih atas informasinya.", "unknown", None, None),
    Case("sampun nampi, matur nuwun", "unknown", None, None),
    Case("Noted", "unknown", None, None),
    Case("kapan jatuh temponya ya?", "unknown", None, None),
    Case("tgl 10 nanti ada promo lagi gak?", "unknown", None, None),
    Case("oke sdh sy terima pesannya", "unknown", None, None),
    Case("siap", "unknown", None, None),
]
