"""The keyword tables behind `classify`, one compiled regex per cue, over `words` text."""

from __future__ import annotations

import re


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


OPT_OUT = _any(
    r"\b(?:stop|unsubscribe|unsub|berhenti\w*|opt ?out|remove me)\b",
    r"\b(?:hapus|keluarkan|hilangkan|remove|delete) (?:\w+ ){0,2}(?:nomor|kontak|data|number"
    r"|me)\b|\btake me off\b",
    r"\bjangan (?:\w+ ){0,2}(?:hubungi|menghubungi|kirim|kirimi|sms|wa|whatsapp|chat|telepon"
    r"|ditelepon|ganggu|spam)\w*",
    r"\btidak (?:usah|perlu|mau) (?:\w+ )?(?:hubungi|dihubungi|kirim|ngirim|sms|wa|chat"
    r"|ganggu|telepon|ditelepon)\w* (?:\w+ ){0,2}lagi\b",
    r"\b(?:do not|never) (?:contact|message|text|email|sms|telepon) (?:me|us)\b",
    r"\btidak (?:mau|ingin) (?:\w+ ){0,2}(?:pesan|sms|wa|notifikasi|pengingat|reminder|telepon"
    r"|hubungi|chat)\w*",
    r"\bno more (?:messages|texts|reminders|sms)\b|\bdo not want (?:\w+ ){0,2}"
    r"(?:messages|texts|reminders)\b",
    # "gausah spam", "stop spam", "spam terus", "blokir aja nomor ini"
    r"\b(?:tidak usah|tidak perlu|jangan|stop|berhenti) (?:\w+ ){0,2}(?:spam|nyepam)\w*",
    r"\bspam\w* (?:terus|mulu|melulu|lagi)\b",
    r"\b(?:blokir|block|blok)(?: saja)? (?:nomor|no|kontak|number|this)\b",
    # "mohon untuk tidak mengirimkan pesan lagi", "jangan diingetin terus", "udahan kirim2nya"
    r"\btidak (?:usah |perlu )?(?:kirim|hubungi|telepon|sms|wa|chat|(?:di)?ingat\w*"
    r"|(?:di)?inget\w*)\w* (?:\w+ ){0,5}(?:lagi|again|terus)\b",
    r"\b(?:jangan|tidak usah|tidak perlu) (?:\w+ )?(?:di)?(?:ingat|inget)\w*",
    r"\btidak (?:mau|ingin) (?:\w+ ){0,2}notif\w*",
    r"\b(?:hapus|dihapus|keluarkan|remove|removed|delete|deleted)\w* (?:\w+ ){0,4}(?:dari|from)"
    r" (?:\w+ ){0,2}(?:daftar|list|mailing|distribusi)\b",
    r"\b(?:udahan|sudahan)\b(?: \w+){0,3}? (?:kirim|pesan|chat|wa|sms|spam|reminder|notif)\w*",
)
OPT_IN = _any(
    # after the opt-out rules, so "jangan kirim pesan lagi" never gets here
    r"\b(?:mau|ingin|tolong|mohon|please|minta|want|would like)\b(?: \w+){0,3}? (?:pengingat"
    r"|pesan|notif|reminders?|messages|notifications?)\w* (?:\w+ ){0,2}(?:lagi|kembali"
    r"|again)\b",
    r"^(?:mulai|start|unstop|subscribe|resubscribe|aktifkan)"
    r"(?: lagi| again| kembali| ya| please)*$",
    r"\b(?:aktifkan|hidupkan|nyalakan) (?:\w+ ){0,2}(?:lagi|kembali)\b|\bopt ?in\b",
    r"\bberlangganan (?:lagi|kembali)\b|\bsubscribe again\b",
    r"\b(?:kirim|kirimi|kirimkan) (?:\w+ ){0,2}(?:pengingat|pesan|notifikasi|reminder)\w* "
    r"(?:lagi|kembali)\b",
    r"\b(?:resume|restart|start) (?:sending|messages|reminders|notifications)\b",
    # "mulai lagi kirim pengingat", "kirim lagi remindernya", "aktifin lagi notifnya"
    r"\b(?:mulai|start) (?:lagi |kembali |again )?(?:kirim|kirimi|kirimkan|sending|send)\w*"
    r" (?:\w+ )?(?:pengingat|pesan|notif|reminder|message)\w*",
    r"\b(?:kirim|kirimi|kirimkan|send) (?:lagi|kembali|again) (?:\w+ )?(?:pengingat|pesan"
    r"|notif|reminder|message)\w*",
    r"\b(?:di)?(?:aktif|hidup|nyala)\w* (?:lagi|kembali)\b|\bdiing[ae]t\w* (?:lagi|kembali)\b",
    r"\b(?:resume|restart) (?:the |my |your )?(?:\w+ )?(?:sending|messages|reminders"
    r"|notifications)\b",
    r"\bsend (?:\w+ ){0,2}(?:reminders|messages|notifications) (?:again|back)\b",
)
LANGUAGE = _any(
    r"\b(?:english|inggris|bahasa|berbahasa|indonesian)\b",
    r"\b(?:speak|in|pakai|pake) indonesia\w*\b",
    r"^(?:indo|indonesia|indonesian|eng|en)(?: please| ya| saja| dong)*$",
)
_STAFF = (
    r"(?:orang|petugas|admin|cs|manusia|operator|staff|staf|karyawan|kolektor|collector"
    r"|sales|person|human|agent|someone|somebody|representative|manager|manajer|atasan"
    r"|pimpinan|keuangan|finance|customer service|pihak|tim|team|penagihan|bagian"
    r"|yang (?:pegang|megang|handle|urus|ngurus|mengurus|menangani))"
)
HANDOFF = _any(
    rf"\b(?:bicara|berbicara|ngomong|ngobrol|(?:di)?hubungkan|sambungkan|chat|talk|speak|connect"
    rf"|diskusi|berdiskusi|bahas|membahas|discuss)\b"
    rf"(?: \w+){{0,4}}? {_STAFF}(?:nya)?\b",
    r"\b(?:telepon|hubungi|kontak|contact) (?:saya|me|kami|us|balik|back)\b",
    r"\b(?:minta|tolong|mohon|bisa|please|can you|could you|mau|ingin|butuh|perlu|need|want"
    r"|request) (?:\w+ ){0,3}(?:telepon|hubungi|callback)\b",
    r"\b(?:bicara|berbicara|ngomong|ngobrol|talk|speak) (?:sama|dengan|to|with) (?:dia|beliau"
    r"|him|her|(?:mas|mbak|pak|bu|bapak|ibu) \w+)\b",
    r"\b(?:sales|admin|cs|petugas|kolektor|collector)\w* (?:nya )?(?:mana|dimana|di mana)\b",
    r"\b(?:customer service|customer care|layanan pelanggan|telepon center|real person"
    r"|orang asli|manusia asli|bukan (?:bot|robot|mesin)|not a (?:bot|robot)|live agent)\b",
    # passed on to a person: "sambungin ke admin", "oper ke admin", "teruskan ke salesnya"
    rf"\b(?:sambung|oper|operkan|alihkan|teruskan|terusin|forward)\b"
    rf"(?: \w+){{0,3}}? {_STAFF}(?:nya)?\b",
    # "bisa langsung sama orangnya?", "maunya sama manusia", "ada orangnya?"
    r"\b(?:langsung|mau|maunya|bisa|pengen|ingin) (?:\w+ )?(?:sama|dengan|ama|sm) (?:orang"
    r"|manusia|admin|cs|petugas|operator|staf|staff|sales)\w*",
    r"\bada (?:orang|manusia)(?:nya)?\b",
    rf"\b(?:hubungi|kontak|contact|call) (?:\w+ )?{_STAFF}\b",
    rf"\b(?:mau|minta|ingin|pengen|butuh|perlu|want|need|please|tolong) (?:\w+ ){{0,3}}{_STAFF}\b",
    r"^(?:admin|cs|operator|petugas|agent|human|manusia|telepon)(?: please| dong| ya)*$",
    r"\btelepon (?:saja|dong|please)\b",
    r"\b(?:someone|somebody|anyone|who) (?:\w+ ){0,3}(?:telepon|talk|speak|contact)\b",
    r"\bnomor (?:telepon )?(?:cs|admin|kantor|petugas|kolektor|sales)\b",
)
COMPLAINT = re.compile(
    r"\b(?:komplain|complain|complaint|keluhan|keberatan|dispute|protes|sengketa|disagree)\w*"
    r"|\btidak (?:setuju|terima)\b(?! kasih)|\btidak sesuai\b|\bnot as (?:ordered|described)\b"
    # differs from what was agreed: "beda dengan yang dipesan", "tidak sama dengan surat jalan"
    r"|\b(?:beda|berbeda|tidak sama|lain|different|differs?)\b(?: \w+){0,4}? (?:pesan\w*"
    r"|dipesan|order\w*|po|penawaran|quotation|quote|surat jalan|delivery note|kontrak"
    r"|perjanjian|kesepakatan|disepakati|agreed|sample|contoh|spesifikasi|spek)\b"
    r"|\bwrong (?:items?|goods|products?|quantity|qty|size|colou?r|model)\b"
    r"|\bsalah (?:ukuran|warna|tipe|type|model|barang|item|size|spesifikasi|spek|jenis|produk)\b"
)
_NUM = r"(?:\d+|dua|tiga|empat|lima|enam|two|three|four|five|six)"
INSTALMENT = _any(
    r"\b(?:(?:di|men|me)?cicil\w*|nyicil\w*|(?:di|meng)?angsur\w*|instal+ments?|payment plan)\b",
    # "setengah juta" is an amount (Rp500.000), not half the bill
    r"\b(?:termin|bertahap|sebagian|setengah|separuh|half|partial\w*|pay in parts)\b"
    r"(?! (?:juta|ribu|million|a million))",
    r"\b(?:dipecah|pecah jadi|beberapa kali|several (?:payments|times|parts))\b",
    r"\b(?:pay|bayar)\w* (?:\w+ ){0,2}(?:part|parts|portion)\b",
    r"\bsplit (?:the )?(?:payment|bill)\b|\bdp\b|\buang muka\b|\bdown ?payment\b",
    # English: "split it into two", "pay monthly", "pay it off in stages"
    r"\bsplit (?:it|this|them|the (?:\w+ )?(?:payment|bill|invoice|amount)s?)? ?into\b",
    r"\bin (?:stages|parts|portions|instal+ments?)\b|\bpay\w* (?:\w+ )?(?:monthly|weekly)\b",
    r"\b(?:per|tiap|setiap|every) \d+ (?:minggu|bulan|pekan|weeks?|months?)\b",
    rf"\b{_NUM} ?(?:x|kali) (?:bayar|pembayaran)|\b(?:bayar|pay)\w* (?:\w+ )?{_NUM} ?(?:x|kali"
    rf"|times)\b|\b(?:bagi|dibagi|split into) {_NUM}\b",
)
NO_INSTALMENT = re.compile(r"\btidak (?:mau |usah |perlu )?(?:di)?cicil\w*")
PART_NOW = re.compile(r"\b(?:dulu|first)\b")
REST_LATER = re.compile(r"\b(?:sisanya|sisa|the rest|remaining|remainder)\b")
# so much a period: "1 juta per bulan", "tiap gajian 500rb", "sebulan 2jt" (not "dalam seminggu")
PER_PERIOD = re.compile(
    r"\b(?:per|tiap|setiap|each|every|a) (?:bulan|month|minggu|pekan|week|gajian|payday"
    r"|tanggal \d{1,2})\b|(?<!dalam )(?<!within )\b(?:sebulan|seminggu|sepekan|perbulan"
    r"|perminggu)\b"
)

