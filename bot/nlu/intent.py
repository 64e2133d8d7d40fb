"""`classify`: what a customer's free-text reply wants, by ordered keyword rules.

The rules run on `words` text (lowercase, SMS-speak spelled out) in this order, first hit
wins: opt-out, opt-in, language, handoff, dispute, instalment, paid, method, promise.
Opt-out comes first because ignoring one breaks the law; a dispute or an instalment
request outranks "paid"/"promise" because a collector has to look at it.

Promise: any future date (per `parse_date`) is a promise, with or without a paying verb,
because in a reply to a reminder a date *is* the answer to "when?"; the flow reads the
date back to the customer for confirmation. A paying verb in the future ("nanti saya
bayar", "I will pay") without a date is a promise too; the flow then asks for the date.
A date the text negates in the same clause ("belum bisa bayar sekarang") does not count.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from enum import StrEnum

from bot.nlu import intent_rules as r
from bot.nlu.amounts import parse_amount
from bot.nlu.dates import parse_date
from bot.nlu.slots import parse_dispute_reason, parse_language, parse_method
from bot.nlu.text import canon, words


class Intent(StrEnum):
    """What a customer's reply asks for."""

    PROMISE = "promise"
    PAID = "paid"
    METHOD = "method"
    DISPUTE = "dispute"
    INSTALMENT = "instalment"
    HANDOFF = "handoff"
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    LANGUAGE = "language"
    UNKNOWN = "unknown"


_BLOCK = frozenset(
    {"belum", "tidak", "lupa", "gagal", "mau", "akan", "bisa", "harus", "ingin", "pengen"}
    | {"siap", "oke", "not", "never", "will", "can", "to", "be", "get", "gets", "getting"}
    | {"would", "should"}
)
_MARK = frozenset({"sudah", "telah", "barusan", "tadi", "kemarin", "already", "just", "yesterday"})
_ID_VERB = re.compile(r"(?:di|mem|men|me)?(?:bayar|transfer|lunas|setor)\w*")
_PAST_VERB = re.compile(r"paid|transferred|settled|lunas")


def _paid(normal: str, promised: bool) -> bool:
    """A paying verb with a past marker near it ("sdh tf", "tf nya udah", "I paid")."""
    if r.PAID.search(normal):
        return True
    tokens = normal.replace("baru saja", "barusan").split()  # "just now" is a past marker
    for i, token in enumerate(tokens):
        if not _ID_VERB.fullmatch(token) and not _PAST_VERB.fullmatch(token):
            continue
        if i and tokens[i - 1] in _BLOCK:
            continue
        near = set(tokens[max(0, i - 4) : i])
        if near & r.CONDITION or near & r.FUTURE_WORDS:
            continue  # "kalau sudah transfer", "nanti saya bayar dah": no payment made
        before = _unblocked(reversed(tokens[max(0, i - 4) : i]))
        after = _unblocked(tokens[i + 1 : i + 5])
        if _MARK & (before | after):
            return True
        if _PAST_VERB.fullmatch(token) and not (token == "lunas" and promised):
            return True  # English past tense is enough; bare "lunas" unless a date follows
    return False


def _unblocked(tokens: Iterable[str]) -> set[str]:
    """The tokens up to the first negation, modal or condition, nearest first."""
    seen: set[str] = set()
    for token in tokens:
        if token in _BLOCK or token in r.CONDITION:
            break
        seen.add(token)
    return seen


def _method(normal: str, text: str, promised: bool) -> bool:
    """A question about how to pay, or a method named without a date."""
    if promised and "?" not in text and not r.QUESTION_WORD.search(normal):
        return False  # "sabtu sy bayar cash": a day to pay, not a question about how
    if r.METHOD.search(normal):
        return True
    if r.COUNTER.search(normal) and ("?" in text or r.ASKING.search(normal)):
        return True
    method = parse_method(text)
    if method is None:
        return False
    if "?" not in text and r.WILL_PAY.search(normal):
        return False  # "nanti sy transfer ke VA yang biasa": a promise naming the way
    if method == "transfer":
        asked = "?" in text or r.VIA_TRANSFER.search(normal) is not None
        return not promised and asked
    return "?" in text or r.ASKING.search(normal) is not None or not promised


# A share of the bill ("50% dulu"), not a discount or a tax rate ("diskon 10%", "PPN 11%").
_SHARE = re.compile(
    r"(?<!\d)(?<!diskon )(?<!discount )(?<!potongan )(?<!ppn )(?<!pajak )(?<!tax )[1-9]\d? ?%"
)
_REFERENCE = dt.date(2001, 1, 1)  # classify has no "today": any day tells future from past


def _promised(text: str) -> tuple[bool, bool]:
    """(a future date is named, a time without a date is named), negated ones left out."""
    affirmed = r.EARLIER_TODAY.sub(" ", r.NEGATED_DATE.sub(" ", canon(text)))
    if not r.PAY_WORD.search(affirmed):
        affirmed = r.WEAK_NOW.sub(" ", affirmed)
    date = parse_date(affirmed, _REFERENCE)
    return date is not None and date >= _REFERENCE, r.SOON.search(affirmed) is not None


