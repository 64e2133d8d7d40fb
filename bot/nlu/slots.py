"""Slot parsers for follow-up questions: language, payment method, dispute reason, count."""

from __future__ import annotations

import re

from bot.nlu.dates import date_spans
from bot.nlu.text import NUMBER_WORD_PATTERN, canon, small_number, words

_NEGATED_ENGLISH = re.compile(
    r"\b(?:tidak|belum|kurang) (?:bisa |paham |mengerti |ngerti |tahu )*(?:bahasa )?inggris\b"
    r"|\b(?:do not|can not|no) (?:speak |understand |read )*english\b"
)
_ENGLISH = re.compile(r"\b(?:english|inggris|eng|en)\b")
_INDONESIAN = re.compile(r"\b(?:bahasa|indonesia|indonesian|indo|bhs|id)\b")


def parse_language(text: str) -> str | None:
    """ "en" or "id" when the text asks for a language ("english please", "bahasa")."""
    normal = words(text)
    if _NEGATED_ENGLISH.search(normal):
        return "id"  # "saya tidak bisa bahasa inggris": keep (or switch to) Indonesian
    if _ENGLISH.search(normal):
        return "en"
    return "id" if _INDONESIAN.search(normal) else None


_VIA = r"(?:pakai|pake|via|lewat|dengan|with|using|by|use|atau|or|ke|aplikasi|app|akun)"
_METHODS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("va", re.compile(r"\b(?:va|virtual (?:accounts?|akun|acc))\b")),
    ("qris", re.compile(r"\b(?:qris|qr|kode qr|scan qr|qr code|barcode)\b")),
    (
        "ewallet",
        re.compile(
            r"\b(?:ovo|gopay|go pay|shopeepay|shopee pay|shopee|linkaja|link aja|e ?wallets?"
            r"|dompet (?:digital|elektronik)|doku|astrapay|isaku|sakuku)\b"
            rf"|\b{_VIA} dana\b|^dana$"  # bare "dana" is also "funds": "belum ada dana"
        ),
    ),
    (
        "card",
        re.compile(
            r"\b(?:kartu(?: kredit| debit)?|(?:credit|debit) cards?|cards?|visa|mastercard"
            r"|master card|cc|debit)\b"
        ),
    ),
    (
        "transfer",
        re.compile(
            r"\b(?:transfer|rekening|nomor rekening|atm|m ?banking|internet banking|ibanking"
            r"|bank|bca|mandiri|bri|bni|cimb|permata|btn|bsi|setor tunai)\b"
        ),
    ),
)


def parse_method(text: str) -> str | None:
    """The payment method named: "transfer", "va", "qris", "ewallet" or "card", or None.

    A specific method beats a plain "transfer" ("transfer ke VA BCA" is "va"); among
    specific ones the first mentioned wins.
    """
    normal = words(text)
    found = [(m.start(), name) for name, p in _METHODS[:-1] if (m := p.search(normal))]
    if found:
        return min(found)[1]
    return "transfer" if _METHODS[-1][1].search(normal) else None


_ACCOUNT_ASKED = re.compile(
    # "no rek", "norek nya", "nomor rekeningnya": the number itself is what they want,
    # unless it is where the money goes ("transfer ke no rek BCA").
    r"(?<!\bke )\b(?:no|nomor|nomer|nmr) ?rek(?:ening)?(?:nya)?\b"
    # "minta rekening", "kirimin rek nya": a request; a bare "kirim ke rek" is paying.
    r"|\b(?:minta|kirimin|kirimkan|infoin|info|share|bagi|kasih tau|kasih tahu)\b"
    r"(?: \w+){0,3} rek(?:ening)?(?:nya)?\b"
    r"|\baccount (?:number|no|details)\b|\bbank (?:details|account details)\b"
    r"|\bwhere (?:do|should|can) i (?:pay|transfer)\b"
)


