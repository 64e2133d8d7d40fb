"""Values the sandbox Bot API records and answers with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class ApiError(Exception):
    """A Bot API error answer: HTTP status, description and, for 429, the wait."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        """Remember what to answer."""
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        """The JSON answer, shaped like Telegram's."""
        body: dict[str, Any] = {"ok": False, "error_code": self.code}
        body["description"] = self.description
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass(frozen=True, slots=True)
class SentMessage:
    """A message the bot sent, as the sandbox received it (`at` is the sandbox clock)."""

    chat_id: int
    message_id: int
    text: str
    reply_markup: dict[str, Any] | None
    at: float
    photo: bytes | None = None  # the uploaded file of a sendPhoto (`text` is its caption)


@dataclass(frozen=True, slots=True)
class ApiRequest:
    """One answered Bot API call: when (sandbox clock), method, params, HTTP status."""

    at: float
    method: str
    params: dict[str, Any]
    status: int
