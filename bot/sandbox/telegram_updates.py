"""The sandbox's update side: webhook registration and the getUpdates queue."""

from __future__ import annotations

import itertools
import re
import time
from typing import Any

from bot.sandbox.telegram_types import ApiError

#: What Telegram sends when a bot never said (it leaves out reactions and chat members).
DEFAULT_UPDATES = frozenset({"message", "edited_message", "callback_query", "my_chat_member"})
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class UpdateQueue:
    """Updates waiting for getUpdates, or the webhook they are POSTed to instead."""

    def __init__(self) -> None:
        """No webhook, nothing pending."""
        self.webhook: dict[str, Any] | None = None
        self.allowed: frozenset[str] = DEFAULT_UPDATES
        self.pending: list[dict[str, Any]] = []
        self.last_error: tuple[int, str] | None = None
        # From the start time in microseconds (under Telegram's 52 bits until 2112): a
        # restarted sandbox never repeats an update_id, which Tagih's inbox deduplicates on.
        self._ids = itertools.count(int(time.time() * 1_000_000))

    def new(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        """An Update of `kind` with the next update_id."""
        return {"update_id": next(self._ids), kind: body}

    def wanted(self, update: dict[str, Any]) -> bool:
        """Whether the bot asked for updates of this kind (allowed_updates)."""
        return any(kind in self.allowed for kind in update if kind != "update_id")

    def _allow(self, params: dict[str, Any]) -> None:
        if "allowed_updates" in params:  # kept until changed, as Telegram does
            self.allowed = frozenset(params["allowed_updates"]) or DEFAULT_UPDATES

    def _m_setWebhook(self, params: dict[str, Any], now: float) -> Any:
        secret = params.get("secret_token")
        if secret is not None and not _SECRET.fullmatch(secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self._allow(params)
        self.webhook = params if params["url"] else None
        if params.get("drop_pending_updates"):
            self.pending.clear()
        return True

    def _m_deleteWebhook(self, params: dict[str, Any], now: float) -> Any:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self.pending.clear()
        return True

    def _m_getWebhookInfo(self, params: dict[str, Any], now: float) -> Any:
        info: dict[str, Any] = {
            "url": self.webhook["url"] if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.pending),
        }
        if self.webhook:
            info["max_connections"] = self.webhook.get("max_connections", 40)
            info["allowed_updates"] = sorted(self.allowed)
        if self.last_error:
            info["last_error_date"], info["last_error_message"] = self.last_error
        return info

    def _m_getUpdates(self, params: dict[str, Any], now: float) -> Any:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._allow(params)
        offset = params.get("offset", 0)
        if offset > 0:  # confirms every update before `offset`
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        elif offset < 0:  # only the last -offset updates; older ones are forgotten
            self.pending = self.pending[offset:]
        limit = min(max(params.get("limit", 100), 1), 100)
        return self.pending[:limit]
