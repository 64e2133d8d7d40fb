"""The sandbox's Bot API state: chats, messages, callback queries, flood limits."""

from __future__ import annotations

import itertools
import math
import time
from collections import deque
from typing import Any, NoReturn

from bot.sandbox.telegram_media import caption_of, photo_sizes, photo_upload
from bot.sandbox.telegram_types import ApiError, SentMessage
from bot.sandbox.telegram_updates import UpdateQueue

#: Telegram's limits for bots: one message a second per chat, thirty a second overall.
CHAT_INTERVAL = 1.0
GLOBAL_PER_SECOND = 30
#: Tolerance for float clocks (1/30 s steps do not add up to exactly 1 s).
_EPSILON = 1e-6
#: Requests paced a second apart may arrive closer together (network and scheduling
#: jitter); Telegram's per-chat limit is approximate, so the sandbox allows this much.
CHAT_JITTER = 0.1
#: The same allowance for the overall limit: 30 sends within any 0.97 s are refused, so a
#: bot paced at 30/s whose requests arrive up to 30 ms bunched (a loaded event loop) is not,
#: while a sustained rate more than 3 % over the limit still is.
GLOBAL_JITTER = 0.03
_ACTIONS = {
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
}  # fmt: skip
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


#: Message ids count on from the start time in tenths of a second since this epoch, so that
#: a sandbox restarted on the same database never repeats a chat's ids (Telegram's never
#: do; `chat:message` is a sent message's provider id): a chat would have to receive more
#: than ten messages a second, ten times Telegram's per-chat limit, to catch up. It stays
#: under 2**31 until 2032.
_MESSAGE_ID_EPOCH = 1_767_225_600  # 2026-01-01T00:00:00Z


def first_message_id(now: float | None = None) -> int:
    """Where a chat's message ids start in a sandbox started at `now` (wall clock)."""
    return max(1, int(((time.time() if now is None else now) - _MESSAGE_ID_EPOCH) * 10))