_BALANCE_ASKED = re.compile(
    r"\b(?:berapa|brp|total|sisa|jumlah)\b(?: \w+){0,3}? (?:tagihan|tagihannya|hutang|utang"
    r"|hutangnya|utangnya|saldo|outstanding)\b"
    r"|\b(?:tagihan|tagihannya|hutang|utang|hutangnya|utangnya|saldo|outstanding)\b"
    r"(?: \w+){0,3}? (?:berapa|brp|total\w*)\b"
    r"|\bhow much (?:do|did|does) (?:i|we) (?:still )?owe\b|\bhow much is (?:my|our|the) "
    r"(?:bill|balance|debt|total)\b|\bwhat (?:is|s) (?:my|our) (?:balance|total|outstanding)\b"
)
_COPY_ASKED = re.compile(
    r"\b(?:kirim|kirimkan|minta|mohon|tolong|resend|send|share)\b(?: \w+){0,3}? (?:ulang|lagi"
    r"|copy|salinan|pdf|again)\b(?: \w+){0,2}? ?(?:invoice|faktur|tagihan|nota)?"
    r"|\b(?:copy|salinan|pdf|scan)\b(?: \w+){0,2}? (?:invoice|faktur|nota)\b"
    r"|\b(?:invoice|faktur|nota)\w*\b(?: \w+){0,2}? (?:dikirim ulang|kirim ulang|resend)\b"
    r"|\bresend (?:\w+ ){0,2}(?:invoice|faktur|bill)\b"
)


# The patterns below are written in canonical spellings: `words` has already turned "gak",
# "ga" and "nggak" into "tidak", "brp" into "berapa", "dikirim" into "kirim", "cannot" into
# "can not" (bot/nlu/text.py keeps the one table of spellings).
_FOR_A_PERSON = re.compile(
    # hardship: "blm bisa bayar pak, usaha lg sepi", "lagi ga ada dana"
    r"\b(?:belum|tidak) (?:bisa|mampu|sanggup) (?:bayar|melunasi|lunasi|transfer)\b"
    r"|\b(?:can not|unable to) pay\b"
    r"|\b(?:usaha|toko|bisnis|business) (?:\w+ ){0,2}(?:sepi|lesu|susah|tutup|bangkrut|slow)\b"
    r"|\b(?:tidak|belum) ada (?:uang|dana|duit)\b|\bno money\b"
    # a deal: "sy mau nego", "ada diskon?", "bisa cash aja?"
    r"|\b(?:nego|negosiasi|diskon|discount|potongan|keringanan|negotiate)\b"
    r"|\b(?:bisa|boleh|can i|could i|mau) (?:\w+ ){0,2}(?:cash|tunai)\b"
    # fees and doubts: "ada dendanya gak?", "ini penipuan ya?", "who is this"
    r"|\b(?:denda|dendanya|late fee|penalty|penipuan|penipu|scam|fraud)\b"
    r"|\b(?:ada|kena|dikenakan|berapa) bunga\w*\b|\bbunga\w* (?:\w+ )?(?:berapa|ada)\b"
    r"|\b(?:ini siapa|siapa ini|who is this|who are you)\b"
    # anger: "tiap hari nagih mulu", and swearing
    r"|\b(?:tiap|setiap) hari (?:\w+ ){0,2}tagih\b|\b(?:anjir|anjing|bangsat|goblok|bego|tolol"
    r"|brengsek|kampret|sialan)\b"
)


def needs_person(text: str) -> bool:
    """True when the reply is one no flow answers well and a person should read: hardship,
    a deal or a discount, fees, a doubt about who is writing, anger."""
    return bool(_FOR_A_PERSON.search(words(text)))


