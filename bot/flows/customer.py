"""The customer conversation: a pure state machine over every channel.

`step(state, turn, facts)` returns the replies, the next state and the effects; the
router applies the effects and saves the state in one transaction, then replies.
A bare number picks from the options last offered, so SMS, WhatsApp and Telegram
buttons all arrive as the same payloads; keypad choices arrive as `voice:` payloads.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.flows import customer_steps as steps
from bot.flows.common import chased, named_invoices, narrowed, numbers, totals_text
from bot.flows.texts import t
from bot.flows.types import (
    Facts,
    OpenCase,
    OptIn,
    Option,
    OptOut,
    Outcome,
    RecordPaymentClaim,
    RecordPromise,
    Reply,
    SetLanguage,
    State,
    Turn,
)
from bot.nlu.reading import (
    Intent,
    asks_balance,
    asks_invoice_copy,
    classify,
    is_cancel,
    is_done,
    is_thanks,
    is_yes,
    needs_person,
    parse_amount,
    parse_date,
    parse_language,
    retracts,
    wrong_number,
)
from i18n.format import format_date, format_money
from i18n.staff_texts import Word

#: Words that stop messages wherever the conversation stands (even in free-text steps).
STOP_WORDS = {"stop", "berhenti", "unsubscribe", "stopall", "cancel", "end", "quit"}
START_WORDS = {"mulai", "start", "unstop", "subscribe"}
TRANSCRIPT_TURNS = 10
#: A question is asked at most this often without progress; then a person takes over.
MAX_ASKS = 2
ASKED = "asked"
#: The menu's step after a reply that answered the customer (not a question asked again).
ANSWERED = "answered"
#: The menu's step after "sudah" alone was asked whether it means paid.
DONE_ASKED = "done_asked"
#: The key noting that the last turn recorded something.
RECORDED = "recorded"
#: The key marking a reply given beside the flow (the balance asked mid-promise).
ASIDE = "aside"
#: The records a "sudah, makasih" right after them thanks for.
RECORDS = (RecordPromise, RecordPaymentClaim, OpenCase)
#: Why a person is asked for when the customer wants a copy of an invoice.
COPY = Word("why.invoice_copy")
#: Why a person is asked for when no flow answers the message well.
FOR_A_PERSON = Word("why.for_a_person")
#: A greeting opens the menu without "not understood".
GREETINGS = frozenset(
    {"halo", "hallo", "hai", "hi", "hello", "pagi", "siang", "sore", "malam", "permisi"}
    | {"selamat pagi", "selamat siang", "selamat sore", "selamat malam", "assalamualaikum"}
)
MENU_PAYLOADS = {
    "menu:paid": "paid",
    "menu:promise": "promise",
    "menu:method": "method",
    "menu:dispute": "dispute",
    "menu:instalment": "instalment",
    "menu:handoff": "handoff",
}
INTENT_FLOWS = {
    Intent.PAID: "paid",
    Intent.PROMISE: "promise",
    Intent.METHOD: "method",
    Intent.DISPUTE: "dispute",
    Intent.INSTALMENT: "instalment",
    Intent.HANDOFF: "handoff",
}


def menu_options(language: str) -> tuple[Option, ...]:
    """The main menu, in the customer's language."""
    return tuple(
        Option(t(f"opt_{flow}", language), payload) for payload, flow in MENU_PAYLOADS.items()
    )


def menu_reply(language: str, preface: str | None = None) -> Reply:
    """The main menu, optionally after a sentence."""
    text = t("menu", language)
    return Reply(f"{preface}\n{text}" if preface else text, menu_options(language))


def picked(text: str, data: dict[str, Any], *, in_menu: bool) -> str | None:
    """The payload of a numbered option the customer typed, if any.

    With nothing offered yet (a first reply to a reminder, which lists the menu by
    number), the numbers pick from the main menu.
    """
    options = data.get("options") or (list(MENU_PAYLOADS) if in_menu else [])
    word = text.strip().rstrip(".)")
    if word.isdecimal() and 1 <= int(word) <= len(options):
        return str(options[int(word) - 1])
    return None


