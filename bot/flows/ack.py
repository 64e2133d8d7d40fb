"""Replies given before a conversation flow takes over: acknowledgement, neutral, bound."""

from __future__ import annotations

_ACK = {
    "id": "Terima kasih, pesan Anda sudah kami terima. Petugas kami akan menindaklanjutinya.",
    "en": "Thank you, we have received your message. Our team will follow up.",
}
# Says nothing about whether the sender owes anything: a stranger learns nothing.
_NEUTRAL = {
    "id": "Terima kasih telah menghubungi kami. Pesan ini dikirim otomatis; "
    "silakan hubungi kantor kami untuk keperluan Anda.",
    "en": "Thank you for contacting us. This is an automated number; "
    "please contact our office for any request.",
}
_BOUND = {
    "id": "Terima kasih, {name}. Chat Telegram ini sudah terhubung; pengingat dan pertanyaan "
    "tagihan akan kami kirim di sini.",
    "en": "Thank you, {name}. This Telegram chat is now linked; reminders and billing "
    "questions will come here.",
}
_BAD_LINK = {
    "id": "Tautan ini sudah tidak berlaku. Silakan gunakan tautan dari pengingat terbaru.",
    "en": "This link is no longer valid. Please use the link in the latest reminder.",
}


def _pick(texts: dict[str, str], language: str) -> str:
    return texts.get(language, texts["id"])


def acknowledgement(language: str) -> str:
    """A known customer's message was received and will be followed up."""
    return _pick(_ACK, language)


def neutral_reply(language: str) -> str:
    """The one reply an unknown sender gets: reveals nothing about any debt."""
    return _pick(_NEUTRAL, language)


def chat_bound(language: str, name: str) -> str:
    """Confirm that a Telegram chat is now linked to the customer (or staff member)."""
    return _pick(_BOUND, language).format(name=name)


def link_invalid(language: str) -> str:
    """A deep link that is unknown, used or expired."""
    return _pick(_BAD_LINK, language)