_OWED = r"(?:tagihan|tagihannya|hutang|utang|hutangnya|utangnya|saldo|outstanding)"
_BALANCE_ASKED = re.compile(
    rf"\b(?:berapa|total|sisa|jumlah)\b(?: \w+){{0,3}}? {_OWED}\b"
    rf"|\b{_OWED}\b(?: \w+){{0,3}}? (?:berapa|total\w*)\b"
    r"|\bhow much (?:do|did|does) (?:i|we) (?:still )?owe\b|\bhow much is (?:my|our|the) "
    r"(?:bill|balance|debt|total)\b|\bwhat (?:is|s) (?:my|our) (?:balance|total|outstanding)\b"
)
_INVOICE = r"(?:invoice|invoices|faktur|fakturnya|invoicenya|nota|notanya|bill)"
_AGAIN = r"(?:ulang|lagi|copy|salinan|pdf|again|copies)"
_SEND = r"(?<!sudah )(?<!saya )(?<!kami )(?<!sy )\b(?:kirim|resend|send|share)"  # not "sudah kirim"
_COPY_ASKED = re.compile(
    # a sending verb, "again" or "copy", and the invoice, in either order
    rf"{_SEND}\b(?: \w+){{0,3}}? {_AGAIN}\b(?: \w+){{0,2}}? {_INVOICE}\b"
    rf"|{_SEND}\b(?: \w+){{0,3}}? {_INVOICE}\b(?: \w+){{0,2}}? {_AGAIN}\b"
    rf"|\b{_INVOICE}\b(?: \w+){{0,5}}? kirim ulang\b|\bresend (?:\w+ ){{0,2}}{_INVOICE}\b"
    # "minta copy faktur", "salinan invoice", "pdf nota nya"
    rf"|\b(?:copy|salinan|pdf|scan)\b(?: \w+){{0,2}}? {_INVOICE}\b"
)


#: The number itself is wrong, said as the whole message ("salah nomor pak", "wrong number")
#: or about the company ("nomor ini bukan punya PT Maju", "saya bukan PT Maju"); "salah
#: kirim", "salah nomor invoice" or "wrong number on the invoice" are about something else.
_WRONG_NUMBER = re.compile(
    r"\bnomor ini bukan (?:punya |milik |nomor )?(?:pt|cv|toko|ud|bapak|ibu)\b"
    r"|\b(?:saya|kami|ini) bukan (?:pt|cv|toko|ud)\b|\btidak kenal (?:pt|cv|toko|ud)\b"
    r"|\bdo not know (?:this|that|your) company\b"
)
#: "salah nomor" said with nothing but courtesy around it ("maaf pak, anda salah nomor").
_WRONG_NUMBER_ALONE = re.compile(r"^(?:salah (?:nomor|nomer|sambung)|wrong number)$")
_AROUND = frozenset(
    {"maaf", "mohon", "sorry", "pak", "bu", "mas", "mbak", "kak", "ya", "deh", "kok", "sih"}
    | {"anda", "ini", "kayaknya", "sepertinya", "maybe", "i", "think", "you", "have", "the"}
)


def wrong_number(text: str) -> bool:
    """True when the reply says this number is not the customer's ("salah nomor pak",
    "maaf, anda salah nomor", "nomor ini bukan punya PT Maju", "wrong number, sorry");
    "salah kirim" or "salah nomor invoice nya" are about something else."""
    normal = words(text)
    if _WRONG_NUMBER.search(normal):
        return True
    rest = " ".join(t for t in normal.split() if t not in _AROUND)
    return _WRONG_NUMBER_ALONE.match(rest) is not None


def asks_balance(text: str) -> bool:
    """True when the reply asks how much is owed ("tagihan sy brp total?", "how much do I
    owe?"): answered with the open invoices, not with "not understood"."""
    return bool(_BALANCE_ASKED.search(words(text)))


def asks_invoice_copy(text: str) -> bool:
    """True when the reply asks for a copy of an invoice ("mohon kirim ulang invoice nya",
    "minta copy faktur inv-1", "please resend the invoice"): a person sends it. A link
    asked for ("share again the bill link") is a way to pay, not a copy."""
    normal = words(text)
    return bool(_COPY_ASKED.search(normal)) and "link" not in normal.split()


def asks_for_account(text: str) -> bool:
    """True when the text asks where to pay by transfer ("minta no rek nya", "account
    number please"); naming the account one pays into ("ke rekening biasa") is not asking."""
    return bool(_ACCOUNT_ASKED.search(words(text)))