def _menu_label(text: str) -> str | None:
    """The flow whose menu label the customer typed ("ada masalah"), in either language."""
    typed = " ".join(text.lower().split())
    for flow in MENU_PAYLOADS.values():
        if typed in (t(f"opt_{flow}", "id").lower(), t(f"opt_{flow}", "en").lower()):
            return flow
    return None


def _remember(outcome: Outcome, transcript: list[str], asked: dict[str, int]) -> Outcome:
    """Keep the options just offered (for numbered answers), the recent transcript and how
    often each question was asked since the last record."""
    data = dict(outcome.state.data)
    offered = [o.payload for reply in outcome.replies for o in reply.options]
    if not data.pop(ASIDE, False):  # an aside keeps the pending question's options
        data["options"] = offered
    data["transcript"] = transcript[-TRANSCRIPT_TURNS:]
    data[ASKED] = asked
    # Whether this turn recorded a promise, a claim or a case: a "sudah, makasih" next
    # thanks for it (a way to pay chosen or a language set is not such a record).
    data[RECORDED] = any(isinstance(e, RECORDS) for e in outcome.effects)
    return Outcome(
        outcome.replies, State(outcome.state.flow, outcome.state.step, data), outcome.effects
    )


def _balance(facts: Facts) -> str:
    """The open invoices, each with its balance and due date, and the total per currency."""
    lang = facts.language
    lines = "\n".join(
        t(
            "balance_line",
            lang,
            number=invoice.number,
            amount=format_money(invoice.balance, invoice.currency, lang),
            due=format_date(invoice.due_date, lang),
        )
        for invoice in sorted(facts.invoices, key=lambda i: (i.due_date, i.number))
    )
    return t("balance", lang, lines=lines, total=totals_text(facts.invoices, lang))


def _for_a_person(text: str) -> bool:
    """A message no flow answers and a person should read; one a flow understands ("kok ada
    denda? sy ga pernah setuju" is a dispute, which records a case) goes to that flow."""
    return classify(text) is Intent.UNKNOWN and needs_person(text)


def _cancels(text: str, channel: str) -> bool:
    """Whether the reply drops the question being asked ("batal", "gak jadi", "cancel").

    On SMS a bare CANCEL is one of the carriers' opt-out keywords (the provider stops the
    number whatever we answer), so there it stays an opt-out.
    """
    bare = text.strip().lower().strip("!.")
    return is_cancel(text) and not (channel == "sms" and bare in STOP_WORDS)


def _global(turn: Turn, facts: Facts, free_text: bool) -> Outcome | None:
    """Opt-out, opt-in and language switches, which apply whatever the state."""
    word = turn.text.strip().lower().strip("!.")
    intent = None if free_text else classify(turn.text)
    if word in STOP_WORDS or intent is Intent.OPT_OUT:
        return Outcome((Reply(t("opted_out", facts.language)),), State(), (OptOut(),))
    if word in START_WORDS or intent is Intent.OPT_IN:
        return Outcome(
            (menu_reply(facts.language, t("opted_in", facts.language)),), State(), (OptIn(),)
        )
    if intent is Intent.LANGUAGE:
        language = parse_language(turn.text)
        if language is not None:
            return Outcome(
                (menu_reply(language, t("language_set", language)),),
                State(),
                (SetLanguage(language),),
            )
    return None


def _voice(choice: str, facts: Facts) -> Outcome:
    """Keypad choices: the same records as the chat flows, without questions."""
    ids = tuple(invoice.id for invoice in chased(facts))  # not next month's invoice too
    if choice in ("promise_tomorrow", "promise_week"):
        days = 1 if choice == "promise_tomorrow" else 7
        when = facts.today + dt.timedelta(days=days)
        return steps.promise_recorded(facts, RecordPromise(when, None, ids), source="voice")
    if choice == "paid":
        return steps.claim_recorded(facts, None, None, ())
    return steps.handoff(facts, [f"voice: {choice}"])