PAID = _any(
    r"\bbukti\w*\b|\bstruk\b|\b(?:proof of payment|payment proof|receipt)\b",
    # no paying verb: "cek mutasinya", "tagihan sudah kami selesaikan", "payment … was made"
    r"\b(?:cek|check|lihat|liat) (?:\w+ )?(?:mutasi\w*|rekening koran|bank statement|statement)\b",
    r"\b(?:tagihan|invoice|pembayaran|faktur|semua|semuanya)\w* (?:\w+ ){0,3}(?:sudah|telah) "
    r"(?:\w+ )?(?:beres|selesai\w*|diselesaikan|kelar|clear|lunas\w*)\b",
    r"\b(?:sudah|telah) (?:beres|kelar|clear|selesai) kok\b",
    r"\bpayment\b(?: \w+){0,5}? (?:was|has been|is|were) (?:made|done|sent|completed"
    r"|transferred|paid)\b",
    r"\bpayment (?:is |has been |was )?(?:done|made|sent|completed?|transferred|successful)\b",
    r"\bsent (?:the |you the )?(?:money|payment|funds|transfer)\b",
    r"\b(?:made|sent|completed|did|done) (?:the |a |my |our |this )?(?:payment|transfer)\b",
    # the money itself arrived: "pembayaran sudah kami lakukan", "uangnya sudah masuk"
    r"\b(?:pembayaran|payment|transferan|uang\w*|dana\w*|duit\w*) (?:\w+ ){0,5}(?:sudah|telah"
    r"|already|has been|was) (?:\w+ ){0,2}(?:lakukan|dilakukan|masuk|terima|kirim|sampai"
    r"|proses|done|made|sent|received|credited)\b",
    r"\b(?:pembayaran|payment|transfer\w*|uang\w*|dana\w*|duit\w*) (?:\w+ ){0,2}(?:went through"
    r"|gone through|berhasil|sukses|successful|cleared)\b",
)


