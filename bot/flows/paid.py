"""The "already paid" flow: when and how much (checked against the balance), a receipt."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from bot.flows.common import (
    balance,
    confirmed,
    cover,
    main_currency,
    money,
    numbers,
    totals_text,
)
from bot.flows.texts import t
from bot.flows.types import (
    AlertCollector,
    Facts,
    Option,
    Outcome,
    RecordPaymentClaim,
    Reply,
    State,
    Turn,
)
from bot.nlu.reading import (
    is_later,
    only,
    parse_paid_date,
    read_amount,
    read_date,
)
from i18n.format import format_date
from i18n.staff_texts import Day, money_of, totals
from i18n.staff_texts import summary as staff_summary
from i18n.staff_texts import text as staff_text

SKIP_WORDS = frozenset({"lewati", "skip", "tidak ada", "gak ada", "nggak ada"})
# An amount or date the parser is unsure of, read back before the claim is recorded.
UNSURE = {
    "id": "{what} — benar? Jika bukan, ketik yang benar (contoh: 1,5jt atau tgl 20).",
    "en": "{what} — is that right? If not, type the right one (for example: 1.5m or the 20th).",
}


def claim_recorded(
    facts: Facts,
    paid_on: dt.date | None,
    amount: Decimal | None,
    media: tuple[str, ...],
    *,
    over: bool = False,
) -> Outcome:
    """Record the claim for the invoices it pays, tell the collector to verify, thank."""
    when = paid_on or facts.today
    invoices = cover(facts, amount)
    what = money(facts, amount) if amount is not None else totals_text(invoices, facts.language)
    claim = RecordPaymentClaim(when, amount, tuple(i.id for i in invoices), media)
    said = staff_text(
        "alert.payment_claimed",
        amount=(
            money_of(amount, main_currency(facts))
            if amount is not None
            else totals((i.balance, i.currency) for i in invoices)
        ),
        date=Day(when),
        invoices=numbers(invoices) or "-",
    )
    open_total = totals((i.balance, i.currency) for i in facts.invoices)
    over_text = staff_text("alert.over_balance", balance=open_total)
    summary = staff_summary(said, over_text) if over else staff_summary(said)
    listed = f"{what} ({numbers(invoices)})" if invoices else what
    text = t("paid_done", facts.language, amount=listed, date=format_date(when, facts.language))
    return Outcome((Reply(text),), State(), (claim, AlertCollector("payment_claimed", summary)))


def _receipt(facts: Facts, data: dict[str, Any]) -> Outcome:
    """Ask for the transfer receipt, unless it came with an earlier message already."""
    if data.get("media"):
        paid_on = dt.date.fromisoformat(data.get("paid_on") or facts.today.isoformat())
        amount = Decimal(data["amount"]) if data.get("amount") else None
        media = tuple(str(m) for m in data["media"])
        return claim_recorded(facts, paid_on, amount, media, over=bool(data.get("over")))
    lang = facts.language
    return Outcome(
        (Reply(t("paid_receipt", lang), (Option(t("opt_skip", lang), "skip"),)),),
        State("paid", "receipt", data),
    )


def _checked(facts: Facts, data: dict[str, Any], amount: Decimal | None) -> Outcome:
    """An amount above the whole open balance is read back: a typo, or a payment to check."""
    lang = facts.language
    data = {**data, "amount": str(amount) if amount is not None else None}
    if amount is not None and amount > balance(facts, main_currency(facts)):
        open_total = totals_text(cover(facts, amount), lang)
        listed = numbers(cover(facts, amount))
        text = t(
            "amount_over",
            lang,
            amount=money(facts, amount),
            balance=f"{open_total} ({listed})" if listed else open_total,
        )
        return Outcome(
            (Reply(text, (Option(t("opt_yes", lang), "yes"),)),), State("paid", "over", data)
        )
    return _receipt(facts, data)


def _read(
    facts: Facts,
    text: str,
    paid_on: dt.date | None,
    media: tuple[str, ...] = (),
    *,
    amount_before: str | None = None,
) -> Outcome:
    """Read when and how much; a reading the parser is unsure of is confirmed first.

    Unsure: a bare number with no money context ("INV 2026" slipped through, "1250000"),
    or a span read as one day ("minggu lalu"). Recording either silently writes a wrong
    claim; asking costs the customer one "ya".
    """
    lang = facts.language
    amount = read_amount(text)
    date = read_date(text, facts.today)
    paid_on = parse_paid_date(text, facts.today) or paid_on
    data: dict[str, Any] = {
        "paid_on": (paid_on or facts.today).isoformat(),
        "amount": str(amount.value) if amount is not None else amount_before,
    }
    if media:
        data["media"] = list(media)
    unsure = []
    if amount is not None and not amount.sure:
        unsure.append(money(facts, amount.value))
    if paid_on is not None and date is not None and not date.sure:
        unsure.append(format_date(paid_on, lang))
    if unsure:
        text = UNSURE.get(lang, UNSURE["id"]).format(what=", ".join(unsure))
        options = (Option(t("opt_yes", lang), "yes"),)
        return Outcome((Reply(text, options),), State("paid", "unsure", data))
    kept = Decimal(amount_before) if amount_before else None
    return _checked(facts, data, amount.value if amount is not None else kept)


#: Answers to "send the receipt" that say there is none ("bukti hilang", "ga ada", "lost"),
#: and the words of them that do the saying ("buktinya ada" says the opposite).
NO_RECEIPT = frozenset(
    {"tidak", "ada", "hilang", "lost", "bukti", "buktinya", "no", "receipt", "punya", "none"}
)
_NONE = frozenset({"tidak", "hilang", "lost", "no", "none"})
#: Replies to "when and how much?" that answer nothing ("hah", "siapa", "tidak tahu").
NON_ANSWERS = frozenset(
    {"hah", "ha", "hmm", "apa", "siapa", "lupa", "tidak", "tahu", "ingat", "what", "who"}
    | {"maksud", "maksudnya", "kenapa", "gimana", "bagaimana", "why", "how"}
)


def _says_when_or_how_much(text: str, facts: Facts) -> bool:
    """Whether the answer may say when or how much ("kemarin 5jt", "via m-banking",
    "sesuai tagihan", "inv-2"); "hah?", "ini siapa ya?" or "gak ingat" do not."""
    if read_amount(text) is not None or read_date(text, facts.today) is not None:
        return True
    if not any(char.isalnum() for char in text):
        return False  # "", "😅", "...": nothing said
    if re.search(r"\b(?:siapa|who)\b", text.lower()):
        return False  # "ini siapa": a question back, not when or how much
    # "lewati" skips the details (the claim is made for today, as before); "ini pak" comes
    # with the receipt.
    return "?" not in text and not only(text, NON_ANSWERS)


def step(step: str, data: dict[str, Any], turn: Turn, payload: str | None, facts: Facts) -> Outcome:
    """Continue the claim: when and how much, a check of the amount, then the receipt."""
    typed = " ".join(turn.text.lower().split()).strip(".!")
    # A receipt may come with any message of the claim (a photo captioned "sudah transfer",
    # an email with the PDF attached): kept, and not asked for again.
    media = (*data.get("media", ()), *turn.media)
    data = {**data, "media": list(media)} if media else data
    if step == "ask":
        if not media and not _says_when_or_how_much(turn.text, facts):
            # "hah?", "ini siapa ya?": recording "paid today, in full" would be a false claim.
            again = f"{t('not_understood', facts.language)}\n{t('paid_ask', facts.language)}"
            return Outcome((Reply(again),), State("paid", "ask", data))
        return _read(facts, turn.text, None, media)
    if step == "unsure":
        said = dt.date.fromisoformat(data["paid_on"])
        if confirmed(payload, turn.text):
            return _checked(facts, data, Decimal(data["amount"]) if data.get("amount") else None)
        if read_amount(turn.text) is not None or read_date(turn.text, facts.today) is not None:
            # A correction: read it anew, keeping the amount when only the day is corrected.
            return _read(facts, turn.text, said, media, amount_before=data.get("amount"))
        kept = {"media": list(media)} if media else {}
        return Outcome((Reply(t("paid_ask", facts.language)),), State("paid", "ask", kept))
    if step == "over":
        reading = read_amount(turn.text)
        amount = reading.value if reading is not None else None
        if amount is not None:
            return _checked(facts, data, amount)
        if confirmed(payload, turn.text):
            return _receipt(facts, {**data, "over": True})
        return _checked(facts, data, Decimal(data["amount"]))
    # step "receipt": a photo or document, or Skip
    paid_on = dt.date.fromisoformat(data.get("paid_on") or facts.today.isoformat())
    amount = Decimal(data["amount"]) if data.get("amount") else None
    given = read_amount(turn.text) if not media else None
    if given is not None and given.sure:  # "2m": the amount, given late, is checked first
        return _checked(facts, {**data, "amount": str(given.value)}, given.value)
    # "nanti sy kirim buktinya": the receipt comes later (by mail, say); "bukti hilang": there
    # is none. Either way the claim is made now, for the collector to verify.
    if media or payload == "skip" or typed in SKIP_WORDS or no_receipt_now(turn.text):
        return claim_recorded(facts, paid_on, amount, media, over=bool(data.get("over")))
    return _receipt(facts, data)


def no_receipt_now(text: str) -> bool:
    """Whether the answer to "send the receipt" says it comes later or not at all ("bukti
    hilang pak", "ga ada"); "ada pak" says a photo is coming."""
    return is_later(text) or (only(text, NO_RECEIPT) and not only(text, NO_RECEIPT - _NONE))
