"""Reading a customer's emailed reply: who wrote, to which of our messages, and what is new.

Pure functions over the raw RFC 5322 bytes (no IMAP, no storage): the poller in
bot/inbound/email_replies.py keeps what `parse_reply` returns and the inbox applies it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage, Message
from email.policy import default as default_policy
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser
from typing import Any, cast

#: Longest provider id the inbox and the communication log hold.
MAX_ID = 128

# An attribution line ends the new text. Gmail wraps a long one over two lines, so a line is
# also tried joined with the next.
_ATTRIBUTION = (
    re.compile(r"^\s*On\b.{0,300}\bwrote:\s*$", re.IGNORECASE),
    re.compile(r"^\s*Pada\b.{0,300}\bmenulis:\s*$", re.IGNORECASE),
    re.compile(r"^\s*Le\b.{0,300}\ba écrit\s*:\s*$", re.IGNORECASE),
)
_SEPARATOR = re.compile(
    r"^\s*(-{2,}\s*(Original Message|Pesan Asli|Forwarded message|Pesan yang diteruskan)"
    r"\s*-{2,}|_{10,})\s*$",
    re.IGNORECASE,
)
# Outlook quotes a header block, not an attribution: "From:" followed by Sent/To/Subject.
_OUTLOOK_FROM = re.compile(r"^\s*\**(From|Dari)\s*:\**\s*\S", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(
    r"^\s*\**(Sent|Date|To|Cc|Subject|Dikirim|Tanggal|Kepada|Subjek|Perihal)\s*:",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^-- ?$")
_MOBILE = re.compile(
    r"^\s*(Sent from my|Sent from Outlook|Get Outlook for|Dikirim dari|Kirim dari)\b",
    re.IGNORECASE,
)
_AUTO_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[ -]?reply|out of (the )?office|balasan otomatis|sedang cuti|"
    r"di luar kantor|autoreply|undeliverable|delivery status notification|"
    r"mail delivery (failed|failure))",
    re.IGNORECASE,
)
# A sign-off ("Salam,\nBudi") closes the new text; what follows it is a name, not a request.
_VALEDICTION = re.compile(
    r"^\s*(salam|hormat (saya|kami)|regards|best regards|kind regards|thanks|thank you|"
    r"terima ?kasih|makasih|tks|thx|wassalam)( banyak| atas perhatian\w*| sebelumnya)?"
    r"\s*[,.!]*\s*$",
    re.IGNORECASE,
)
_DAEMON = re.compile(r"^(mailer-daemon|postmaster)@", re.IGNORECASE)
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


@dataclass(frozen=True, slots=True)
class EmailReply:
    """One received email, as the inbox keeps it."""

    #: The provider id: the Message-ID (hashed when longer than the log holds).
    provider_id: str
    sender: str
    sender_name: str
    subject: str
    #: Our Message-IDs this mail answers (In-Reply-To first, then References, newest first).
    thread: tuple[str, ...]
    #: The reply's own text, quoted history and signature removed.
    text: str
    #: Why this is not a conversation ("auto-submitted: auto-replied", "bounce"), or "".
    auto: str = ""
    #: For a bounce: the Message-ID of our mail that bounced, and the failed address.
    bounced_id: str = ""
    bounced_to: str = ""
    #: The Message-ID as written, for the In-Reply-To of our answer.
    message_id: str = ""
    #: Attachments (a transfer receipt), each as `email-attachment:<Message-ID>/<n>/<name>`:
    #: the mail stays in the mailbox, so the reference finds the file again, as a Telegram
    #: file id does.
    attachments: tuple[str, ...] = ()

    def to_payload(self) -> dict[str, Any]:
        """The JSON the inbox keeps."""
        return {
            "provider_id": self.provider_id,
            "sender": self.sender,
            "sender_name": self.sender_name,
            "subject": self.subject,
            "thread": list(self.thread),
            "text": self.text,
            "auto": self.auto,
            "bounced_id": self.bounced_id,
            "bounced_to": self.bounced_to,
            "message_id": self.message_id,
            "attachments": list(self.attachments),
        }

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> EmailReply:
        """Back from the kept JSON."""
        return cls(
            provider_id=str(data["provider_id"]),
            sender=str(data["sender"]),
            sender_name=str(data.get("sender_name") or ""),
            subject=str(data.get("subject") or ""),
            thread=tuple(str(t) for t in data.get("thread") or ()),
            text=str(data.get("text") or ""),
            auto=str(data.get("auto") or ""),
            bounced_id=str(data.get("bounced_id") or ""),
            bounced_to=str(data.get("bounced_to") or ""),
            attachments=tuple(str(a) for a in data.get("attachments") or ()),
            message_id=str(data.get("message_id") or ""),
        )


def normalize_address(address: str) -> str:
    """An address as contacts are stored: domain lowercased, local part as written."""
    local, at, domain = address.strip().rpartition("@")
    return f"{local}@{domain.lower()}" if at else address.strip()


def provider_id_of(message_id: str, raw: bytes) -> str:
    """The Message-ID, or a digest of it when too long (or of the mail when it has none)."""
    if message_id and len(message_id) <= MAX_ID:
        return message_id
    digest = hashlib.sha256((message_id or "").encode() or raw).hexdigest()
    return f"<sha256-{digest[:48]}@tagih.invalid>"


def _header(mail: Message, name: str) -> str:
    """A header decoded (RFC 2047), on one line; "" when missing or unreadable."""
    try:
        value = mail.get(name)
    except (ValueError, IndexError, LookupError):  # a malformed header must not lose the mail
        value = None
    return " ".join(str(value).split()) if value is not None else ""


def _ids(value: str) -> list[str]:
    """The Message-IDs in an In-Reply-To or References header."""
    return _MESSAGE_ID.findall(value)


def auto_reason(mail: Message, sender: str, subject: str) -> str:
    """Why a mail is machine-written (RFC 3834, bulk, out-of-office, bounce), or ""."""
    content_type = mail.get_content_type()
    report = str(mail.get_param("report-type", "", header="content-type") or "").lower()
    if content_type == "multipart/report" and report == "delivery-status":
        return "bounce"
    if _DAEMON.match(sender):
        return "bounce"
    submitted = _header(mail, "Auto-Submitted").lower()
    if submitted and submitted != "no":
        return f"auto-submitted: {submitted}"
    precedence = _header(mail, "Precedence").lower()
    if precedence in ("bulk", "list", "junk", "auto_reply"):
        return f"precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress-Reply"):
        if _header(mail, name):
            return name.lower()
    if _header(mail, "List-Id") or _header(mail, "List-Unsubscribe"):
        return "mailing list"
    if _AUTO_SUBJECT.match(subject):
        return "auto-reply subject"
    return ""


def _bounce_details(mail: Message) -> tuple[str, str]:
    """(Message-ID of the bounced mail, the failed recipient) from a delivery report."""
    bounced_id = failed = ""
    for part in mail.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            for block in part.get_payload() or []:
                if not isinstance(block, Message):
                    continue
                recipient = _header(block, "Final-Recipient") or _header(
                    block, "Original-Recipient"
                )
                if recipient and not failed:
                    failed = normalize_address(recipient.rpartition(";")[2])
        elif kind in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
            if kind == "message/rfc822":
                inner = part.get_payload()
                first = inner[0] if isinstance(inner, list) and inner else None
                headers = first if isinstance(first, Message) else None
            else:
                payload = part.get_payload(decode=True)
                text = payload if isinstance(payload, bytes) else b""
                headers = message_from_bytes(text, policy=default_policy)
            if headers is not None and not bounced_id:
                found = _ids(_header(headers, "Message-ID"))
                bounced_id = found[0] if found else ""
    return bounced_id, failed


class _HtmlText(HTMLParser):
    """HTML to plain text: blocks become lines; quoted history (blockquote) is left out."""

    _BLOCKS = frozenset(
        {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "hr"}
    )
    _SKIP = frozenset({"style", "script", "head", "title", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open a block (a new line) or a part left out."""
        classes = " ".join(value or "" for name, value in attrs if name in ("class", "id"))
        # Gmail and Outlook wrap the quoted history in these; what follows is not new text.
        quoted = "gmail_quote" in classes or "divRplyFwdMsg" in classes
        if tag in self._SKIP or (quoted and tag == "div") or self._skipping:
            if tag not in ("br", "hr", "img", "meta", "link", "input"):
                self._skipping.append(tag)
            return
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        """Close a block or a part left out."""
        if self._skipping:
            if self._skipping[-1] == tag:
                self._skipping.pop()
            return
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        """Text, its whitespace collapsed as a browser would."""
        if not self._skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """The readable text of an HTML mail body, one line per block."""
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    lines = (line.strip() for line in "".join(parser.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def strip_quoted(text: str) -> str:
    """The new text of a reply: quoted history, attribution, signature, "Sent from" cut."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if any(p.match(line) or p.match(f"{line} {nxt}") for p in _ATTRIBUTION):
            break
        if _SEPARATOR.match(line) or _SIGNATURE.match(line) or _MOBILE.match(line):
            break
        following = lines[i + 1 : i + 5]
        if _OUTLOOK_FROM.match(line) and any(_OUTLOOK_NEXT.match(x) for x in following):
            break
        if line.lstrip().startswith(">"):
            continue  # quoted between new lines (inline answers keep their own text)
        kept.append(line.rstrip())
    while kept and not kept[-1].strip():
        kept.pop()
    for i in range(len(kept) - 1, 0, -1):
        tail = [x for x in kept[i + 1 :] if x.strip()]
        if len(kept) - i > 5 or any(len(x) > 40 for x in tail):
            break
        if _VALEDICTION.match(kept[i]) and any(x.strip() for x in kept[:i]):
            del kept[i:]
            break
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def _text_of(part: Message) -> str:
    """A text part decoded by its charset; unknown charsets read as UTF-8 with replacements."""
    try:
        content = cast(EmailMessage, part).get_content()
        if isinstance(content, str):
            return content
    except (LookupError, UnicodeError, KeyError, AssertionError):
        pass
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def body_text(mail: EmailMessage) -> str:
    """The body as plain text: text/plain preferred, else HTML converted."""
    part = mail.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = _text_of(part)
    if part.get_content_type() == "text/html":
        return html_to_text(text)
    return text


#: Files a customer sends as proof of payment; a signature's logo or a vCard is not one.
RECEIPT_TYPES = ("image/", "application/pdf")
#: Attachments kept per mail (a reply with fifty images is not fifty receipts).
MAX_ATTACHMENTS = 5


def attachments(mail: EmailMessage, message_id: str) -> tuple[str, ...]:
    """References to the mail's receipt-like attachments (images and PDFs), in order."""
    found: list[str] = []
    for index, part in enumerate(mail.iter_attachments()):
        kind = part.get_content_type()
        if not kind.startswith(RECEIPT_TYPES) or len(found) == MAX_ATTACHMENTS:
            continue
        name = "".join(c if c.isalnum() or c in "._-" else "_" for c in part.get_filename() or "")
        mail_id = message_id.strip("<>")
        found.append(f"email-attachment:{mail_id}/{index}/{name[:80] or kind.replace('/', '.')}")
    return tuple(found)


def parse_reply(raw: bytes) -> EmailReply:
    """Everything the inbox needs of one received email."""
    mail = message_from_bytes(raw, policy=default_policy)
    name, address = parseaddr(_header(mail, "From"))
    if not address:
        # A display name with an encoded word parseaddr cannot split: take the first address.
        pairs = getaddresses([str(mail.get_all("From", failobj=[""])[0])])
        name, address = pairs[0] if pairs else ("", "")
    sender = normalize_address(address)
    subject = _header(mail, "Subject")
    found = _ids(_header(mail, "Message-ID"))
    message_id = found[0] if found else ""
    # The newest ancestor first: In-Reply-To, then References from the end.
    thread = list(dict.fromkeys([*_ids(_header(mail, "In-Reply-To"))]))
    for ref in reversed(_ids(_header(mail, "References"))):
        if ref not in thread:
            thread.append(ref)
    auto = auto_reason(mail, sender, subject)
    bounced_id = bounced_to = ""
    if auto == "bounce":
        bounced_id, bounced_to = _bounce_details(mail)
        text = ""
    else:
        text = strip_quoted(body_text(mail))
    return EmailReply(
        provider_id=provider_id_of(message_id, raw),
        sender=sender,
        sender_name=name,
        subject=subject,
        thread=tuple(thread),
        text=text,
        auto=auto,
        bounced_id=bounced_id,
        bounced_to=bounced_to,
        message_id=message_id,
        attachments=attachments(mail, message_id) if not auto else (),
    )


def reply_subject(subject: str) -> str:
    """ "Re: " before a subject unless it already answers one."""
    subject = " ".join(subject.split())
    if re.match(r"^(re|aw|balas)\s*:", subject, re.IGNORECASE):
        return subject
    return f"Re: {subject}" if subject else "Re:"