METHOD = _any(
    r"\b(?:nomor|no) rekening\b|\brekening (?:\w+ ){0,3}(?:mana|apa|berapa|nya|siapa)\b",
    r"\b(?:pakai|pake|via|lewat|melalui|dengan|using|by) (?:\w+ )?(?:giro|bilyet|cek|paylater"
    r"|kredivo|akulaku|cash|tunai)\b",
    r"\bbiaya (?:transfer|admin bank|antar ?bank|beda bank|bank)\b",
    r"\brekening tujuan\b",
    r"\b(?:ke ?|di ?)mana (?:\w+ ){0,2}(?:bayar|transfer|pembayaran|setor)",
    r"\b(?:bayar|transfer|pembayaran|setor)\w* (?:\w+ ){0,3}(?:ke ?mana|di ?mana|mana)\b",
    r"\b(?:cara\w*|gimana|bagaimana|how) (?:\w+ ){0,3}(?:bayar|membayar|pembayaran|transfer"
    r"|pay|payment)",
    r"\b(?:bayar|transfer|pembayaran)\w* (?:\w+ ){0,3}(?:cara\w*|gimana|bagaimana)\b",
    r"\b(?:metode|pilihan|opsi|method|methods|options?|info|informasi(?!kan)|detail|link"
    r"|tautan)\w* "
    r"(?:\w+ )?(?:bayar|pembayaran|payment|transfer)\w*",
    r"\bpayment (?:method|methods|options?|details?|info|link)\b",
    r"\b(?:account number|bank account|bank details)\b|\bwhere (?:\w+ ){0,3}(?:pay|transfer|send)",
    r"\b(?:pakai|pake|via|lewat|using) apa\b|\bbank apa\b|\bwhich (?:bank|method|account)\b",
    r"\b(?:bayar|pay|payment)\w* (?:\w+ ){0,2}(?:tunai|cash|cod)\b",
    # a question about an account or VA, even with its number: "rek BNI 1234 masih aktif?"
    r"\b(?:rekening|va|virtual account|account|akun)\b(?: \w+){0,3}? (?:masih (?:aktif|bisa"
    r"|berlaku|sama|benar)|aktif|benar|valid|active|correct|berlaku|ada|still valid"
    r"|still active)\b",
)
# A future word next to "sudah" makes the date a plan, not a past payment: "senin depan
# sudah saya transfer", "sudah saya jadwalkan transfer tgl 31".
FUTURE_CUE = re.compile(
    r"\b(?:depan|besok|lusa|nanti|next|tomorrow|jadwal\w*|rencana\w*|schedul\w*|planned"
    r"|insyaallah|insya allah|akan|will)\b|\b\w+ (?:hari|minggu|pekan|bulan|jam) lagi\b"
)
PAST_CUE = re.compile(r"\b(?:kemarin|tadi|barusan|lalu|yesterday|ago|last|baru saja|just now)\b")
# Earlier today ("tadi", "barusan", "2 jam lalu") names today, but never as a promise date.
EARLIER_TODAY = re.compile(
    r"\b(?:baru saja|barusan|tadi(?: (?:pagi|siang|sore|malam))?|just now|earlier today)\b"
    r"|\b\w+ ?(?:jam|menit|detik|hours?|minutes?|mins?|seconds?) (?:yang )?(?:lalu|ago)\b"
)
# Plain "transfer" is also the verb in "besok saya transfer": it names the method only
# with a bank, an account or a "via".
VIA_TRANSFER = re.compile(
    r"\b(?:pakai|pake|via|lewat|dengan|using|by|ke) (?:\w+ )?(?:transfer|bank|rekening|atm|bca"
    r"|mandiri|bri|bni|cimb|permata|btn|bsi)\b"
    r"|^transfer(?: bank| saja| ya)*$"
)
# Paying at a counter: "bisa bayar di indomaret?", "lewat alfamart", "langsung ke kantor"
COUNTER = re.compile(
    r"\b(?:di|lewat|via|ke|at|pakai|pake) (?:indomaret|alfamart|alfamidi|kantor pos|pos"
    r"|pegadaian|minimarket|loket|kasir|counter|(?:langsung )?(?:ke )?kantor)\b"
)
# A stop asked for earlier, now undone: "kirim lagi ya, kemarin sy stop", "kepencet stop"
PAST_STOP = re.compile(
    r"\b(?:kemarin|tadi|sudah|pernah|kepencet|terpencet|pencet|accidentally|mistake)\b"
    r"(?: \w+){0,2}? (?:stop|berhenti|unsubscribe|unsub)\b"
)
# A question about something other than paying: opening hours, stock, a promotion.
OTHER_TOPIC = re.compile(
    r"\b(?:buka|tutup|libur|open|closed|promo|stok|stock|ready|jam operasional|what time"
    r"|opening hours)\b"
)
QUESTION_WORD = re.compile(r"\b(?:mana|berapa|apa|gimana|bagaimana|how|where|which|what|siapa)\b")
# Words that make what follows a condition, not a fact: "bayar kalau dana sudah cair"
CONDITION = frozenset({"kalau", "jika", "if", "setelah", "sesudah", "habis", "when", "once"})
FUTURE_WORDS = frozenset({"nanti", "besok", "lusa", "akan", "will"})
ASKING = re.compile(r"\b(?:bisa|boleh|can|could|may|apakah|terima|accept)\b")