#: "not yet" on paying itself ("belum bayar", "blm tf", "haven't paid"), in canonical spelling.
_NOT_YET_PAID = re.compile(
    r"\b(?:belum|not yet|have not|has not|did not)(?: \w+)?? (?:bayar|transfer|lunas|lunasi"
    r"|setor|paid|pay|transferred|settled)\b"
)
#: A reply opening with "not yet" ("eh belum ding, besok ya"), unless what is not yet is
#: something else ("belum masuk", "blm dikonfirmasi", "belum sempat foto").
_OPENS_NOT_YET = re.compile(
    r"^(?:(?:eh|oh|ya|maaf|aduh|waduh|wah|pak|bu|kak|mas|mbak|sorry|sih) )*(?:belum|not yet)\b"
    r"(?! (?:masuk|konfirmasi|dikonfirmasi"
    r"|terima|diterima|dibalas|dapat|dapet|dpt|sempat|jatuh|cek|dicek|ada|lihat|kirim|tahu|tau"
    r"|yakin|pasti))"
)


def retracts(text: str) -> bool:
    """True when the reply says no payment was made yet ("belum", "eh belum ding, besok
    ya", "maaf belum transfer"); a question ("sudah masuk belum?") or another thing not
    yet done ("kemarin, tp blm masuk katanya") is not."""
    normal = words(text)
    if "?" in text:
        return False
    return bool(_NOT_YET_PAID.search(normal) or _OPENS_NOT_YET.search(normal))


#: The customer paying, as a subject and a verb: "sy bayar", "I will pay", "mau transfer".
_I_PAY = re.compile(
    r"\b(?:saya|aku|kami|i|we|akan|mau|nanti|will|ll)\b(?: \w+)?? "
    r"(?:bayar|transfer|lunasi|lunas|setor|pay|settle)\w*\b"
)
_HABIT = re.compile(r"\b(?:tiap|setiap|every|biasanya|usually)\b")


def names_a_pay_day(text: str) -> bool:
    """True when the reply says the customer will pay on a day, not negated ("jumat sy
    bayar, norek nya apa"): a question about how to pay can carry a promise. A due date
    mentioned ("tgl 30 jatuh temponya") or a habit ("tiap bulan sy bayar tgl 5") is not."""
    promised, _soon = _promised(text)
    normal = words(text)
    return promised and _I_PAY.search(normal) is not None and not _HABIT.search(normal)


def classify(text: str) -> Intent:
    """The intent of a customer's reply; UNKNOWN for greetings, thanks and noise."""
    normal = words(text)
    if not normal:
        return Intent.UNKNOWN
    stated = _stated(normal, text)
    if stated is not None:
        return stated
    if parse_dispute_reason(text) is not None or r.COMPLAINT.search(normal):
        return Intent.DISPUTE
    promised, soon = _promised(text)
    paid = _paid(normal, promised) or _bare_done(normal)
    if _instalment(normal, text, promised=promised, paid=paid):
        return Intent.INSTALMENT
    if paid:
        if promised and r.FUTURE_CUE.search(normal) and not r.PAST_CUE.search(normal):
            return Intent.PROMISE  # a future date wins over "sudah"
        return Intent.PAID
    if _method(normal, text, promised):
        return Intent.METHOD
    if "?" in text and r.OTHER_TOPIC.search(normal) and not r.PAY_WORD.search(normal):
        return Intent.UNKNOWN  # "besok kantor buka?": a day, but no promise
    if promised or soon or r.WILL_PAY.search(normal):
        return Intent.PROMISE
    return Intent.UNKNOWN


def _stated(normal: str, text: str) -> Intent | None:
    """The intents a reply states outright: stop or resume, a language, a person."""
    if r.OPT_OUT.search(normal):
        undone = r.OPT_IN.search(normal) and r.PAST_STOP.search(normal)
        return Intent.OPT_IN if undone else Intent.OPT_OUT
    if r.OPT_IN.search(normal):
        return Intent.OPT_IN
    if r.LANGUAGE.search(normal) and parse_language(text) is not None:
        return Intent.LANGUAGE
    if r.HANDOFF.search(normal):
        return Intent.HANDOFF
    return None


def _bare_done(normal: str) -> bool:
    """ "udah ya pak, tadi pagi": "already" opening the reply, with when, is a payment made."""
    return normal.startswith("sudah ") and r.PAST_CUE.search(normal) is not None


def _instalment(normal: str, text: str, *, promised: bool, paid: bool) -> bool:
    """Asking to pay in parts, or offering part now ("2jt dulu, sisanya bulan depan")."""
    normal = r.NO_INSTALMENT.sub(" ", normal)
    if r.INSTALMENT.search(normal):
        return True
    part = parse_amount(text) is not None
    if paid:
        # part paid and the rest on a day is a plan ("sudah tf 1jt, sisanya minggu depan");
        # without a day it is a payment claim ("sudah bayar 1jt kemarin, sisanya nanti")
        return part and promised and r.REST_LATER.search(normal) is not None
    if _SHARE.search(canon(text)):
        return True  # "50% dulu": a share of the bill is a part payment
    if not part:
        return False
    # part now and the rest later, or so much a month: "2jt dulu", "1 juta per bulan"; the
    # rest alone on a day is a promise ("sisanya 1jt sy kirim lusa")
    if r.PART_NOW.search(normal) or r.PER_PERIOD.search(normal):
        return True
    return r.REST_LATER.search(normal) is not None and not promised