def _nothing_open(turn: Turn, payload: str | None, facts: Facts, transcript: list[str]) -> Outcome:
    """Nothing to chase: say so (naming disputed invoices), and keep a person reachable."""
    if payload == "menu:handoff" or (payload is None and classify(turn.text) is Intent.HANDOFF):
        return steps.handoff(facts, transcript)
    lang = facts.language
    text = (
        t("nothing_open_disputed", lang, invoices=numbers(facts.disputed))
        if facts.disputed
        else t("nothing_open", lang)
    )
    return Outcome((Reply(text, (Option(t("opt_handoff", lang), "menu:handoff"),)),), State())


def offered(payload: str, data: dict[str, Any], channel: str) -> bool:
    """Whether `payload` is one Tagih offered this conversation.

    A button's payload comes back from the customer's device, and a modified Telegram
    client can send any callback data ("invoice:<someone else's invoice>"): only the
    options of the last question, the main menu (reminders carry it) and, on a call,
    the keypad's choices (built by Tagih from the digits) are taken.
    """
    if payload.startswith("voice:"):
        return channel == "voice"
    return payload in MENU_PAYLOADS or payload in (data.get("options") or ())


def _answer(state: State, turn: Turn, facts: Facts, transcript: list[str]) -> Outcome:
    """What this turn leads to, before the loop guard and the bookkeeping."""
    data = dict(state.data)
    free_text = state.flow == "dispute" and state.step == "details"
    if turn.payload is not None and not offered(turn.payload, data, facts.channel):
        turn = Turn(turn.text, None, turn.media)  # read as what it says, not as the button
    payload = turn.payload or picked(turn.text, data, in_menu=state.flow == "menu")
    if payload is None:
        outright = _said_outright(state, turn, facts, transcript, free_text=free_text)
        if outright is not None:
            return outright
    if payload and payload.startswith("voice:"):
        return _voice(payload.removeprefix("voice:"), facts)
    if not facts.invoices and state.flow == "menu":
        return _nothing_open(turn, payload, facts, transcript)
    if payload is None and state.step == DONE_ASKED and (is_yes(turn.text) or is_done(turn.text)):
        payload = "menu:paid"  # "sudah" → "did you mean paid?" → "ya"
    if payload in MENU_PAYLOADS:
        return steps.begin(MENU_PAYLOADS[payload], Turn(""), facts, transcript)
    if state.flow != "menu" and payload is None and not free_text and asks_balance(turn.text):
        # "total tagihan berapa?" in the middle of a promise: answered, the flow kept.
        aside = Reply(f"{_balance(facts)}\n{t('aside_pending', facts.language)}")
        return Outcome((aside,), State(state.flow, state.step, {**data, ASIDE: True}))
    if state.flow != "menu":
        outcome = steps.resume(state.flow, state.step, data, turn, payload, facts, transcript)
        if outcome is not None:
            return outcome
    flow = _flow_for(turn.text, facts)
    if flow is not None:
        return steps.begin(flow, turn, facts, transcript)
    return _unmatched(data, turn, facts, transcript)


def _said_outright(
    state: State, turn: Turn, facts: Facts, transcript: list[str], *, free_text: bool
) -> Outcome | None:
    """What applies whatever the question asked: never mind, stop and start, a language,
    a wrong number, a message for a person."""
    lang = facts.language
    if _cancels(turn.text, facts.channel):
        if state.flow != "menu":
            return Outcome((menu_reply(lang, t("flow_cancelled", lang)),), State())
        if state.data.get(RECORDED):
            # "cancel" right after a promise or claim is about that, not an opt-out: asked.
            return Outcome((menu_reply(lang, t("cancel_what", lang)),), State())
    special = _global(turn, facts, free_text)
    if special is not None:
        return special
    if state.flow == "menu" and wrong_number(turn.text):
        # A stranger holds this number: stop writing to it; the collector's opt-out alert
        # quotes the message, so the contact gets fixed.
        return Outcome((Reply(t("wrong_number", lang)),), State(), (OptOut(),))
    if state.flow != "menu" and not free_text and _for_a_person(turn.text):
        return steps.handoff(facts, transcript, why=FOR_A_PERSON)  # "belum bisa bayar…"
    return None