# "sekarang" / "right now" is a promise date only next to paying: "I'm busy right now" is not.
WEAK_NOW = re.compile(r"\b(?:sekarang|right now)\b")
PAY_WORD = re.compile(r"\b(?:bayar|transfer|lunas|setor|pay|settle|pembayaran)\w*")
NEGATED_DATE = re.compile(
    r"\b(?:belum|tidak|not|can not|do not|will not)(?: +\w+){0,3}? +(?:sekarang|hari ini"
    r"|besok|lusa|today|tomorrow|now|minggu ini|pekan ini|bulan ini|this week|this month)\b"
)
WILL_PAY = _any(
    r"(?<!tidak )(?<!belum )(?<!not )\b(?:akan|nanti|segera|secepatnya|mau|usahakan"
    r"|diusahakan|insya ?allah|insyaallah|pasti|will|going to|gonna|shall|promise|janji)\b"
    r"(?: (?!belum|tidak|not)\w+){0,3}? (?:(?:di|mem|men|me)?(?:bayar|transfer|lunas|setor)\w*"
    r"|pay|settle)\b",
    r"\b(?:saya|kami|kita)\b (?:bayar|transfer|lunasi|setor)\b",
    r"^(?:bayar|transfer|setor|lunasi) (?:rp |idr )?\d",  # "transfer 1,2jt ya pak"
    # a finance department's letter: "pembayaran akan kami proses pada siklus berikutnya"
    r"\b(?:pembayaran|payment|pelunasan)\w* (?:\w+ ){0,6}?(?:akan|will be|segera) (?:\w+ ){0,2}"
    r"(?:proses|diproses|lakukan|dilakukan|realisasi\w*|selesaikan|made|processed|done|sent)\b",
    r"\b(?:pay|bayar\w*) (?:soon|later|asap|secepatnya|segera|nanti)\b",
    r"\b(?:minta|kasih|beri|mohon|butuh|perlu|need|more) (?:\w+ )?(?:waktu|tempo|perpanjangan"
    r"|kelonggaran|time)\b|\b(?:perpanjangan|extension)\b",
    r"\b(?:tunggu|nunggu|menunggu|after|setelah|habis|abis|pas|when) (?:\w+ )?(?:gajian|gaji"
    r"|cair|payday|salary|dana masuk|uang masuk)\b|\bgajian\b",
)


# Soon, without a day: "minggu ini ya", "habis lebaran", "sedang diproses".
SOON = _any(
    r"\b(?:minggu ini|pekan ini|bulan ini|this week|this month|secepatnya|segera|asap"
    r"|as soon as possible)\b",
    r"\b(?:habis|abis|setelah|sesudah|selesai|after) (?:lebaran|libur\w*|natal|tahun baru"
    r"|imlek|holidays?)\b",
    r"\b(?:sedang|lagi|masih|dalam|akan|will|being) (?:di)?pro(?:ses|cess)\w*",
    r"\bprocess\w* (?:the )?(?:payment|pembayaran)|\bpayment (?:is )?(?:being )?processed\b",
)
