"""TwiML for reminder calls: speak the reminder, then a keypad menu mapped to flow choices."""

from __future__ import annotations

from twilio.twiml.voice_response import VoiceResponse

from bot.channels.twilio_base import webhook_url

#: Twilio `<Say language>` per Tagih language (the voice is the account's default for it).
VOICE_LANGUAGES = {"id": "id-ID", "en": "en-US"}

#: Keypad choices, as the flows understand them.
CHOICES = frozenset(
    {"paid", "promise_menu", "promise_tomorrow", "promise_week", "handoff", "repeat"}
)

_DIGITS = {
    ("menu", "1"): "paid",
    ("menu", "2"): "promise_menu",
    ("menu", "3"): "handoff",
    ("menu", "9"): "repeat",
    ("promise", "1"): "promise_tomorrow",
    ("promise", "2"): "promise_week",
    ("promise", "3"): "handoff",
}

PROMPTS: dict[str, dict[str, str]] = {
    "id": {
        "menu": (
            "Jika Anda sudah membayar, tekan 1. Untuk menjanjikan tanggal pembayaran, tekan 2. "
            "Untuk berbicara dengan petugas penagihan kami, tekan 3. Untuk mengulang, tekan 9."
        ),
        "promise": (
            "Kapan Anda akan membayar? Besok, tekan 1. Dalam satu minggu, tekan 2. "
            "Untuk berbicara dengan petugas kami, tekan 3."
        ),
        "invalid": "Maaf, pilihan tersebut tidak tersedia.",
        "no_input": "Kami tidak menerima pilihan Anda. Terima kasih, selamat beraktivitas.",
        "goodbye": "Terima kasih atas perhatian Anda. Sampai jumpa.",
    },
    "en": {
        "menu": (
            "If you have already paid, press 1. To promise a payment date, press 2. "
            "To talk to one of our collectors, press 3. To hear this again, press 9."
        ),
        "promise": (
            "When will you pay? Tomorrow, press 1. Within a week, press 2. "
            "To talk to one of our collectors, press 3."
        ),
        "invalid": "Sorry, that is not one of the options.",
        "no_input": "We did not receive a choice. Thank you, goodbye.",
        "goodbye": "Thank you for your attention. Goodbye.",
    },
}


def prompt(key: str, language: str) -> str:
    """A spoken prompt in `language` (Indonesian when the language has no prompts)."""
    return PROMPTS.get(language, PROMPTS["id"])[key]


def voice_language(language: str) -> str:
    """The `<Say language>` code for a Tagih language."""
    return VOICE_LANGUAGES.get(language, VOICE_LANGUAGES["id"])


def voice_url(public_url: str, key: str) -> str:
    """Where Twilio fetches the call's first TwiML (`Url` of the Calls create)."""
    url = webhook_url(public_url, "/twilio/voice", key)
    assert url is not None
    return url


def gather_url(public_url: str, key: str, stage: str) -> str:
    """Where Twilio posts the digits pressed at `stage` ("menu" or "promise")."""
    url = webhook_url(public_url, "/twilio/voice/gather", key, stage=stage)
    assert url is not None
    return url


def digits_to_choice(stage: str, digits: str) -> str | None:
    """The choice keyed at a menu stage, or None for a key that means nothing there."""
    return _DIGITS.get((stage, digits.strip().rstrip("#")))


def _menu(response: VoiceResponse, stage: str, language: str, action: str) -> None:
    """A one-digit Gather speaking the stage's menu, then goodbye if nothing is pressed."""
    lang = voice_language(language)
    # The prompt inside the Gather lets a caller press before it finishes.
    gather = response.gather(num_digits=1, action=action, method="POST", timeout=8)
    gather.say(prompt(stage, language), language=lang)
    response.say(prompt("no_input", language), language=lang)
    response.hangup()


def reminder_twiml(text: str, language: str, gather_url: str | None) -> str:
    """Speak the reminder, then the main menu; without a gather URL, speak and hang up."""
    response = VoiceResponse()
    response.say(text, language=voice_language(language))
    if gather_url is None:  # inline TwiML: nowhere for the digits to go
        response.say(prompt("goodbye", language), language=voice_language(language))
        response.hangup()
    else:
        _menu(response, "menu", language, gather_url)
    return str(response)


def promise_menu_twiml(language: str, gather_url: str, *, preface: str | None = None) -> str:
    """Ask when the customer will pay (1 tomorrow, 2 within a week, 3 a person)."""
    response = VoiceResponse()
    if preface:
        response.say(preface, language=voice_language(language))
    _menu(response, "promise", language, gather_url)
    return str(response)


def goodbye_twiml(text: str, language: str) -> str:
    """Say `text` and hang up."""
    response = VoiceResponse()
    response.say(text, language=voice_language(language))
    response.hangup()
    return str(response)