_NOT = r"(?:belum|tidak|tidak pernah|never|not|not yet|have not|has not|did not|yet to)"
_NOT_MONEY = r"(?! (?:kasih|gaji|gajian|uang|dana|duit|pembayaran|bayaran|transferan))"


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


_REASONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "not_received",
        _any(
            rf"\b{_NOT} (?:di)?(?:sampai|datang|terima|dikirim|kirim|tiba)\b{_NOT_MONEY}",
            rf"\b{_NOT} (?:\w+ ){{0,2}}(?:received|receive|arrived|arrive|delivered|got|get)\b",
            r"\bnever (?:came|arrived|delivered)\b",
            r"\bbelum (?:\w+ )?(?:dikerjakan|dipasang|diinstal|diperbaiki)\b",
            r"\b(?:barang|pesanan|order|jasa|pekerjaan|kerjaan|proyek|layanan|servi[cs]e?"
            r"|instalasi|pemasangan)\w* (?:\w+ ){0,3}(?:belum|tidak) (?:\w+ )?(?:selesai"
            r"|dikerjakan|beres|jalan|sampai|datang|terima|kirim)\b",
            # part of the order missing: "barangnya kurang 2 pcs", "only received half"
            r"\b(?:belum|tidak|kurang) lengkap\b|\bincomplete\b|\bmissing\b",
            r"\bonly (?:received|got)\b|\bkurang \d+ ?(?:pcs|unit|buah|biji|dus|box|karton)\b",
            # fewer came than billed: "yang kami terima cuma 80 unit", "qty di faktur 30, yg
            # sampai 25"
            r"\b(?:terima|datang|sampai|received|arrived|delivered|got)\w* (?:\w+ ){0,2}(?:cuma"
            r"|hanya|only|just) \d+",
            r"\b(?:qty|quantity|jumlah|kuantitas)\w* (?:\w+ ){0,4}\d+\w* (?:\w+ ){0,4}(?:cuma|hanya"
            r"|only|yang (?:sampai|datang|diterima)|bukan|not) \d+",
            r"\b(?:baru|hanya|cuma|only) (?:sebagian|setengah|separuh|half|part|some|\d+)\b"
            r"(?: \w+){0,3}? (?:sampai|datang|terima|received|arrived|delivered|kirim)\b",
        ),
    ),
    (
        "quality",
        _any(
            r"\b(?:rusak|cacat|jelek|busuk|pecah|retak|reject|bocor|kualitas\w*|mutu|kw)\b",
            r"\btidak (?:berfungsi|jalan|nyala|bisa dipakai)\b",
            r"\b(?:damaged|broken|defective|faulty|(?:poor|bad|low) quality|not working"
            r"|does not work|stopped working|broke down)\b",
        ),
    ),
    (
        "price",
        _any(
            r"\bharga\w* (?:\w+ ){0,3}(?:salah|beda|berbeda|tidak sesuai|tidak cocok|naik"
            r"|lebih mahal)\b",
            r"\b(?:ke)?mahal(?:an)?\b|\b(?:salah|beda) harga\b|\btoo expensive\b",
            r"\b(?:nominal|jumlah|total)\w* (?:\w+ ){0,3}(?:salah|beda|tidak sesuai|kelebihan)\b",
            r"\bovercharg\w*",
            # a fee or penalty never agreed: "kok ada denda", "gratis ongkir", "late fee nya ga
            # masuk akal"
            r"\b(?:kok|kenapa|knp|why)\b(?: \w+){0,3}? (?:ongkir|ongkos|denda|biaya|fee|fees"
            r"|bunga|penalty|charge|charges)\b",
            r"\b(?:ongkir|ongkos kirim|denda|biaya|fee|fees|bunga|penalty)\w* (?:\w+ ){0,4}"
            r"(?:tidak (?:masuk akal|ada|setuju|pernah)|gratis|free|not agreed|never agreed"
            r"|make no sense|makes no sense)\b",
            r"\b(?:gratis|free) (?:ongkir|ongkos kirim|shipping|delivery)\b",
            # a discount or deduction left out: "diskon 5% nya kok ga ada", "you forgot our
            # discount", "kok tagihan full"
            r"\b(?:diskon|discount|potongan|rabat)\w*\b(?: \w+){0,4}? (?:belum|tidak|lupa"
            r"|forgot|not|hilang|missing|mana)\b",
            r"\b(?:forgot|forget|missing|without|lupa) (?:\w+ ){0,2}(?:diskon|discount|potongan)",
            r"\bkok (?:\w+ ){0,2}(?:full|penuh)\b",
            # the amount should be another: "harusnya cuma 800rb", "it should only be 4 million"
            r"\b(?:harusnya|seharusnya|mestinya|semestinya|sepatutnya|should (?:only |just )?be"
            r"|should have been)\b (?:(?:tagihan|total|nominal|jumlah|amount|the amount)\w* )?"
            r"(?:(?:cuma|hanya|only|just|sekitar) )?(?:rp |idr )?\d",
            r"\bkok (?:jadi|bisa|naik)\b(?: \w+){0,2}? (?:rp |idr )?\d",
            r"\b(?:nominal|jumlah|total|tagihan)\w* (?:\w+ ){0,2}(?:kebanyakan|kegedean"
            r"|kemahalan|(?:gede|besar|mahal) (?:banget|sekali|amat)|terlalu (?:besar|banyak"
            r"|mahal|tinggi))\b",
            r"\b(?:wrong|incorrect) (?:price|amount)|\b(?:price|amount) (?:\w+ )?(?:wrong"
            r"|incorrect)\b",
            r"\b(?:tagihan|harga|total|nominal|invoice|faktur|price|amount|bill)\w* (?:\w+ ){0,3}"
            r"(?:lebih (?:besar|mahal|tinggi|banyak)|melebihi|higher|more than)\b",
        ),
    ),
    (
        # returned goods count here: the invoice should have been credited
        "wrong_invoice",
        _any(
            r"\b(?:tagihan|faktur|invoice|nota|inv)\w* (?:\w+ ){0,3}(?:salah|keliru|tidak sesuai"
            r"|tidak sama|beda|berbeda|double|dobel|ganda|wrong|incorrect)\b",
            # not a bare "salah kirim": that is "sorry, wrong chat"
            r"\b(?:salah|keliru) (?:kirim )?(?:tagih|tagihan|faktur|invoice|nota|orang|nomor"
            r"|alamat)\w*",
            r"\bbukan (?:tagihan|faktur|invoice|pesanan|order|barang|utang|hutang)\w*",
            r"\btidak (?:pernah )?(?:pesan|order|beli|memesan|punya (?:utang|hutang|tagihan))\b",
            r"\bretur\w*|\bkembalikan\b|\breturned\b|\bsalah sambung\b",
            r"\b(?:wrong|incorrect) (?:invoice|bill|number|person)\b",
            r"\binvoice (?:\w+ )?(?:wrong|incorrect)\b|\bnot (?:my|our) (?:invoice|order|bill)\b",
            r"\b(?:never|did not) order|\b(?:double|twice) (?:billed|charged|tagih)",
            # billed twice: "dobel tagihnya", "ditagih 2x", "charged twice", "duplicate invoice"
            r"\b(?:dobel|double|ganda|duplikat|duplicate)\b(?! (?:check|cek))",
            r"\b(?:tagih|charged|billed)\w* (?:\w+ )?(?:2x|2 kali|dua kali|twice)\b",
            r"\b(?:2x|2 kali|dua kali|twice) (?:tagih|charged|billed)\b",
            # not our bill at all: "tagihan siapa ya", "tidak ada transaksi", "whose invoice"
            r"\b(?:tagihan|invoice|faktur|nota|bill)\w* (?:\w+ )?(?:punya |milik )?siapa\b",
            r"\bwhose (?:invoice|bill)\b|\bno (?:transactions?|dealings|business) with\b",
            r"\btidak (?:pernah )?ada (?:\w+ )?transaksi\b|\btidak kenal (?:\w+ ){0,2}"
            r"(?:perusahaan|pt|cv|toko|anda|kalian|company)\b",
            r"\bdo not know (?:your|this|the) company\b",
            # an order cancelled, yet billed: "ordernya sudah saya cancel", "was cancelled"
            r"\b(?:order|pesanan|pesan|po|transaksi)\w* (?:\w+ ){0,4}(?:cancel|batal|dibatal)\w*"
            r"|\b(?:cancel|batal|dibatal)\w* (?:\w+ ){0,2}(?:order|pesanan|po)\w*"
            r"|\b(?:supposed to be|already|was|were|been) cancel\w*",
            # a tax or line counted twice: "PPN nya kok dihitung 2x"
            r"\b(?:dihitung|hitung|counted|charged|kena) (?:\w+ )?(?:2x|2 kali|dua kali|twice"
            r"|double|dobel)\b",
            r"\btidak merasa (?:\w+ )?(?:pesan|order|beli|ambil|punya|pernah)\b",
            r"\b(?:pesanan|order|po)\w* (?:punya |milik )?siapa\b",
            r"\b(?:warna|ukuran|size|model|tipe|jenis|item|produk)\w* (?:\w+ )?(?:salah|keliru"
            r"|wrong)\b",
            # billed for more than taken: "kami cuma ambil 3 unit, bukan 5", "only ordered 20"
            r"\b(?:cuma|hanya|only) (?:pesan|order|ambil|beli|ordered|took|bought|received|got)"
            r" \d+\b",
            r"\b(?:tidak|never|did not)\b(?: \w+){0,4}? (?:sebanyak|segitu|as many|that many"
            r"|that much)\b",
            # the reminder reached the wrong person (an apology for a stray chat is no dispute)
            r"(?<!maaf )(?<!sorry )(?<!sori )\bsalah kirim\b",
            r"\bsaya bukan (?:pemilik|orang|yang|dari|bagian|pelanggan|customer|owner)\w*"
            r"|\bbukan (?:saya|kami) (?:orang|yang)\w*|\bnomor (?:ini )?baru\b",
            r"\bnot (?:my|our) (?:company|business|shop|store)\b|\bwrong (?:number|person)\b"
            r"|\bnot our company\b",
        ),
    ),
)


