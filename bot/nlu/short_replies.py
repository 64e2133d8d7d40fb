"""Short replies as customers type them: yes, thanks, never mind, later.

A confirmation is rarely a bare "ya": it is "ya pak", "siap", "iya bener", "betul bu 🙏" or
a thumbs-up. Each reader here takes the whole reply, drops the courtesies around the
answer (pak, bu, kak, deh, dong, thanks, 🙏) and says yes only when what is left is that
answer and nothing else: "ya tapi jumlahnya salah" is not a yes.
"""

from __future__ import annotations

import re

from bot.nlu.text import canon, words

# Every list below holds canonical spellings only: `words` has already turned "makasih",
# "thx" and "tq" into "terima kasih", "ok" and "sip" into "oke", "gak jadi" into "tidak
# jadi" (bot/nlu/text.py keeps the one table of spellings).

#: Words that add courtesy, not meaning, around a short answer.
_COURTESY = frozenset(
    {"pak", "bu", "bapak", "ibu", "kak", "kakak", "mas", "mbak", "bos", "gan", "sis", "om"}
    | {"tante", "koh", "ci", "sir", "madam", "maam", "admin", "min"}
    | {"deh", "dong", "sih", "nih", "kok", "lah", "aja", "saja", "ya", "yah", "kah", "nya"}
    | {"sekali", "banget", "terima", "kasih", "thanks", "thank", "you", "please", "sudah"}
    | {"mantap", "noted", "that", "thats", "s", "is", "it", "all", "good", "fine", "itu"}
    | {"keduanya", "semua", "semuanya", "both"}  # "iya 2-2nya": yes, to all of it
)
#: Words that are the yes itself ("ya" is both: "ya pak" is a yes, "oke ya" is one too).
_YES = frozenset(
    {"ya", "yes", "benar", "betul", "bener", "oke", "setuju", "correct", "right", "yep", "sure"}
    | {"confirm", "confirmed", "boleh", "noted", "agree", "absolutely", "exactly"}
)
#: Thanks and plain acknowledgements, which need no answer but a polite one; a bare "ya"
#: or "benar" is not one (it may answer a question asked before the conversation expired).
_THANKS = frozenset(
    {"terima", "kasih", "thanks", "thank", "tks", "oke", "noted", "baik", "alright", "cool"}
    | {"great"}
)
#: Emoji that answer yes (👍 👌 ✅ ✔), and the folded hands and smiles that add courtesy.
_YES_EMOJI = re.compile("[\U0001f44d\U0001f44c\u2705\u2714]")
_COURTESY_EMOJI = re.compile("[\U0001f64f\ufe0f\U0001f3fb-\U0001f3ff\U0001f600-\U0001f60a]")
#: "never mind": leave the question being asked ("batal", "gak jadi", "cancel that").
_CANCEL = re.compile(
    r"^(?:batal\w*|tidak jadi|gajadi|cancel|cancel that|never ?mind|forget it|abaikan"
    r"|sudahlah)$"
)
#: "later": a receipt or detail promised for later ("nanti sy kirim buktinya", "menyusul").
_LATER = re.compile(r"\b(?:nanti|menyusul|nyusul|later|besok|belakangan|kapan kapan)\b")


def _core(text: str) -> tuple[list[str], bool]:
    """The words of a reply, and whether it carried a yes emoji."""
    emoji = _YES_EMOJI.search(text) is not None
    return words(_COURTESY_EMOJI.sub(" ", _YES_EMOJI.sub(" ", text))).split(), emoji


def only(text: str, allowed: frozenset[str]) -> bool:
    """True when the reply's words, courtesies aside, are all among `allowed` (canonical
    spellings, as `words` gives them): "full pak", "lunas semua" for {"full", "lunas", …}."""
    tokens, _emoji = _core(text)
    meant = [token for token in tokens if token not in _COURTESY or token in allowed]
    return bool(meant) and all(token in allowed for token in meant)


def is_yes(text: str) -> bool:
    """True when the reply confirms and says nothing else ("ya pak", "siap", "iya bener",
    "betul bu 🙏", "👍"); "ya tapi …", "bukan" and questions are not a yes."""
    if "?" in text:
        return False
    tokens, emoji = _core(text)
    if any(token not in _COURTESY and token not in _YES for token in tokens):
        return False
    return emoji or any(token in _YES for token in tokens)


def is_thanks(text: str) -> bool:
    """True when the reply only thanks or acknowledges ("ok makasih pak 🙏", "siap",
    "thanks!", "👍"): it asks nothing and needs no menu."""
    if "?" in text:
        return False
    tokens, emoji = _core(text)
    if not tokens:
        return emoji or bool(_COURTESY_EMOJI.search(text))
    if any(t not in _THANKS and t not in _COURTESY and t not in _YES for t in tokens):
        return False
    if "sudah" in tokens:
        return False  # "sudah pak, makasih" says it was paid: not only thanks
    return emoji or any(t in _THANKS for t in tokens)


def is_cancel(text: str) -> bool:
    """True when the reply drops the question being asked ("batal", "gak jadi deh",
    "never mind"); "batal bayar" or "cancel invoice 2" say more and are read as such."""
    tokens = [t for t in words(text).split() if t not in _COURTESY]
    return bool(tokens) and _CANCEL.match(" ".join(tokens)) is not None


def is_later(text: str) -> bool:
    """True when the reply puts something off ("nanti sy kirim buktinya", "menyusul ya")."""
    return _LATER.search(words(text)) is not None


_ADDS = re.compile(
    r"\b(?:sekalian|juga|also|tambah|ditambah|as well|too)\b"
    # "sama inv-1", "dan faktur inv-1": with, right before an invoice, not "transfer dengan BCA"
    r"|\b(?:sama|dengan|with|dan|and|plus) (?:yang |yg )?(?:inv|faktur|invoice|nota)"
)


def adds_to(text: str) -> bool:
    """True when the reply adds to what was said ("sekalian sama inv-1", "inv-1 juga")
    rather than correcting it ("eh salah, yg inv-1")."""
    return _ADDS.search(words(text)) is not None


def is_done(text: str) -> bool:
    """True when the reply only says it is done, politely ("sudah pak, terima kasih", "sip
    udah"): a payment made, said without the word for paying."""
    tokens, _emoji = _core(text)
    rest = [t for t in tokens if t not in _COURTESY and t not in _THANKS and t not in _YES]
    return "sudah" in tokens and not rest


_ALREADY_PAID = re.compile(
    r"\bsudah (?:\w+ )?(?:bayar|transfer|lunas|lunasi|setor|kirim)\w*\b|\balready paid\b"
)


def says_already(text: str) -> bool:
    """True when the reply says it is already paid ("sudah lunas kok pak"); the filler "ya
    sudah, lunas semua" ("all right, in full") is not (the comma keeps them apart)."""
    return bool(_ALREADY_PAID.search(canon(text)))