def _flow_for(text: str, facts: Facts) -> str | None:
    """The flow a reply at the menu starts, if any."""
    flow = INTENT_FLOWS.get(classify(text)) or _menu_label(text)
    when = parse_date(text, facts.today) if flow is None else None
    if when is not None and not parse_amount(text):
        # A bare date answers a reminder: a day to come is a promise ("jumat ya pak"), a day
        # gone is when it was paid ("sudah", then "kemarin").
        flow = "promise" if when >= facts.today else "paid"
    if flow is None and retracts(text) and not _for_a_person(text):
        flow = "promise"  # "belum bayar pak", "maaf belum transfer": so, when?
    return flow


def _unmatched(data: dict[str, Any], turn: Turn, facts: Facts, transcript: list[str]) -> Outcome:
    """A reply no flow takes: a greeting, a question answered at once, a request for a
    person, thanks, a bare "sudah", or "not understood" and the menu."""
    lang = facts.language
    if " ".join(turn.text.lower().split()).strip("!.,?") in GREETINGS:
        return Outcome((menu_reply(lang),), State())
    if asks_balance(turn.text):  # "tagihan sy brp total?": the open invoices, then the menu
        return Outcome((menu_reply(lang, _balance(facts)),), State(step=ANSWERED))
    if asks_invoice_copy(turn.text):
        named = named_invoices(turn.text, facts)  # "copy faktur inv-1": that one only
        about = narrowed(facts, named) if named else facts
        reply = t("invoice_copy", lang)
        return steps.handoff(about, transcript, reason="invoice_copy", why=COPY, reply=reply)
    if _for_a_person(turn.text):  # hardship, a deal, fees, doubt, anger: a person reads it
        return steps.handoff(facts, transcript, why=FOR_A_PERSON)
    # "ok makasih pak 🙏", or "sudah ya pak, makasih" right after a record: a polite word.
    if is_thanks(turn.text) or (is_done(turn.text) and data.get(RECORDED)):
        return Outcome((Reply(t("thanks_reply", lang)),), State(step=ANSWERED))
    if is_done(turn.text):
        # "sudah" out of the blue may mean "paid": asked, not guessed; a "ya" starts the claim.
        return Outcome((menu_reply(lang, t("done_reply", lang)),), State(step=DONE_ASKED))
    return Outcome((menu_reply(lang, t("not_understood", lang)),), State())


def question(outcome: Outcome) -> str | None:
    """The question an outcome leaves the customer with (`flow:step`); None after a record
    or an answer (thanks acknowledged, the balance told): both are progress."""
    if outcome.effects or outcome.state.step == ANSWERED or outcome.state.data.get(ASIDE):
        return None
    return f"{outcome.state.flow}:{outcome.state.step}"


def _guarded(
    state: State, outcome: Outcome, facts: Facts, transcript: list[str]
) -> tuple[Outcome, dict[str, int]]:
    """Count each question since the last record; a third time, a person takes over.

    A customer who twice failed to get past a question will not on the third try either:
    asking again is how a conversation loops forever.
    """
    asked = {str(k): int(v) for k, v in dict(state.data.get(ASKED) or {}).items()}
    if outcome.state.data.get(ASIDE):
        return outcome, asked  # an aside is no progress on the question: counts kept
    key = question(outcome)
    if key is None:
        return outcome, {}  # progress: the counts start over
    asked[key] = asked.get(key, 0) + 1
    if asked[key] <= MAX_ASKS:
        return outcome, asked
    stuck = steps.handoff(
        facts,
        transcript,
        reason="stuck",
        why=Word("why.stuck", (("asked", key), ("count", MAX_ASKS))),
        reply=t("handoff_stuck", facts.language),
    )
    return stuck, {}


def step(state: State, turn: Turn, facts: Facts) -> Outcome:
    """One turn of the customer conversation."""
    transcript = [*list(state.data.get("transcript", [])), turn.text or (turn.payload or "")]
    outcome, asked = _guarded(state, _answer(state, turn, facts, transcript), facts, transcript)
    return _remember(outcome, transcript, asked)
