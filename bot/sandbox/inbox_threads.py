"""One person's threads as the sandbox stand-ins received them, drawn per channel.

Each function reads one stand-in's records (never the database) and returns JSON-ready
items, oldest first: `{"dir": "out"|"in", "text", "at", …}` plus what the channel shows
(Telegram buttons, an email's subject, HTML body and attachments, a call's transcript).
Text is returned as typed; the page escapes it.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from typing import Any

from bot.sandbox.smtp import SmtpSink
from bot.sandbox.telegram import TelegramSandbox
from bot.sandbox.twilio import TwilioSandbox

Item = dict[str, Any]


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat() if moment is not None else None


def _stamp(seconds: object) -> str | None:
    """A Bot API `date` (Unix seconds) as ISO 8601."""
    if not isinstance(seconds, int):
        return None
    return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat()


def twilio_thread(
    twilio: TwilioSandbox,
    channel: str,
    addresses: Sequence[str],
    *,
    logged: Mapping[str, str],
    received: Iterable[tuple[str, str, dt.datetime]],
) -> list[Item]:
    """SMS or WhatsApp to and from `addresses` (E.164): what the Twilio stand-in sent and
    delivered, then what reached Tagih another way (`received`: sid, body, when).

    `logged` maps a sid to the body Tagih logged: a WhatsApp template carries only its
    ContentSid on the wire, so the rendered text comes from the log.
    """
    prefix = "whatsapp:" if channel == "whatsapp" else ""
    wanted = {prefix + a for a in addresses}
    found: list[tuple[dt.datetime, Item]] = []
    for message in twilio.messages:
        if message.to in wanted:
            text = message.body or logged.get(message.sid, "")
            item: Item = {
                "dir": "out",
                "id": message.sid,
                "text": text,
                "at": _iso(message.date_created),
                "status": message.status,
                "from": message.from_.removeprefix(prefix),
            }
            if message.content_sid:
                item["template"] = message.content_sid
            found.append((message.date_created, item))
    delivered = set()
    for message in twilio.inbound:
        if message.from_ in wanted:
            delivered.add(message.sid)
            found.append(
                (
                    message.date_created,
                    {
                        "dir": "in",
                        "id": message.sid,
                        "text": message.body,
                        "at": _iso(message.date_created),
                    },
                )
            )
    found.sort(key=lambda pair: pair[0])
    items = [item for _, item in found]
    for sid, body, at in received:
        if sid not in delivered:
            items.append({"dir": "in", "id": sid, "text": body, "at": _iso(at)})
    return items


def telegram_thread(telegram: TelegramSandbox, chat_id: int) -> list[Item]:
    """A Telegram chat as its user sees it: both sides, inline buttons, the buttons pressed."""
    pressed: dict[int, list[Item]] = {}
    for query_id, query in telegram.state.queries.items():
        message = query.get("message") or {}
        if message.get("chat", {}).get("id") != chat_id:
            continue
        answer = telegram.answered.get(query_id, {})
        pressed.setdefault(message.get("message_id", 0), []).append(
            {
                "data": query.get("data"),
                "label": _label(message, query.get("data")),
                "answer": answer.get("text", ""),
            }
        )
    items = []
    for message in telegram.history(chat_id):
        sender = message.get("from") or {}
        text = message.get("text") or message.get("caption") or ""
        item: Item = {
            "dir": "out" if sender.get("is_bot") else "in",
            "id": message["message_id"],
            "text": text,
            "at": _stamp(message.get("date")),
        }
        if "photo" in message:
            item["photo"] = True
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        if rows:
            item["buttons"] = [
                [
                    {"text": b.get("text", ""), "data": b.get("callback_data"), "url": b.get("url")}
                    for b in row
                ]
                for row in rows
            ]
        if message["message_id"] in pressed:
            item["pressed"] = pressed[message["message_id"]]
        items.append(item)
    return items


def _label(message: Mapping[str, Any], data: object) -> str:
    """The text of the button carrying `data` under `message` ("" when gone)."""
    for row in (message.get("reply_markup") or {}).get("inline_keyboard") or []:
        for button in row:
            if button.get("callback_data") == data:
                return str(button.get("text", ""))
    return ""


def email_thread(smtp: SmtpSink, addresses: Sequence[str]) -> list[Item]:
    """Mail the SMTP stand-in accepted for `addresses`: subject, text, HTML, attachments."""
    wanted = {a.lower() for a in addresses}
    items = []
    for index, mail in enumerate(smtp.messages):
        recipients = {str(r).lower() for r in mail.get_all("Delivered-To", [])}
        if recipients & wanted:
            items.append(_mail_item(index, mail))
    return items


def _mail_item(index: int, mail: EmailMessage) -> Item:
    date = mail["Date"]
    html = mail.get_body(preferencelist=("html",))
    plain = mail.get_body(preferencelist=("plain",))
    attachments = []
    for part in mail.iter_attachments():
        payload = part.get_payload(decode=True)
        attachments.append(
            {
                "name": part.get_filename() or "",
                "type": part.get_content_type(),
                "size": len(payload) if isinstance(payload, bytes) else 0,
            }
        )
    return {
        "dir": "out",
        "id": index,
        "subject": str(mail["Subject"] or ""),
        "from": parseaddr(str(mail["From"] or ""))[1],
        "text": plain.get_content() if isinstance(plain, EmailMessage) else "",
        "html": html.get_content() if isinstance(html, EmailMessage) else "",
        "attachments": attachments,
        "at": _iso(parsedate_to_datetime(str(date))) if date else None,
    }


def voice_thread(
    twilio: TwilioSandbox, numbers: Sequence[str], pressed: Mapping[str, Sequence[str]]
) -> list[Item]:
    """The calls the Twilio stand-in placed to `numbers`, each with its transcript: what
    the TwiML said, and the keys pressed (`pressed`: call sid → digits, in order)."""
    items = []
    for call in twilio.calls:
        if call.to not in numbers:
            continue
        transcript: list[Item] = []
        keys = list(pressed.get(call.sid, ()))
        for index, document in enumerate(call.documents):
            transcript.extend({"dir": "out", "text": said} for said in spoken(document))
            if index < len(keys):
                transcript.append({"dir": "in", "text": keys[index]})
        items.append(
            {
                "dir": "out",
                "id": call.sid,
                "kind": "call",
                "at": _iso(call.date_created),
                "status": call.status,
                "answered": bool(call.documents),
                "waiting": call.gather_action is not None,
                "from": call.from_,
                "transcript": transcript,
                "text": "",
            }
        )
    return items


def spoken(twiml: str) -> list[str]:
    """The sentences a TwiML document says, in order (nothing for a broken document)."""
    try:
        root = ET.fromstring(twiml)
    except ET.ParseError:
        return []
    return [" ".join((say.text or "").split()) for say in root.iter("Say") if say.text]
