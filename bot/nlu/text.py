"""Normalising chat text for the NLU rules: case, stretched letters, SMS-speak, number words."""

from __future__ import annotations

import re

# Informal spellings and affixed verb forms ("dihubungi", "ditelpon") → one canonical word,
# so every rule is written once. Every key is "known", which lets a stretched ending
# ("lusaa", "besokk") fall back to it.
_SPELLINGS: dict[str, str] = {
    "sudah": "sdh sdah sudh udh udah dah udeh sudahh sampun tos wes wis uwis",
    "belum": "blm blom belom blum lom lum blon durung",
    "tidak usah": "gausah gusah gaush gaosah ndausah gausa",
    "tidak": "gk ga gak gaa nggak ngga ngak enggak engga tdk tak kagak ndak nda gag gx gaak "
    "mboten ora teu henteu",  # Javanese, Sundanese
    "transfer": "tf trf tfr trsf trnsf transf tranfer trasfer transer trnsfr trasnfer ditf ditrf "
    "ditranfer ditransfer mentransfer transferin",
    "saya": "sy sya aku aq gw gue gua ane kulo kula abdi aye ambo",
    "bisa": "bs bsa bisaa tiasa",
    "tanggal": "tgl tg tggl tangal tnggl tgal",
    "besok": "bsk bsok besuk bsuk besog bzk esok mbenjing sesuk isuk isukan enjang bisuak",
    "juta": "jt jta jtan jeti",
    "ribu": "rb rbu rebu ribuan ewu",
    "yang": "yg",
    "dengan": "dgn dg dng",
    "untuk": "utk untk",
    "karena": "krn karna krna soalnya",
    "hari": "hr",
    "minggu": "mgg mgu mggu mingu",
    "bulan": "bln bl",
    "tahun": "thn",
    "dalam": "dlm",
    "detik": "dtk",
    "menit": "mnt",
    "segera": "enggal",  # Javanese "soon"
    "bahasa": "bhs bhsa",
    "depan": "dpn dpan ngarep",
    "lagi": "lg lgi lagii maneh deui",
    "kemarin": "kmrn kmarin kemaren kmren kmaren kmrin wingi kamari",
    "bayar": "byr bayr bayarr dibayar membayar dibayarkan bayarkan bayarin dibayarin mbayar mayar "
    "kebayar bayia",
    "lunas": "lns",
    "barang": "brg brng",
    "cicil": "dicicia cicia",
    "sampai": "sampe smpai smpe nyampe nyampai nepi",
    "terima": "trm trima diterima menerima",
    "datang": "dtg dateng",
    "jangan": "jgn jngn jgan ojo ojok ulah",
    "telepon": "tlp telp tlpn telpon tilpun nelpon nelepon call ditelepon ditelpon ditlp ditelp "
    "ditlpn menelepon",
    "rekening": "rek rekeningnya reknya rekeninge rekning",
    "nomor": "nmr nomer nmor",
    "berapa": "brp brapa piro pira sabaraha",
    "kalau": "kalo klo kl lamun",
    "separuh": "separo saparo",
    "sisanya": "sisane",
    "keluarkan": "keluarin dikeluarkan dikeluarin",
    "kenapa": "knp naha",
    "nanti": "ntar nnti nti entar engke mengko mangke",
    "sore": "sonten",
    "sekarang": "skrg skr skrang skg",
    "tapi": "tp tpi",
    "saja": "aja aj ajah ja wae bae mawon",
    "dulu": "dl dlu duluan dhisik disik",
    "tolong": "tlg tolongg",
    "gimana": "gmn gmna gimna gmana pripun kepriye piye kumaha",
    "mana": "mn",
    "please": "pls plz plis pliss",
    "tomorrow": "tmrw tmr tomoro tomorow tommorow tommorrow tmrow",
    "terima kasih": "makasih mksh mks thx tq trims trimakasih makasi",
    "i will": "ill",
    "i am": "im",
    "i have": "ive",
    "do not": "dont",
    "did not": "didnt",
    "have not": "havent",
    "has not": "hasnt",
    "can not": "cant cannot",
    "will not": "wont",
    "is not": "isnt",
    "you": "u",
    "nomor rekening": "norek norekening",
    "sebentar": "bentar bntr",
    "tadi": "td tdi",
    "barusan": "brusan barusn",
    "hubungi": "hub hubungin dihubungi menghubungi",
    "sama": "sm ama karo sareng kaliyan",
    "pesan": "pesen mesen dipesen",
    "pesanan": "pesenan",
    "dari": "dr dri",
    "pernah": "nate",
    "ini": "niki iki ieu",
    "berhenti": "berenti brenti",
    "orangnya": "wonge tiange",
    "bicara": "nyarios",
    "mau": "hoyong arep",
    "cara": "carane carana",
    "rusak": "ruksak",
    "ada": "ono wonten",
    "setiap": "saben",
    "sambungkan": "sambungin disambungkan disambungin nyambungin",
    "kirim": "dikirim mengirim ngirim kirimkan dikirimkan kirimin dikirimin mengirimkan ngirimin "
    "dikirimi kirimi kukirim",
    "tagih": "ditagih menagih nagih nagihnya",
    "kembalikan": "dikembalikan mengembalikan balikin dibalikin",
    "proses": "diproses memproses",
    "transfer nya": "tfnya trfnya transferannya",
    "lunasi": "lunasin lunasinya dilunasi melunasi",
    "bukti": "bkti bukt",
    "sebagian": "sbgian sebagaian",
    "ya": "yaa iya iyaa y yup nggih enggih",
    "oke": "ok okay oke okey okee okk sip siap",
}
ABBREVIATIONS: dict[str, str] = {
    spelling: canonical
    for canonical, spellings in _SPELLINGS.items()
    for spelling in spellings.split()
}
_KNOWN = frozenset(ABBREVIATIONS) | frozenset(_SPELLINGS) | {"lusa", "stop", "cicil", "va"}