class BotApiState:
    """What a Bot API server remembers for one bot; every method takes checked params."""

    def __init__(self, bot_id: int, bot_username: str, *, known_chats_only: bool) -> None:
        """Start with no chats, no messages and no webhook."""
        #: The bot as messages show it; getMe adds what it can do.
        self.bot_from = {
            "id": bot_id, "is_bot": True, "first_name": "Tagih Sandbox", "username": bot_username
        }  # fmt: skip
        self.bot_user = {
            **self.bot_from, "can_join_groups": False, "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }  # fmt: skip
        self.known_chats_only = known_chats_only
        #: The id of the first message in every chat (see `first_message_id`).
        self.first_message_id = first_message_id()
        self.updates = UpdateQueue()
        self.chats: dict[int, dict[str, Any]] = {}
        self.messages: dict[int, dict[int, dict[str, Any]]] = {}
        self.sent: list[SentMessage] = []
        self.blocked: set[int] = set()
        self.queries: dict[str, dict[str, Any]] = {}
        self.answered: dict[str, dict[str, Any]] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self._query_ids = itertools.count(4_000_000_000_000_000_001)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._last_sent: dict[int, float] = {}
        self._window: deque[float] = deque()
        self._flood_until: dict[int | None, float] = {}

    # --- chats and messages -------------------------------------------------------------
    def chat(self, chat_id: int, *, first_name: str = "", username: str = "") -> dict[str, Any]:
        """The Chat object for `chat_id`, created on first use (groups have negative ids)."""
        chat = self.chats.get(chat_id)
        if chat is None:
            if chat_id < 0:
                chat = {"id": chat_id, "type": "group", "title": f"Group {-chat_id}"}
            else:
                chat = {"id": chat_id, "type": "private", "first_name": first_name or "Pelanggan"}
                if username:
                    chat["username"] = username
            self.chats[chat_id] = chat
            self.messages[chat_id] = {}
            self._message_ids[chat_id] = itertools.count(self.first_message_id)
        return chat

    def _reachable(self, chat_id: Any) -> int:
        """The chat a method addresses, if the bot may write there (else 400 or 403)."""
        if not isinstance(chat_id, int) or (self.known_chats_only and chat_id not in self.chats):
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        self.chat(chat_id)
        return chat_id

    def _store(self, chat_id: int, message: dict[str, Any]) -> dict[str, Any]:
        """Give `message` the chat's next id (users and bot share it) and keep it."""
        message = {"message_id": next(self._message_ids[chat_id]), **message}
        self.messages[chat_id][message["message_id"]] = message
        return message

    def _stored(self, chat_id: int, message_id: Any, verb: str = "edit") -> dict[str, Any]:
        found = self.messages[chat_id].get(message_id)
        if found is None:
            raise ApiError(400, f"Bad Request: message to {verb} not found")
        return found

    def _bot_message(self, chat_id: int, params: dict[str, Any]) -> dict[str, Any]:
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        message: dict[str, Any] = {
            "from": self.bot_from,
            "chat": self.chats[chat_id],
            "date": int(time.time()),
            "text": text,
        }
        markup = params.get("reply_markup")
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup  # only inline keyboards are echoed back
        return message

    # --- flood control ------------------------------------------------------------------
    def check_flood(self, chat_id: int, now: float) -> None:
        """Raise 429 when a send now would break the per-chat or overall limit."""
        for scope in (chat_id, None):
            until = self._flood_until.get(scope, 0.0)
            if now < until - _EPSILON:  # a flood wait is in force
                raise ApiError(429, *_retry(until - now))
        last = self._last_sent.get(chat_id)
        if last is not None and now - last < CHAT_INTERVAL - CHAT_JITTER:
            self.hold(chat_id, CHAT_INTERVAL - (now - last), now)
        while self._window and self._window[0] <= now - (1.0 - GLOBAL_JITTER) + _EPSILON:
            self._window.popleft()
        if len(self._window) >= GLOBAL_PER_SECOND:
            self.hold(None, self._window[0] + 1.0 - GLOBAL_JITTER - now, now)

    def hold(self, scope: int | None, wait: float, now: float) -> NoReturn:
        """Refuse sends in `scope` (a chat, or None for all) for `wait` s, and raise the 429."""
        description, retry_after = _retry(wait)
        self.note_flood(scope, retry_after, now)
        raise ApiError(429, description, retry_after)

    def note_flood(self, scope: int | None, retry_after: float, now: float) -> None:
        """Hold `scope` until `retry_after` s from now, as Telegram holds a flood wait."""
        self._flood_until[scope] = max(self._flood_until.get(scope, 0.0), now + retry_after)

    # --- methods ------------------------------------------------------------------------
    def canonical(self, name: str) -> str | None:
        """The implemented method `name` spells, ignoring case (as Telegram does)."""
        wanted = f"_m_{name}".lower()
        for owner in (self, self.updates):
            for attribute in dir(owner):
                if attribute.lower() == wanted:
                    return attribute.removeprefix("_m_")
        return None

    def implements(self, method: str) -> bool:
        """Whether the sandbox answers `method` (spelled as in the spec)."""
        return hasattr(self, f"_m_{method}") or hasattr(self.updates, f"_m_{method}")

    def call(self, method: str, params: dict[str, Any], now: float) -> Any:
        """Run one Bot API method with params already checked against the spec."""
        handler = getattr(self, f"_m_{method}", None) or getattr(self.updates, f"_m_{method}", None)
        if handler is None:
            raise ApiError(404, "Not Found")
        return handler(params, now)

    def _m_getMe(self, params: dict[str, Any], now: float) -> Any:
        return self.bot_user

    def _m_sendMessage(self, params: dict[str, Any], now: float) -> Any:
        chat_id = self._reachable(params["chat_id"])
        message = self._bot_message(chat_id, params)
        self.check_flood(chat_id, now)
        message = self._store(chat_id, message)
        self._last_sent[chat_id] = now
        self._window.append(now)
        markup = message.get("reply_markup")
        self.sent.append(SentMessage(chat_id, message["message_id"], message["text"], markup, now))
        return message

    def _m_sendPhoto(self, params: dict[str, Any], now: float) -> Any:
        chat_id = self._reachable(params["chat_id"])
        upload = photo_upload(params["photo"])
        caption = caption_of(params)
        self.check_flood(chat_id, now)
        message: dict[str, Any] = {
            "from": self.bot_from,
            "chat": self.chats[chat_id],
            "date": int(time.time()),
            "photo": photo_sizes(upload),
        }
        if caption:
            message["caption"] = caption
        markup = params.get("reply_markup")
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        message = self._store(chat_id, message)
        self._last_sent[chat_id] = now
        self._window.append(now)
        self.sent.append(
            SentMessage(
                chat_id, message["message_id"], caption, message.get("reply_markup"), now,
                photo=upload.content,
            )
        )  # fmt: skip
        return message

    def _m_editMessageText(self, params: dict[str, Any], now: float) -> Any:
        chat_id = self._reachable(params.get("chat_id"))
        old = self._stored(chat_id, params.get("message_id"))
        if "text" not in old:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        # An edit without reply_markup removes the inline keyboard.
        kept = {k: v for k, v in old.items() if k != "reply_markup"}
        new = {**kept, **self._bot_message(chat_id, params), "date": old["date"]}
        return self._replace(chat_id, old, new)

    def _m_editMessageReplyMarkup(self, params: dict[str, Any], now: float) -> Any:
        chat_id = self._reachable(params.get("chat_id"))
        old = self._stored(chat_id, params.get("message_id"))
        new = {k: v for k, v in old.items() if k != "reply_markup"}
        if params.get("reply_markup", {}).get("inline_keyboard"):
            new["reply_markup"] = params["reply_markup"]
        return self._replace(chat_id, old, new)

    def _replace(self, chat_id: int, old: dict[str, Any], new: dict[str, Any]) -> Any:
        def content(message: dict[str, Any]) -> tuple[Any, Any]:
            return message.get("text"), message.get("reply_markup")

        if content(new) == content(old):
            raise ApiError(400, _NOT_MODIFIED)
        new["edit_date"] = int(time.time())
        self.messages[chat_id][new["message_id"]] = new
        return new

    def _m_deleteMessage(self, params: dict[str, Any], now: float) -> Any:
        chat_id = self._reachable(params["chat_id"])
        del self.messages[chat_id][
            self._stored(chat_id, params["message_id"], "delete")["message_id"]
        ]
        return True

    def _m_sendChatAction(self, params: dict[str, Any], now: float) -> Any:
        self._reachable(params["chat_id"])
        if params["action"] not in _ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _m_answerCallbackQuery(self, params: dict[str, Any], now: float) -> Any:
        query_id = params["callback_query_id"]
        if query_id not in self.queries or query_id in self.answered:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        if len(params.get("text", "")) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.answered[query_id] = params
        return True

    def _m_setMyCommands(self, params: dict[str, Any], now: float) -> Any:
        self.commands[_scope(params)] = params["commands"]
        return True

    def _m_getMyCommands(self, params: dict[str, Any], now: float) -> Any:
        return self.commands.get(_scope(params), [])

    def _m_deleteMyCommands(self, params: dict[str, Any], now: float) -> Any:
        self.commands.pop(_scope(params), None)
        return True

    def _m_close(self, params: dict[str, Any], now: float) -> Any:
        return True

    def _m_logOut(self, params: dict[str, Any], now: float) -> Any:
        return True

    # --- users --------------------------------------------------------------------------
    def user_message(
        self, chat_id: int, text: str, *, first_name: str, username: str | None
    ) -> dict[str, Any]:
        """The Update for a private-chat user writing `text` (a leading command gets an entity)."""
        user: dict[str, Any] = {"id": chat_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        user["language_code"] = "id"
        chat = self.chat(chat_id, first_name=first_name, username=username or "")
        message: dict[str, Any] = {"from": user, "chat": chat, "date": int(time.time())}
        message["text"] = text
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            length = len(command.encode("utf-16-le")) // 2  # entities count UTF-16 units
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self.updates.new("message", self._store(chat_id, message))

    def user_photo(self, chat_id: int, caption: str, *, first_name: str) -> dict[str, Any]:
        """The Update for a user sending a photo (a transfer receipt, say) with a caption."""
        update = self.user_message(chat_id, "", first_name=first_name, username=None)
        message = update["message"]
        del message["text"]
        unique = f"{chat_id}-{message['message_id']}"
        message["photo"] = [
            {
                "file_id": f"photo-{unique}",
                "file_unique_id": unique,
                "width": 800,
                "height": 1200,
                "file_size": 84_000,
            }
        ]
        if caption:
            message["caption"] = caption
        return update

    def user_press(self, chat_id: int, message_id: int, data: str) -> dict[str, Any]:
        """The Update for a user pressing the inline button carrying `data` under a message."""
        message = self.messages.get(chat_id, {}).get(message_id)
        if message is None:
            raise KeyError(f"chat {chat_id} has no message {message_id}")
        rows: list[list[dict[str, Any]]] = message.get("reply_markup", {}).get(
            "inline_keyboard", []
        )
        if not any(button.get("callback_data") == data for row in rows for button in row):
            raise ValueError(f"message {message_id} has no button with callback_data {data!r}")
        chat = self.chats[chat_id]
        user = {"id": chat_id, "is_bot": False, "first_name": chat.get("first_name", "Pelanggan")}
        query_id = str(next(self._query_ids))
        query: dict[str, Any] = {
            "id": query_id,
            "from": user,
            "message": message,
            "chat_instance": str(-1 - chat_id * 7919 % 10**18),  # any stable per-chat string
            "data": data,
        }
        self.queries[query_id] = query
        return self.updates.new("callback_query", query)


def _retry(wait: float) -> tuple[str, int]:
    seconds = max(1, math.ceil(wait - _EPSILON))
    return f"Too Many Requests: retry after {seconds}", seconds


def _scope(params: dict[str, Any]) -> str:
    scope = params.get("scope") or {"type": "default"}
    return f"{sorted(scope.items())}:{params.get('language_code', '')}"