def parse_dispute_reason(text: str) -> str | None:
    """ "not_received", "quality", "price" or "wrong_invoice" when the text says which.

    Returned goods count as a wrong invoice (it should have been credited). Anything else,
    including a bare "komplain", is None: the caller decides ("other").
    """
    normal = words(text)
    return next((name for name, pattern in _REASONS if pattern.search(normal)), None)


_COUNT = rf"(\d{{1,2}}|{NUMBER_WORD_PATTERN})"
_MARKED_COUNT = re.compile(
    rf"(?<!tanggal )\b{_COUNT}\s*(?:x|kali|times|bulan|months?|termin|tahap|bagian|parts?"
    r"|angsuran|cicilan|instal+ments?|payments?|minggu|weeks?)\b(?! depan)"
)
_BARE_COUNT = re.compile(
    rf"(?<![\d.,/-])(?<!tanggal ){_COUNT}\b(?![.,/-]\d|\s*(?:juta|ribu|k|m)\b)"
)


def parse_count(text: str) -> int | None:
    """How many instalments: "3", "3x", "tiga kali", "3 bulan", "three" → 3; else None."""
    canonical = canon(text)
    bare = list(canonical)
    for start, end in date_spans(canonical):  # "25/3" or "31 feb" is no count
        bare[start:end] = " " * (end - start)
    for pattern, searched in ((_MARKED_COUNT, canonical), (_BARE_COUNT, "".join(bare))):
        for m in pattern.finditer(searched):
            count = small_number(m[1])
            if count is not None and 1 <= count <= 60 and m[1] not in ("a", "an", "se"):
                return count
    return None