_APOSTROPHE = re.compile(r"(?<=[a-z])['\u2019`](?=[a-z])")
_STRETCHED = re.compile(r"([a-z])\1{2,}")  # three or more: "bsokkk"; doubles are real ("maaf")
_LETTERS = re.compile(r"[a-z]+")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def _canonical_word(match: re.Match[str]) -> str:
    word = match.group()
    if word not in _KNOWN and len(word) > 2 and word[-1] == word[-2] and word[:-1] in _KNOWN:
        word = word[:-1]  # a doubled last letter, as in "lusaa", "besokk"
    return ABBREVIATIONS.get(word, word)


# Javanese "tak" before a verb is "I (will)": "tak transfer sesuk", not Indonesian "tidak".
_JAVANESE_I = re.compile(
    r"\btak (?=(?:bayar\w*|transfer\w*|tf|lunasi\w*|lunasin|setor\w*|kirim\w*)\b)"
)
# Two-word regional phrases: Javanese "ra tau pesen" (never ordered), Sundanese "can nepi"
# (not yet arrived; alone "can" is English).
_PHRASES = (
    (re.compile(r"\b(?:ra|ora|gak|ga) tau (?=pesen|pesan|mesen|order|beli|tuku)"), "tidak pernah "),
    (re.compile(r"\bcan (?=nepi|dugi|sumping|datang)"), "belum "),
    # "2-2nya", "dua2nya": both ("iya 2-2nya"), not the date 2/2
    (re.compile(r"\b(?:2[- ]|dua[- ]?)(?:2|dua)nya\b"), "keduanya"),  # not "tgl 22nya"
)


def canon(text: str) -> str:
    """Lowercase text with stretched letters collapsed and SMS-speak spelled out.

    Punctuation and digits stay, so dates ("25/3") and amounts ("Rp1.250.000") survive.
    """
    lowered = _JAVANESE_I.sub("saya ", _APOSTROPHE.sub("", text.lower()))
    for pattern, meaning in _PHRASES:
        lowered = pattern.sub(meaning, lowered)
    return _LETTERS.sub(_canonical_word, _STRETCHED.sub(r"\1", lowered))


def words(text: str) -> str:
    """`canon` with everything but letters and digits turned into single spaces."""
    return _NOT_WORD.sub(" ", canon(text)).strip()


# Small cardinal numbers, as counts and as "N days" in relative dates.
NUMBER_WORDS: dict[str, int] = {
    "satu": 1, "se": 1, "one": 1, "a": 1, "an": 1, "dua": 2, "two": 2, "tiga": 3, "three": 3,
    "empat": 4, "four": 4, "lima": 5, "five": 5, "enam": 6, "six": 6, "tujuh": 7, "seven": 7,
    "delapan": 8, "eight": 8, "sembilan": 9, "nine": 9, "sepuluh": 10, "ten": 10,
    "sebelas": 11, "eleven": 11, "dua belas": 12, "twelve": 12, "couple of": 2,
}  # fmt: skip
NUMBER_WORD_PATTERN = "|".join(
    sorted((re.escape(word) for word in NUMBER_WORDS), key=len, reverse=True)
)


def small_number(token: str) -> int | None:
    """A digit string or a small number word as an int."""
    if token.isdecimal():
        return int(token)
    return NUMBER_WORDS.get(token.strip())
