"""What Tagih says to staff — command replies, usage, alert summaries — in Indonesian and English.

One place per text: a key names a text, `STAFF_TEXTS[key]` holds it in each language, and
`st(key, language, **values)` fills it in (the same lookup as the customers' `bot.flows.texts`).
An alert summary is raised long before anyone reads it, so it is kept as a `Summary` (keys
and typed values, stored as JSON in the alert note) and rendered in each recipient's language
at delivery, money and dates formatted for that language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from i18n.format import format_date, format_money

_COMMAND_TEXTS: dict[str, dict[str, str]] = {
    # /command usage, an example, and what it does (for /help and usage errors)
    "cmd.help.usage": {"id": "/help", "en": "/help"},
    "cmd.help.example": {"id": "/help", "en": "/help"},
    "cmd.help.summary": {"id": "daftar ini", "en": "this list"},
    "cmd.queue.usage": {"id": "/queue", "en": "/queue"},
    "cmd.queue.example": {"id": "/queue", "en": "/queue"},
    "cmd.queue.summary": {
        "id": "klaim, kasus, janji yang tidak ditepati, tunggakan",
        "en": "claims, cases, broken promises, overdue",
    },
    "cmd.customer.usage": {"id": "/customer KODE", "en": "/customer CODE"},
    "cmd.customer.example": {"id": "/customer C001", "en": "/customer C001"},
    "cmd.customer.summary": {
        "id": "faktur, janji, kasus dan pesan terakhir seorang pelanggan",
        "en": "a customer's invoices, promises, cases, last messages",
    },
    "cmd.log.usage": {"id": "/log KODE", "en": "/log CODE"},
    "cmd.log.example": {"id": "/log C001", "en": "/log C001"},
    "cmd.log.summary": {
        "id": "15 baris terakhir log pelanggan",
        "en": "the customer's last 15 log lines",
    },
    "cmd.aging.usage": {"id": "/aging [TANGGAL]", "en": "/aging [DATE]"},
    "cmd.aging.example": {"id": "/aging", "en": "/aging"},
    "cmd.aging.summary": {
        "id": "sisa tagihan menurut lama keterlambatan, dengan grafik",
        "en": "open balances by days late, a chart",
    },
    "cmd.sales.usage": {"id": "/sales [TANGGAL]", "en": "/sales [DATE]"},
    "cmd.sales.example": {"id": "/sales 2026-10-31", "en": "/sales 2026-10-31"},
    "cmd.sales.summary": {
        "id": "peringkat sales menurut piutang terlambat 60+ hari, dengan grafik",
        "en": "salespeople ranked by receivables 60+ days late, a chart",
    },
    "cmd.promises.usage": {"id": "/promises [SEJAK]", "en": "/promises [SINCE]"},
    "cmd.promises.example": {"id": "/promises 2026-10-01", "en": "/promises 2026-10-01"},
    "cmd.promises.summary": {
        "id": "janji bayar yang dibuat, ditepati dan tidak ditepati, dengan grafik",
        "en": "promises made, kept and broken, a chart",
    },
    "cmd.paid.usage": {
        "id": "/paid FAKTUR [JUMLAH] [TANGGAL]",
        "en": "/paid INVOICE [AMOUNT] [DATE]",
    },
    "cmd.paid.example": {
        "id": "/paid INV-001 2.500.000 2026-03-20",
        "en": "/paid INV-001 2.500.000 2026-03-20",
    },
    "cmd.paid.summary": {
        "id": "catat pembayaran (bawaan: seluruh sisa, hari ini)",
        "en": "record a payment (default: the whole balance, today)",
    },
    "cmd.promise.usage": {
        "id": "/promise KODE TANGGAL [JUMLAH]",
        "en": "/promise CODE DATE [AMOUNT]",
    },
    "cmd.promise.example": {
        "id": "/promise C001 2026-04-10 5jt",
        "en": "/promise C001 2026-04-10 5jt",
    },
    "cmd.promise.summary": {
        "id": "catat janji bayar yang dibuat lewat telepon",
        "en": "record a promise to pay made by phone",
    },
    "cmd.note.usage": {"id": "/note KODE TEKS", "en": "/note CODE TEXT"},
    "cmd.note.example": {
        "id": "/note C001 minta salinan faktur",
        "en": "/note C001 asked for a copy",
    },
    "cmd.note.summary": {"id": "tambah catatan", "en": "add a note"},
    "cmd.call.usage": {"id": "/call KODE HASIL", "en": "/call CODE OUTCOME"},
    "cmd.call.example": {"id": "/call C001 no_answer", "en": "/call C001 no_answer"},
    "cmd.call.summary": {
        "id": "catat hasil telepon ({outcomes}, atau teks bebas)",
        "en": "log a call ({outcomes}, or free text)",
    },
    "cmd.pause.usage": {"id": "/pause KODE [SAMPAI]", "en": "/pause CODE [UNTIL]"},
    "cmd.pause.example": {"id": "/pause C001 2026-04-01", "en": "/pause C001 2026-04-01"},
    "cmd.pause.summary": {
        "id": "tunda pengingat (bawaan 7 hari)",
        "en": "pause reminders (default 7 days)",
    },
    "cmd.resume.usage": {"id": "/resume KODE", "en": "/resume CODE"},
    "cmd.resume.example": {"id": "/resume C001", "en": "/resume C001"},
    "cmd.resume.summary": {"id": "akhiri penundaan", "en": "lift a pause"},
    "cmd.case.usage": {"id": "/case KODE resolve", "en": "/case CODE resolve"},
    "cmd.case.example": {"id": "/case C001 resolve", "en": "/case C001 resolve"},
    "cmd.case.summary": {
        "id": "selesaikan kasus terbuka, faktur sengketa kembali ditagih",
        "en": "resolve open cases, disputed invoices back to open",
    },
    "cmd.policy.usage": {
        "id": "/policy list | show NAMA | set NAMA OFFSET [repeat HARI] | "
        "channels NAMA OFFSET KANAL | assign KODE NAMA | delete NAMA",
        "en": "/policy list | show NAME | set NAME OFFSETS [repeat DAYS] | "
        "channels NAME OFFSET CHANNELS | assign CODE NAME | delete NAME",
    },
    "cmd.policy.example": {
        "id": "/policy set standard -3,1,3,7,14,28,58 repeat 30",
        "en": "/policy set standard -3,1,3,7,14,28,58 repeat 30",
    },
    "cmd.policy.summary": {"id": "kebijakan tindak lanjut", "en": "follow-up policies"},
    "cmd.template.usage": {
        "id": "/template show KUNCI [BAHASA] | set KUNCI BAHASA TEKS | reset KUNCI BAHASA",
        "en": "/template show KEY [LANG] | set KEY LANG TEXT | reset KEY LANG",
    },
    "cmd.template.example": {
        "id": "/template set reminder.short id Yth. {{{{ customer_name }}}}, mohon dibayar. "
        "- {{{{ company_name }}}}",
        "en": "/template set reminder.short id Yth. {{{{ customer_name }}}}, mohon dibayar. "
        "- {{{{ company_name }}}}",
    },
    "cmd.template.summary": {"id": "templat pesan", "en": "message templates"},
    "cmd.window.usage": {"id": "/window JJ:MM-JJ:MM [HARI]", "en": "/window HH:MM-HH:MM [DAYS]"},
    "cmd.window.example": {
        "id": "/window 08:00-20:00 mon-sat",
        "en": "/window 08:00-20:00 mon-sat",
    },
    "cmd.window.summary": {"id": "jam dan hari kontak", "en": "contact hours and weekdays"},
    "cmd.sendtime.usage": {"id": "/sendtime JJ:MM", "en": "/sendtime HH:MM"},
    "cmd.sendtime.example": {"id": "/sendtime 09:00", "en": "/sendtime 09:00"},
    "cmd.sendtime.summary": {"id": "jam kirim harian", "en": "daily send time"},
    "cmd.holidays.usage": {"id": "/holidays on|off", "en": "/holidays on|off"},
    "cmd.holidays.example": {"id": "/holidays on", "en": "/holidays on"},
    "cmd.holidays.summary": {"id": "lewati hari libur", "en": "skip holidays"},
    "cmd.staff.usage": {
        "id": "/staff list | add NAMA PERAN | role NAMA PERAN | remove NAMA",
        "en": "/staff list | add NAME ROLE | role NAME ROLE | remove NAME",
    },
    "cmd.staff.example": {
        "id": "/staff add Budi Santoso collector",
        "en": "/staff add Budi Santoso collector",
    },
    "cmd.staff.summary": {
        "id": "tim (peran: admin, collector, sales)",
        "en": "the team (roles: admin, collector, sales)",
    },
    "cmd.preview.usage": {"id": "/preview [TANGGAL]", "en": "/preview [DATE]"},
    "cmd.preview.example": {"id": "/preview 2026-04-01", "en": "/preview 2026-04-01"},
    "cmd.preview.summary": {"id": "7 hari ke depan", "en": "next 7 days"},
    "cmd.pauseall.usage": {"id": "/pauseall", "en": "/pauseall"},
    "cmd.pauseall.example": {"id": "/pauseall", "en": "/pauseall"},
    "cmd.pauseall.summary": {"id": "hentikan SEMUA pengingat", "en": "stop ALL reminders"},
    "cmd.resumeall.usage": {"id": "/resumeall", "en": "/resumeall"},
    "cmd.resumeall.example": {"id": "/resumeall", "en": "/resumeall"},
    "cmd.resumeall.summary": {"id": "akhiri /pauseall", "en": "lift /pauseall"},
}

_REPLY_TEXTS: dict[str, dict[str, str]] = {
    # the command framework
    "help.head": {"id": "Perintah untuk {name} ({role}):", "en": "Commands for {name} ({role}):"},
    "help.line": {
        "id": "{usage}\n    {summary} — contoh: {example}",
        "en": "{usage}\n    {summary} — e.g. {example}",
    },
    "usage": {"id": "Cara pakai: {usage}", "en": "Usage: {usage}"},
    "example": {"id": "Contoh: {example}", "en": "Example: {example}"},
    "not_allowed": {
        "id": "tidak diizinkan: /{name} tidak terbuka untuk peran Anda ({role}).",
        "en": "not allowed: /{name} is not open to your role ({role}).",
    },
    "send_help": {
        "id": "Kirim /help untuk melihat perintah yang bisa Anda pakai.",
        "en": "Send /help to see the commands you can use.",
    },
    "unknown_command": {
        "id": "Perintah /{name} tidak dikenal. Kirim /help untuk melihat perintah yang bisa "
        "Anda pakai.",
        "en": "Unknown command /{name}. Send /help to see the commands you can use.",
    },
    "no_customer": {
        "id": "Tidak ada pelanggan dengan kode {code}.",
        "en": "No customer with code {code}.",
    },
    "no_invoice": {
        "id": "Tidak ada faktur bernomor {number}.",
        "en": "No invoice numbered {number}.",
    },
    "bad_date": {
        "id": "{text} bukan tanggal yang saya pahami.",
        "en": "{text} is not a date I understand.",
    },
    "in_full": {"id": "penuh", "en": "in full"},
    "none": {"id": "  tidak ada", "en": "  none"},
    "section": {"id": "{title} ({count}):", "en": "{title} ({count}):"},
    "section_more": {"id": "  … dan {count} lagi", "en": "  … and {count} more"},
    # confirmations
    "confirm.button": {"id": "Konfirmasi", "en": "Confirm"},
    "confirm.cancel_button": {"id": "Batal", "en": "Cancel"},
    "confirm.ask": {
        "id": "{question}\nTekan Konfirmasi dalam {minutes} menit.",
        "en": "{question}\nPress Confirm within {minutes} minutes.",
    },
    "confirm.expired": {
        "id": "Tombol itu sudah kedaluwarsa atau sudah dipakai; jalankan perintahnya lagi.",
        "en": "That button has expired or was already used; run the command again.",
    },
    "confirm.not_yours": {
        "id": "tidak diizinkan: hanya admin yang meminta yang bisa mengonfirmasi ini.",
        "en": "not allowed: only the admin who asked can confirm this.",
    },
    "confirm.cancelled": {
        "id": "Dibatalkan; tidak ada yang diubah.",
        "en": "Cancelled; nothing was changed.",
    },
    # /note /call /pause /resume /case
    "note.usage": {
        "id": "Sebutkan kode pelanggan dan catatannya.",
        "en": "Give the customer code and the note.",
    },
    "note.done": {
        "id": "Catatan ditambahkan ke log {code}.",
        "en": "Note added to {code}'s log.",
    },
    "call.usage": {
        "id": "Sebutkan kode pelanggan dan hasil teleponnya ({outcomes}).",
        "en": "Give the customer code and the outcome ({outcomes}).",
    },
    "call.done": {
        "id": "Telepon dicatat untuk {code}: {outcome}.",
        "en": "Call logged for {code}: {outcome}.",
    },
    "pause.usage": {
        "id": "Sebutkan kode pelanggan dan, bila perlu, tanggal terakhir penundaan.",
        "en": "Give the customer code and optionally the last paused date.",
    },
    "past_date": {"id": "{date} sudah lewat.", "en": "{date} is in the past."},
    "pause.done": {
        "id": "Pengingat ke {code} ditunda sampai {date} (termasuk).",
        "en": "Reminders to {code} paused until {date} (inclusive).",
    },
    "one_code": {"id": "Sebutkan satu kode pelanggan.", "en": "Give one customer code."},
    "resume.not_paused": {"id": "{code} tidak sedang ditunda.", "en": "{code} was not paused."},
    "resume.done": {
        "id": "Pengingat ke {code} berlanjut pada langkah terjadwal berikutnya.",
        "en": "Reminders to {code} resume with the next planned step.",
    },
    "case.usage": {
        "id": "Sebutkan kode pelanggan dan `resolve`.",
        "en": "Give the customer code and `resolve`.",
    },
    "case.none": {"id": "{code} tidak punya kasus terbuka.", "en": "{code} has no open case."},
    "case.done": {
        "id": "{count} kasus {code} diselesaikan.",
        "en": "Resolved {count} case(s) of {code}.",
    },
    "case.done_disputed": {
        "id": "{count} kasus {code} diselesaikan; {disputed} faktur sengketa kembali ditagih.",
        "en": "Resolved {count} case(s) of {code}; {disputed} disputed invoice(s) back to open.",
    },
    # /paid /promise
    "paid.usage": {
        "id": "Sebutkan nomor faktur, lalu bila perlu jumlah dan tanggalnya.",
        "en": "Give the invoice number, then optionally the amount and the date.",
    },
    "paid.bad_extra": {
        "id": "{text} bukan jumlah maupun tanggal.",
        "en": "{text} is neither an amount nor a date.",
    },
    "paid.done_full": {
        "id": "Tercatat {amount} untuk {number} ({date}, {reference}): sekarang lunas.",
        "en": "Recorded {amount} on {number} ({date}, {reference}): now paid in full.",
    },
    "paid.done_part": {
        "id": "Tercatat {amount} untuk {number} ({date}, {reference}): sisa {left}.",
        "en": "Recorded {amount} on {number} ({date}, {reference}): {left} still open.",
    },
    "paid.already": {"id": "{number} sudah lunas.", "en": "{number} is already paid."},
    "amount_positive": {
        "id": "Jumlahnya harus lebih dari nol.",
        "en": "The amount must be more than zero.",
    },
    "paid.over": {
        "id": "Ditolak: {amount} lebih besar dari sisa tagihan {number} ({balance}). "
        "Tidak ada yang dicatat.",
        "en": "Refused: {amount} is more than the open balance of {number} ({balance}). "
        "Nothing was recorded.",
    },
    "paid.before_issue": {
        "id": "{date} sebelum {number} diterbitkan ({issued}); periksa tanggalnya.",
        "en": "{date} is before {number} was issued ({issued}); check the date.",
    },
    "paid.future": {
        "id": "Tanggal pembayaran tidak boleh di masa depan.",
        "en": "A payment date cannot be in the future.",
    },
    "paid.refusal.unknown_invoice": {"id": "Faktur tidak ditemukan.", "en": "Unknown invoice."},
    "paid.refusal.already_paid": {
        "id": "Faktur sudah lunas.",
        "en": "The invoice is already paid.",
    },
    "paid.refusal.not_positive": {
        "id": "Jumlahnya harus lebih dari nol.",
        "en": "The amount must be more than zero.",
    },
    "paid.refusal.over_balance": {
        "id": "Jumlahnya lebih besar dari sisa tagihan. Tidak ada yang dicatat.",
        "en": "The amount is more than the open balance. Nothing was recorded.",
    },
    "paid.refusal.future_date": {
        "id": "Tanggal pembayaran tidak boleh di masa depan.",
        "en": "A payment date cannot be in the future.",
    },
    "paid.refusal.too_large": {"id": "Jumlahnya terlalu besar.", "en": "The amount is too large."},
    "paid.refusal.too_old": {
        "id": "Tanggal pembayaran terlalu jauh di masa lalu.",
        "en": "The payment date is too far in the past.",
    },
    "paid.refusal.reference_taken": {
        "id": "Referensi itu sudah dipakai pembayaran lain.",
        "en": "That reference is already used by another payment.",
    },
    "paid.refusal.bad_text": {
        "id": "Teks cara bayar atau referensi tidak sah.",
        "en": "The method or reference text is not valid.",
    },
    "promise.usage": {
        "id": "Sebutkan kode pelanggan dan tanggalnya.",
        "en": "Give the customer code and the date.",
    },
    "promise.no_date": {
        "id": "{text} tidak memuat tanggal yang saya pahami.",
        "en": "{text} holds no date I understand.",
    },
    "promise.past": {
        "id": "{date} sudah lewat: janji bayar perlu tanggal mulai hari ini.",
        "en": "{date} is in the past: a promise needs a date from today on.",
    },
    "promise.over": {
        "id": "{amount} lebih dari seluruh sisa tagihan {code} ({balance}); periksa jumlahnya.",
        "en": "{amount} is more than everything {code} owes ({balance}); check the amount.",
    },
    "promise.too_far": {
        "id": "{date} terlalu jauh: janji bayar paling lambat {limit}.",
        "en": "{date} is too far: promises go up to {limit}.",
    },
    "promise.done": {
        "id": "Janji bayar dicatat untuk {code}: {amount} paling lambat {date}. "
        "Pengingat menunggu sampai saat itu.",
        "en": "Promise recorded for {code}: {amount} by {date}. Reminders wait until then.",
    },
    "promise.replaced": {
        "id": "Janji sebelumnya diganti: {earlier}.",
        "en": "It replaces the earlier promise: {earlier}.",
    },
    "promise.earlier": {"id": "{amount} paling lambat {date}", "en": "{amount} by {date}"},
    # /queue /customer /log
    "queue.mine": {"id": "Antrean Anda — {date}", "en": "Your queue — {date}"},
    "queue.team": {"id": "Antrean tim — {date}", "en": "Team queue — {date}"},
    "queue.claims": {"id": "Klaim pembayaran untuk dicek", "en": "Payment claims to verify"},
    "queue.cases": {"id": "Kasus terbuka", "en": "Open cases"},
    "queue.broken": {
        "id": "Janji tidak ditepati dalam 30 hari terakhir",
        "en": "Promises broken in the last 30 days",
    },
    "queue.overdue": {"id": "Tunggakan terbesar", "en": "Biggest overdue"},
    "queue.claim": {
        "id": "  #{id} {code}: bayar {amount} pada {date} ({age} hari lalu)",
        "en": "  #{id} {code}: paid {amount} on {date} ({age} d ago)",
    },
    "queue.case": {
        "id": "  #{id} {code}: {what} ({age} hari)",
        "en": "  #{id} {code}: {what} ({age} d)",
    },
    "queue.broken_line": {
        "id": "  {code}: janji {amount} paling lambat {date} ({source})",
        "en": "  {code}: promised {amount} by {date} ({source})",
    },
    "customer.head": {
        "id": "{name} ({code}) — penagih {collector}, sales {sales}, kebijakan {policy}",
        "en": "{name} ({code}) — collector {collector}, sales {sales}, policy {policy}",
    },
    "customer.paused": {"id": "ditunda sampai {date}", "en": "paused until {date}"},
    "customer.hold": {"id": "KREDIT DITAHAN", "en": "CREDIT HOLD"},
    "customer.late": {"id": "terlambat {days} hari", "en": "{days} d late"},
    "customer.not_due": {"id": "belum jatuh tempo", "en": "not yet due"},
    "customer.due_today": {"id": "jatuh tempo hari ini", "en": "due today"},
    "customer.disputed": {"id": " [sengketa]", "en": " [disputed]"},
    "customer.invoice": {
        "id": "  {number} jatuh tempo {date} ({when}): {amount}{status}",
        "en": "  {number} due {date} ({when}): {amount}{status}",
    },
    "customer.invoices": {"id": "Faktur terbuka", "en": "Open invoices"},
    "customer.promises": {"id": "Janji terbuka", "en": "Open promises"},
    "customer.promise": {
        "id": "  {amount} paling lambat {date} ({source})",
        "en": "  {amount} by {date} ({source})",
    },
    "customer.last": {"id": "Pesan terakhir:", "en": "Last messages:"},
    "log.head": {
        "id": "Log {name} ({code}), {count} terakhir:",
        "en": "Log of {name} ({code}), last {count}:",
    },
    "log.empty": {"id": "  belum ada catatan", "en": "  nothing logged yet"},
    # admin settings and team
    "window.usage": {
        "id": "Sebutkan jamnya sebagai JJ:MM-JJ:MM, lalu bila perlu harinya.",
        "en": "Give the hours as HH:MM-HH:MM, then optionally the weekdays.",
    },
    "window.bad_range": {
        "id": "{text} bukan rentang jam seperti 08:00-20:00.",
        "en": "{text} is not a range of hours like 08:00-20:00.",
    },
    "window.order": {
        "id": "Jam mulai {start} harus sebelum jam selesai {end} (contoh: /window 08:00-20:00).",
        "en": "The start {start} must be before the end {end} (for example: /window 08:00-20:00).",
    },
    "window.clamped": {
        "id": "Catatan: jam kirim {time} di luar rentang ini; jam kirim disesuaikan.",
        "en": "Note: the send time {time} is outside; it is clamped.",
    },
    "window.done": {
        "id": "Jendela kontak: {start}-{end}, {days}.",
        "en": "Contact window: {start}-{end}, {days}.",
    },
    "sendtime.usage": {"id": "Sebutkan satu jam.", "en": "Give one time of day."},
    "sendtime.done": {
        "id": "Pengingat dikirim pukul {time}, waktu setempat pelanggan.",
        "en": "Reminders go out at {time}, customers' local time.",
    },
    "holidays.usage": {"id": "Sebutkan on atau off.", "en": "Say on or off."},
    "holidays.on": {
        "id": "Hari libur on: tidak ada pengingat pada hari libur nasional dan cuti bersama.",
        "en": "Holidays on: no reminders on public holidays and cuti bersama.",
    },
    "holidays.off": {
        "id": "Hari libur off: pengingat tetap dikirim pada hari libur nasional dan cuti bersama.",
        "en": "Holidays off: reminders go out on public holidays and cuti bersama.",
    },
    "staff.role_usage": {
        "id": "Sebutkan nama dan peran barunya.",
        "en": "Give the name and the new role.",
    },
    "staff.self": {
        "id": "Ditolak: minta admin lain untuk mengubah atau menghapus Anda.",
        "en": "Refused: ask another admin to change or remove you.",
    },
    "staff.role_done": {"id": "{name} sekarang {role}.", "en": "{name} is now {role}."},
    "staff.removed": {
        "id": "{name} dihapus; chat mereka tidak lagi sampai ke Tagih.",
        "en": "{name} removed; their chat no longer reaches Tagih.",
    },
    "staff.list": {"id": "Tim ({count}):", "en": "Team ({count}):"},
    "staff.line": {"id": "  {name}: {role}", "en": "  {name}: {role}"},
    "staff.no_chat": {"id": "  {name}: {role} (tanpa chat)", "en": "  {name}: {role} (no chat)"},
    "staff.added": {"id": "{name} ditambahkan sebagai {role}.", "en": "{name} added as {role}."},
    "staff.link": {
        "id": "Untuk menautkan Telegram, mereka membuka t.me/<bot ini>?start={token}",
        "en": "To link their Telegram, they open t.me/<this bot>?start={token}",
    },
    "staff.unknown": {
        "id": "Tidak dikenal atau belum lengkap: /staff {text}",
        "en": "Unknown or incomplete: /staff {text}",
    },
    "preview.usage": {
        "id": "Sebutkan paling banyak satu tanggal mulai.",
        "en": "Give at most a first date.",
    },
    "preview.past": {
        "id": "{date} sudah lewat: pratinjau dimulai hari ini atau sesudahnya.",
        "en": "{date} is in the past: a preview starts today or later.",
    },
    "preview.day": {"id": "{date}: {count} kontak", "en": "{date}: {count} contact(s)"},
    "preview.channels": {"id": " — {channels}", "en": " — {channels}"},
    "preview.skipped": {"id": "; dilewati: {skips}", "en": "; skipped: {skips}"},
    "preview.head": {
        "id": "Pratinjau mulai {date}, jendela {start}-{end} {days}, kirim {send}:",
        "en": "Preview from {date}, window {start}-{end} {days}, send {send}:",
    },
    "preview.paused": {
        "id": "SEMUA PENGIRIMAN DIHENTIKAN (/resumeall): tidak ada yang benar-benar terkirim.",
        "en": "ALL SENDING IS PAUSED (/resumeall): nothing will actually go out.",
    },
    "no_args": {"id": "/{name} tidak memakai argumen.", "en": "/{name} takes no arguments."},
    "pauseall.already": {
        "id": "Semua sudah dihentikan. /resumeall menjalankannya lagi.",
        "en": "Everything is already paused. /resumeall starts it again.",
    },
    "pauseall.question": {
        "id": "Hentikan SEMUA pengingat ke SEMUA pelanggan sampai ada yang mengirim /resumeall?",
        "en": "Stop ALL reminders to ALL customers until someone sends /resumeall?",
    },
    "pauseall.done": {
        "id": "Semua pengingat dihentikan. Kirim /resumeall untuk memulai lagi.",
        "en": "All reminders are paused. Send /resumeall to start again.",
    },
    "resumeall.nothing": {"id": "Tidak ada yang dihentikan.", "en": "Nothing was paused."},
    "resumeall.done": {
        "id": "Pengingat berlanjut pada putaran kirim berikutnya.",
        "en": "Reminders resume with the next dispatch tick.",
    },
    # alert buttons
    "button.bad": {"id": "Tombol ini tidak dikenal.", "en": "Unknown button."},
    "button.refused": {
        "id": "Maaf, hanya penagih atau admin yang boleh melakukan ini.",
        "en": "Sorry, only a collector or an admin may do this.",
    },
    "button.outdated": {
        "id": "Tombol ini dari versi lama dan tidak dipakai lagi; gunakan /paid FAKTUR.",
        "en": "This button is from an older version and no longer works; use /paid INVOICE.",
    },
    "button.no_customer": {"id": "Pelanggan tidak ditemukan.", "en": "Customer not found."},
    "button.handled": {"id": "Tercatat: sudah ditangani.", "en": "Noted: handled."},
    "button.already": {
        "id": "Peringatan ini sudah ditangani.",
        "en": "This alert was already handled.",
    },
    "button.paused": {
        "id": "Pengingat untuk {name} ditunda sampai {date}.",
        "en": "Reminders to {name} are paused until {date}.",
    },
    "button.paid": {
        "id": "Dicatat lunas untuk {name}: {items}.",
        "en": "Marked paid for {name}: {items}.",
    },
    "button.nothing": {
        "id": "{name} tidak punya faktur terbuka.",
        "en": "{name} has no open invoices.",
    },
    "button.empty_log": {"id": "Log {name} masih kosong.", "en": "Nothing logged for {name} yet."},
}

_ALERT_TEXTS: dict[str, dict[str, str]] = {
    # alert summaries: raised as a Summary, rendered per recipient
    "alert.payment_claimed": {
        "id": "klaim sudah bayar: {amount} pada {date} untuk {invoices}",
        "en": "payment claimed: {amount} on {date} for {invoices}",
    },
    "alert.over_balance": {
        "id": "— LEBIH dari sisa tagihan {balance} (pelanggan sudah mengonfirmasinya)",
        "en": "— MORE than the open balance {balance} (the customer confirmed it)",
    },
    "alert.promise_made": {
        "id": "janji bayar ({source}): {amount} ({invoices}) paling lambat {date}",
        "en": "promise ({source}): {amount} ({invoices}) by {date}",
    },
    "alert.promise_broken": {
        "id": "janji tidak ditepati: {invoices} belum dibayar sampai {date}",
        "en": "promise broken: {invoices} not paid by {date}",
    },
    "alert.promise_short": {
        "id": "janji tidak ditepati: baru {received} dari {amount} yang dijanjikan untuk "
        "{invoices} dibayar sampai {date}",
        "en": "promise broken: {received} of the {amount} promised on {invoices} paid by {date}",
    },
    "alert.dispute": {
        "id": "sengketa ({reason}) atas {invoices}: {details}",
        "en": "dispute ({reason}) on {invoices}: {details}",
    },
    "alert.dispute_no_details": {
        "id": "sengketa ({reason}) atas {invoices}: (tanpa keterangan)",
        "en": "dispute ({reason}) on {invoices}: (no description)",
    },
    "alert.first_message": {"id": "pesan pertama: {text}", "en": "first message: {text}"},
    "alert.their_words": {"id": "pesannya: {text}", "en": "their message: {text}"},
    "alert.opt_out": {
        "id": "berhenti menerima pesan lewat {channel}",
        "en": "opted out of {channel}",
    },
    "alert.escalation": {"id": "{kind} ({date}): {steps}", "en": "{kind} ({date}): {steps}"},
    "alert.escalation_bare": {"id": "{kind} ({date})", "en": "{kind} ({date})"},
    "alert.research_failed": {
        "id": "tidak ada kontak yang bisa dipakai lagi: {channels} gagal permanen; "
        "cari kontak lain",
        "en": "no usable contact left: {channels} failed for good; find another contact",
    },
    "alert.research_none": {
        "id": "tidak ada kontak yang bisa dipakai: tidak ada alamat email, nomor telepon, "
        "nomor WhatsApp atau chat Telegram yang tercatat dan belum berhenti berlangganan",
        "en": "no usable contact: no email address, phone number, WhatsApp number or Telegram "
        "chat on file that has not opted out",
    },
    "alert.plan_failed": {
        "id": "Pelanggan {code} tidak bisa dijadwalkan dan tidak menerima pengingat sampai "
        "datanya diperbaiki: {error}",
        "en": "Customer {code} could not be planned and gets no reminders until their data is "
        "corrected: {error}",
    },
    "alert.instalment": {
        "id": "minta cicilan: {count} kali mulai {date}",
        "en": "instalments requested: {count} from {date}",
    },
    "alert.handoff": {"id": "{why}:\n{excerpt}", "en": "{why}:\n{excerpt}"},
    "alert.handoff_again": {
        "id": "meminta lagi — {why}:\n{excerpt}",
        "en": "asks again — {why}:\n{excerpt}",
    },
    "why.person": {
        "id": "pelanggan minta bicara dengan petugas",
        "en": "customer asks for a person",
    },
    "why.no_payment_details": {
        "id": "pelanggan bertanya cara bayar, tetapi detail pembayaran belum diatur",
        "en": "customer asks how to pay, but no payment details are configured",
    },
    "why.for_a_person": {
        "id": "pesan untuk petugas (kesulitan bayar, nego, denda, keraguan, atau marah)",
        "en": "a message for a person (hardship, a deal, fees, doubt, or anger)",
    },
    "why.invoice_copy": {
        "id": "pelanggan minta salinan faktur",
        "en": "customer asks for a copy of an invoice",
    },
    "why.stuck": {
        "id": "percakapan macet (ditanya {asked} {count} kali tanpa jawaban)",
        "en": "conversation stuck (asked {asked} {count} times without an answer)",
    },
    # words a summary refers to
    "source.chat": {"id": "chat", "en": "chat"},
    "source.voice": {"id": "telepon otomatis", "en": "voice"},
    "source.phone": {"id": "telepon", "en": "phone"},
    "source.claim": {"id": "klaim", "en": "claim"},
    "reason.wrong_invoice": {"id": "faktur salah", "en": "wrong invoice"},
    "reason.not_received": {"id": "barang/jasa belum diterima", "en": "goods not received"},
    "reason.quality": {"id": "kualitas", "en": "quality"},
    "reason.price": {"id": "harga", "en": "price"},
    "reason.other": {"id": "lainnya", "en": "other"},
    "reason.customer_request": {"id": "permintaan pelanggan", "en": "customer's request"},
    "reason.payment_details": {"id": "detail pembayaran", "en": "payment details"},
    "reason.stuck": {"id": "percakapan macet", "en": "conversation stuck"},
    "reason.invoice_copy": {"id": "salinan faktur", "en": "invoice copy"},
    "kind.call_task": {"id": "tugas telepon", "en": "call task"},
    "kind.alert_sales": {"id": "eskalasi ke sales", "en": "escalated to sales"},
    "kind.credit_hold": {"id": "kredit ditahan", "en": "credit hold"},
    "kind.agency": {"id": "agen penagihan", "en": "agency"},
}

_ALERT_VIEW_TEXTS: dict[str, dict[str, str]] = {
    # the frame around every alert: titles per kind, words, buttons
    "title.promise_made": {"id": "Janji bayar", "en": "Promise to pay"},
    "title.promise_broken": {"id": "Janji bayar tidak ditepati", "en": "Promise broken"},
    "title.payment_claimed": {
        "id": "Klaim sudah bayar, mohon cek",
        "en": "Payment claimed, verify",
    },
    "title.dispute": {"id": "Sengketa / keluhan", "en": "Dispute"},
    "title.instalment": {"id": "Permintaan cicilan", "en": "Instalment request"},
    "title.handoff": {"id": "Minta bicara dengan petugas", "en": "Asks for a person"},
    "title.opt_out": {"id": "Pelanggan berhenti menerima pesan", "en": "Customer opted out"},
    "title.call_task": {"id": "Tugas: telepon pelanggan", "en": "Task: call the customer"},
    "title.alert_sales": {"id": "Eskalasi ke sales", "en": "Escalated to sales"},
    "title.credit_hold": {"id": "Kredit ditahan (stop order)", "en": "Credit hold (stop orders)"},
    "title.agency": {"id": "Serahkan ke agen penagihan", "en": "Hand over to an agency"},
    "title.research_contact": {"id": "Kontak tidak bisa dihubungi", "en": "No usable contact"},
    "title.plan_failed": {
        "id": "Pelanggan tidak bisa dijadwalkan",
        "en": "Customer could not be planned",
    },
    "alert.word.open": {"id": "Sisa tagihan", "en": "Open"},
    "alert.word.overdue": {"id": "terlambat {days} hari", "en": "{days} days overdue"},
    "alert.word.not_due": {"id": "belum jatuh tempo", "en": "not yet due"},
    "alert.word.due": {"id": "jatuh tempo", "en": "due"},
    "alert.word.more": {"id": "dan {count} faktur lain", "en": "and {count} more invoices"},
    "alert.word.last": {"id": "Pesan terakhir:", "en": "Last messages:"},
    "alert.word.customer": {"id": "pelanggan", "en": "customer"},
    "alert.word.none": {"id": "Tidak ada faktur terbuka.", "en": "No open invoices."},
    "alert.word.email_hint": {
        "id": "Tombol tersedia di Telegram. Log lengkap: tagih log {code}",
        "en": "Buttons are in Telegram. Full log: tagih log {code}",
    },
    "alert.button.handled": {"id": "Sudah ditangani", "en": "Handled"},
    "alert.button.pause7": {"id": "Tunda 7 hari", "en": "Pause 7 days"},
    "alert.button.paid": {"id": "Tandai lunas", "en": "Mark paid"},
    "alert.button.log": {"id": "Buka log", "en": "Open log"},
    "alert.forwarded": {
        "id": "Diteruskan kepada Anda: peringatan ini tidak dapat sampai ke {names} "
        "(tidak ada chat Telegram atau email yang berfungsi; `tagih staff update` "
        "memperbaikinya).",
        "en": "Forwarded to you: this alert could not reach {names} "
        "(no working Telegram chat or email; `tagih staff update` fixes that).",
    },
}

_DIGEST_TEXTS: dict[str, dict[str, str]] = {
    # the daily and weekly digests
    "digest.collector": {"id": "Ringkasan penagihan", "en": "Collections digest"},
    "digest.sales": {"id": "Ringkasan sales", "en": "Sales digest"},
    "digest.broken": {
        "id": "Janji bayar tidak ditepati (7 hari terakhir)",
        "en": "Broken promises (last 7 days)",
    },
    "digest.new": {
        "id": "Sengketa dan permintaan baru (24 jam)",
        "en": "New disputes and requests (24 h)",
    },
    "digest.claims": {"id": "Klaim pembayaran untuk dicek", "en": "Payment claims to verify"},
    "digest.largest": {"id": "10 saldo terlambat terbesar", "en": "Ten largest overdue balances"},
    "digest.naughty": {
        "id": "Pelanggan terlambat lebih dari 30 hari",
        "en": "Customers more than 30 days late",
    },
    "digest.holds": {"id": "Kredit ditahan", "en": "Credit holds"},
    "digest.ranking": {
        "id": "Peringkat sales: porsi piutang > 60 hari",
        "en": "Salespeople ranked by share over 60 days late",
    },
    "digest.none": {"id": "— tidak ada", "en": "— none"},
    "digest.more": {"id": "… dan {count} lainnya", "en": "… and {count} more"},
    "digest.late": {"id": "terlambat {days} hari", "en": "{days} days late"},
    "digest.promised": {"id": "janji {date}", "en": "promised {date}"},
    "digest.claimed": {"id": "klaim bayar {amount}", "en": "claims {amount} paid"},
    "digest.on": {"id": "pada {date}", "en": "on {date}"},
    "digest.you": {"id": " ← Anda", "en": " ← you"},
    "digest.of": {"id": "dari {total}", "en": "of {total}"},
    "digest.dispute": {"id": "sengketa", "en": "dispute"},
    "digest.instalment": {"id": "minta cicilan", "en": "instalments"},
    "digest.handoff": {"id": "minta petugas", "en": "asks for a person"},
    "digest.contact_research": {"id": "kontak tidak terjangkau", "en": "no usable contact"},
}

_REPORT_TEXTS: dict[str, dict[str, str]] = {
    # /aging /sales /promises: the summary under the chart
    "report.scope.collector": {"id": "(pelanggan {name})", "en": "(customers of {name})"},
    "report.scope.sales": {"id": "(penjualan {name})", "en": "(sales of {name})"},
    "report.scope.all": {"id": "(semua)", "en": "(all)"},
    "report.bad_day": {
        "id": "{text} bukan tanggal sampai hari ini.",
        "en": "{text} is not a date up to today.",
    },
    "report.others": {
        "id": "Juga terbuka dalam {currencies}: lihat `tagih report`.",
        "en": "Also open in {currencies}: see `tagih report`.",
    },
    "report.aging.head": {
        "id": "Umur piutang {shown} per {date}",
        "en": "Aging {shown} as of {date}",
    },
    "report.open": {"id": "Sisa tagihan: {amount}", "en": "Open: {amount}"},
    "report.late60": {
        "id": "Terlambat lebih dari 60 hari: {share}",
        "en": "More than 60 days late: {share}",
    },
    "report.largest_bucket": {
        "id": "Kelompok terbesar: {bucket} hari ({amount})",
        "en": "Largest bucket: {bucket} days ({amount})",
    },
    "report.largest_balance": {
        "id": "Saldo terbesar: {customer} ({amount})",
        "en": "Largest balance: {customer} ({amount})",
    },
    "report.sales.head": {
        "id": "Piutang per sales {shown} per {date}",
        "en": "Receivables by salesperson {shown} as of {date}",
    },
    "report.best": {
        "id": "Terbaik: {name} ({share} terlambat 60+)",
        "en": "Best: {name} ({share} late 60+)",
    },
    "report.worst": {
        "id": "Terburuk: {name} ({share} terlambat 60+)",
        "en": "Worst: {name} ({share} late 60+)",
    },
    "report.promises.head": {
        "id": "Janji bayar {shown}{since} per {date}",
        "en": "Promises {shown}{since} as of {date}",
    },
    "report.since": {"id": " sejak {date}", "en": " since {date}"},
    "report.made": {
        "id": "Dibuat {made}: ditepati {kept}, tidak ditepati {broken}, terbuka {open}",
        "en": "Made {made}: kept {kept}, broken {broken}, open {open}",
    },
    "report.kept_rate": {"id": "Tingkat ditepati: {rate}", "en": "Kept rate: {rate}"},
    "report.lowest": {
        "id": "Tingkat ditepati terendah: {name} ({rate})",
        "en": "Lowest kept rate: {name} ({rate})",
    },
    # chart labels
    "chart.aging.title": {
        "id": "Umur piutang per {date} ({currency})",
        "en": "Aging on {date} ({currency})",
    },
    "chart.nothing_open": {"id": "Tidak ada yang terbuka.", "en": "Nothing is open."},
    "chart.others": {"id": "{count} lainnya", "en": "{count} others"},
    "chart.all_customers": {"id": "Semua pelanggan", "en": "All customers"},
    "chart.total_open": {"id": "Total sisa tagihan", "en": "Total open balance"},
    "chart.by_customer": {
        "id": "Per pelanggan, terbesar dahulu",
        "en": "By customer, largest first",
    },
    "chart.open_balance": {"id": "Sisa tagihan ({currency})", "en": "Open balance ({currency})"},
    "chart.days_past_due": {"id": "hari lewat jatuh tempo", "en": "days past due"},
    "chart.sales.title": {
        "id": "Umur piutang per sales ({currency})",
        "en": "Receivables aging by salesperson ({currency})",
    },
    "chart.share_of": {"id": " {share}% dari {total}", "en": " {share}% of {total}"},
    "chart.share_late": {
        "id": "Porsi sisa tagihan terlambat lebih dari 60 hari",
        "en": "Share of open balance more than 60 days late",
    },
    "chart.sales.subtitle": {
        "id": "Per {date}; porsi terendah di atas",
        "en": "As of {date}; lowest share ranks first",
    },
    "chart.promises.title": {"id": "Janji bayar per minggu", "en": "Promises to pay per week"},
    "chart.no_promises": {"id": "Belum ada janji bayar.", "en": "No promises yet."},
    "chart.made": {"id": "dibuat", "en": "made"},
    "chart.kept": {"id": "ditepati", "en": "kept"},
    "chart.broken": {"id": "tidak ditepati", "en": "broken"},
    "chart.week_starting": {"id": "Minggu mulai", "en": "Week starting"},
    "chart.promises": {"id": "Janji bayar", "en": "Promises"},
    "chart.up_to": {"id": "Sampai {date}", "en": "Up to {date}"},
}

_ADMIN_TEXTS: dict[str, dict[str, str]] = {
    # /policy
    "policy.unknown": {
        "id": "Tidak ada kebijakan bernama {name} (yang ada: {known}).",
        "en": "No policy named {name} (known: {known}).",
    },
    "policy.repeat": {"id": ", lalu setiap {days} hari", "en": ", then every {days} d"},
    "policy.list": {"id": "Kebijakan:", "en": "Policies:"},
    "policy.list_line": {
        "id": "{name}: {offsets} ({count} pelanggan)",
        "en": "{name}: {offsets} ({count} customers)",
    },
    "policy.show": {
        "id": "Kebijakan {name} (offset: kanal → tindakan):",
        "en": "Policy {name} (offset: channels → actions):",
    },
    "policy.show_repeat": {
        "id": "setiap {days} hari sesudahnya: {channels} → {actions}",
        "en": "every {days} d after: {channels} → {actions}",
    },
    "policy.set_usage": {
        "id": "Sebutkan nama, offset, dan bila perlu `repeat HARI`.",
        "en": "Give the name, the offsets and optionally `repeat DAYS`.",
    },
    "policy.bad_name": {
        "id": "{name} bukan nama kebijakan (huruf, angka, - _ .; paling panjang 64).",
        "en": "{name} is not a policy name (letters, digits, - _ .; up to 64).",
    },
    "policy.bad_days": {
        "id": "{text} bukan jumlah hari (0 = tidak diulang).",
        "en": "{text} is not a number of days (0 = never repeat).",
    },
    "policy.set_done": {"id": "Kebijakan {name}: {offsets}.", "en": "Policy {name}: {offsets}."},
    "policy.see_preview": {
        "id": "Lihat perubahannya dengan /preview.",
        "en": "See what changes with /preview.",
    },
    "policy.channels_usage": {
        "id": "Sebutkan nama, offset, dan kanalnya.",
        "en": "Give the name, the offset and the channels.",
    },
    "policy.bad_offset": {
        "id": "{text} bukan offset dalam hari.",
        "en": "{text} is not an offset in days.",
    },
    "policy.no_step": {
        "id": "Kebijakan {name} tidak punya langkah pada {offset}.",
        "en": "Policy {name} has no step at {offset}.",
    },
    "policy.channels_done": {
        "id": "Kebijakan {name} langkah {offset}: {channels}.",
        "en": "Policy {name} step {offset}: {channels}.",
    },
    "policy.assign_usage": {
        "id": "Sebutkan kode pelanggan dan nama kebijakan.",
        "en": "Give the customer code and the policy name.",
    },
    "policy.assign_done": {
        "id": "{code} sekarang mengikuti kebijakan {name}.",
        "en": "{code} now follows policy {name}.",
    },
    "policy.standard_kept": {
        "id": "Kebijakan standard adalah bawaan setiap pelanggan: tidak bisa dihapus.",
        "en": "The standard policy is the default of every customer: it cannot be deleted.",
    },
    "policy.in_use": {
        "id": "{count} pelanggan masih mengikuti {name}: pindahkan mereka dulu.",
        "en": "{count} customer(s) still follow {name}: assign them elsewhere first.",
    },
    "policy.delete_usage": {"id": "Sebutkan nama kebijakan.", "en": "Give the policy name."},
    "policy.delete_question": {
        "id": "Hapus kebijakan {name} ({offsets})?",
        "en": "Delete policy {name} ({offsets})?",
    },
    "policy.gone": {
        "id": "Kebijakan {name} sudah tidak ada.",
        "en": "Policy {name} is already gone.",
    },
    "policy.deleted": {"id": "Kebijakan {name} dihapus.", "en": "Policy {name} deleted."},
    "policy.usage": {
        "id": "Sebutkan apa yang dilakukan dengan kebijakan.",
        "en": "Say what to do with policies.",
    },
    "policy.unknown_sub": {
        "id": "Tidak dikenal atau belum lengkap: /policy {text}",
        "en": "Unknown or incomplete: /policy {text}",
    },
    # /template
    "template.bad_language": {
        "id": "{text} bukan bahasa (pakai {languages}).",
        "en": "{text} is not a language (use {languages}).",
    },
    "template.edited": {"id": "diubah oleh admin", "en": "edited by an admin"},
    "template.builtin": {"id": "bawaan", "en": "built in"},
    "template.show": {
        "id": "Templat {key} ({language}, {origin}):",
        "en": "Template {key} ({language}, {origin}):",
    },
    "template.variables": {"id": "Variabel: {names}", "en": "Variables: {names}"},
    "template.syntax": {
        "id": "Ditolak: kesalahan templat pada baris {line}: {message}",
        "en": "Refused: template error on line {line}: {message}",
    },
    "template.unknown": {
        "id": "Ditolak: variabel tidak dikenal {names}. Yang dikenal: {known}",
        "en": "Refused: unknown placeholder(s) {names}. Known: {known}",
    },
    "template.broken": {
        "id": "Ditolak: templat tidak bisa dirender ({error}).",
        "en": "Refused: the template does not render ({error}).",
    },
    "template.saved": {
        "id": "Templat {key} ({language}) disimpan. Pratinjau untuk {code}:",
        "en": "Template {key} ({language}) saved. Preview for {code}:",
    },
    "template.already_builtin": {
        "id": "Templat {key} ({language}) sudah bawaan.",
        "en": "Template {key} ({language}) is already the built-in one.",
    },
    "template.reset": {
        "id": "Templat {key} ({language}) kembali ke teks bawaan.",
        "en": "Template {key} ({language}) is back to the built-in text.",
    },
    "template.usage": {
        "id": "Sebutkan show, set atau reset, dan kunci templatnya.",
        "en": "Say show, set or reset, and the template key.",
    },
    "template.unknown_sub": {
        "id": "Tidak dikenal atau belum lengkap: /template {text}",
        "en": "Unknown or incomplete: /template {text}",
    },
}

_LOG_TEXTS: dict[str, dict[str, str]] = {
    # `tagih log`, `tagih audit`, /log: lines and before → after, per field
    "log.promise": {"id": "bayar {amount} paling lambat {date}", "en": "pay {amount} by {date}"},
    "log.choice": {"id": "cara bayar: {method}", "en": "payment method: {method}"},
    "log.payment": {
        "id": "{reference}: {amount} untuk {invoice} ({date})",
        "en": "{reference}: {amount} on {invoice} ({date})",
    },
    "log.audit": {"id": "{action}: {change}", "en": "{action}: {change}"},
    "value.yes": {"id": "ya", "en": "yes"},
    "value.no": {"id": "tidak", "en": "no"},
    "field.paused_until": {"id": "ditunda sampai", "en": "paused until"},
    "field.role": {"id": "peran", "en": "role"},
    "field.policy_id": {"id": "kebijakan", "en": "policy"},
    "field.credit_hold": {"id": "kredit ditahan", "en": "credit hold"},
    "field.amount": {"id": "jumlah", "en": "amount"},
    "field.balance": {"id": "sisa tagihan", "en": "balance"},
    "field.status": {"id": "status", "en": "status"},
    "field.paid_on": {"id": "tanggal bayar", "en": "paid on"},
    "field.date": {"id": "tanggal", "en": "date"},
    "field.active": {"id": "aktif", "en": "active"},
    "field.email": {"id": "email", "en": "email"},
    "field.telegram": {"id": "Telegram", "en": "Telegram"},
    "field.phone": {"id": "telepon", "en": "phone"},
    "field.language": {"id": "bahasa", "en": "language"},
    "field.paused": {"id": "dihentikan", "en": "paused"},
    "field.collector_id": {"id": "penagih", "en": "collector"},
    "field.salesperson_id": {"id": "sales", "en": "salesperson"},
    "field.steps": {"id": "langkah", "en": "steps"},
    "field.repeat_every": {"id": "diulang setiap (hari)", "en": "repeat every (days)"},
    "field.body": {"id": "teks", "en": "text"},
    "field.customer": {"id": "pelanggan", "en": "customer"},
    "field.cases": {"id": "kasus", "en": "cases"},
    "field.invoices": {"id": "faktur", "en": "invoices"},
    "field.disputed": {"id": "faktur sengketa", "en": "disputed invoices"},
    "field.open": {"id": "terbuka", "en": "open"},
    "field.paid": {"id": "lunas", "en": "paid"},
    "field.promise": {"id": "janji", "en": "promise"},
    "field.replaced": {"id": "menggantikan", "en": "replaced"},
    "field.reference": {"id": "referensi", "en": "reference"},
    "field.method": {"id": "cara bayar", "en": "method"},
    "field.start": {"id": "mulai", "en": "start"},
    "field.end": {"id": "selesai", "en": "end"},
    "field.days": {"id": "hari", "en": "days"},
    "field.send_time": {"id": "jam kirim", "en": "send time"},
    "field.holidays": {"id": "hari libur", "en": "holidays"},
    "field.text": {"id": "teks", "en": "text"},
    "field.alert": {"id": "peringatan", "en": "alert"},
    "field.kind": {"id": "jenis", "en": "kind"},
    "field.name": {"id": "nama", "en": "name"},
    "field.offset": {"id": "offset", "en": "offset"},
    "field.channels": {"id": "kanal", "en": "channels"},
    "field.actions": {"id": "tindakan", "en": "actions"},
    "field.invoice": {"id": "faktur", "en": "invoice"},
    "field.payload": {"id": "tombol", "en": "button"},
    "field.staff_id": {"id": "staf", "en": "staff"},
}

_PARSE_TEXTS: dict[str, dict[str, str]] = {
    # what the parsers shared with the CLI and the settings say, for the chat
    "parse.weekday": {
        "id": "Hari {text} tidak dikenal (pakai mon..sun).",
        "en": "Unknown weekday {text} (use mon..sun).",
    },
    "parse.backwards": {
        "id": "Rentang {text} terbalik.",
        "en": "The range {text} runs backwards.",
    },
    "parse.no_weekdays": {"id": "Tidak ada hari yang disebut.", "en": "No weekdays given."},
    "parse.role": {
        "id": "Peran {text} tidak dikenal (pakai {known}).",
        "en": "Unknown role {text} (use {known}).",
    },
    "parse.clock": {
        "id": "{text} bukan jam (JJ:MM).",
        "en": "{text} is not a time of day (HH:MM).",
    },
    "parse.offset": {
        "id": "{text} bukan jumlah hari yang bulat.",
        "en": "{text} is not a whole number of days.",
    },
    "parse.offset_twice": {
        "id": "Offset {offset} disebut dua kali.",
        "en": "Offset {offset} is given twice.",
    },
    "parse.no_offsets": {
        "id": "Sebutkan paling sedikit satu offset.",
        "en": "Give at least one offset.",
    },
    "parse.channel": {
        "id": "Kanal {text} tidak dikenal (pakai {known}).",
        "en": "Unknown channel {text} (use {known}).",
    },
    "parse.no_channels": {
        "id": "Sebutkan paling sedikit satu kanal.",
        "en": "Give at least one channel.",
    },
    "staff.error.telegram_taken": {
        "id": "ID Telegram {telegram} sudah dipakai {name}.",
        "en": "Telegram id {telegram} already belongs to {name}.",
    },
    "staff.error.name": {
        "id": "Nama harus 1-120 karakter.",
        "en": "A name of 1-120 characters is needed.",
    },
    "staff.error.other_role": {
        "id": "{name} sudah ada di tim sebagai {role}; ubah perannya dengan /staff role {name} "
        "{wanted}.",
        "en": "{name} is already on the team as {role}; change the role with /staff role "
        "{name} {wanted}.",
    },
    "staff.error.exists": {
        "id": "{name} sudah ada di tim ({role}).",
        "en": "{name} is already on the team ({role}).",
    },
    "staff.error.unknown": {
        "id": "Tidak ada staf bernama {name}.",
        "en": "No staff member named {name}.",
    },
}

_E = TypeVar("_E", bound=BaseException)

#: Every staff-facing text: key → language → text with `{placeholders}`.
STAFF_TEXTS: dict[str, dict[str, str]] = {
    **_COMMAND_TEXTS,
    **_REPLY_TEXTS,
    **_ALERT_TEXTS,
    **_ALERT_VIEW_TEXTS,
    **_DIGEST_TEXTS,
    **_REPORT_TEXTS,
    **_ADMIN_TEXTS,
    **_LOG_TEXTS,
    **_PARSE_TEXTS,
}
LANGUAGES = ("id", "en")


def st(key: str, language: str, /, **values: Any) -> str:
    """The staff text `key` in `language` (Indonesian when missing), values filled in."""
    texts = STAFF_TEXTS[key]
    return texts.get(language, texts["id"]).format(**values)


def keyed(exc: _E, key: str, **values: str | int) -> _E:
    """Mark an exception raised by code shared with the CLI with the catalog text that says
    the same in each language (the CLI keeps the exception's own message)."""
    if key not in STAFF_TEXTS:
        raise KeyError(key)
    exc.text_key = key  # type: ignore[attr-defined]
    exc.text_values = values  # type: ignore[attr-defined]
    return exc


def explain(exc: BaseException, language: str) -> str | None:
    """The catalog's words for an exception marked by `keyed`, in `language`; else None."""
    key = getattr(exc, "text_key", None)
    values = getattr(exc, "text_values", None) or {}
    return st(key, language, **values) if isinstance(key, str) and key in STAFF_TEXTS else None


def has_text(key: str) -> bool:
    """Whether the catalog holds `key`."""
    return key in STAFF_TEXTS


@dataclass(frozen=True, slots=True)
class Money:
    """An amount (or one per currency, never summed across them) shown in the reader's
    format: `Rp1.250.000` in Indonesian, `Rp1,250,000` in English."""

    amounts: tuple[tuple[Decimal, str], ...]


@dataclass(frozen=True, slots=True)
class Day:
    """A date shown in the reader's language: `25 Maret 2026` / `25 March 2026`."""

    day: dt.date


@dataclass(frozen=True, slots=True)
class Word:
    """Another catalog text (a reason, a source, a reason for a handoff), in the reader's
    language, itself with values."""

    key: str
    values: tuple[tuple[str, str | int], ...] = ()


#: A value in a stored text: plain text and numbers are shown as they are.
Value = str | int | Money | Day | Word


def money_of(amount: Decimal, currency: str) -> Money:
    """One amount in one currency."""
    return Money(((amount, currency),))


def totals(items: Iterable[tuple[Decimal, str]]) -> Money:
    """Amounts summed per currency (never across currencies), in first-seen order."""
    sums: dict[str, Decimal] = {}
    for amount, currency in items:
        sums[currency] = sums.get(currency, Decimal(0)) + amount
    return Money(tuple((amount, currency) for currency, amount in sums.items()))


@dataclass(frozen=True, slots=True)
class StaffText:
    """A catalog key with its values, rendered when the reader's language is known."""

    key: str
    values: tuple[tuple[str, Value], ...] = ()

    def render(self, language: str) -> str:
        """The text in `language`, money and dates formatted for it."""
        return st(self.key, language, **{k: _show(v, language) for k, v in self.values})

    def to_json(self) -> dict[str, Any]:
        """The stored form: JSON types only (amounts as strings, dates in ISO)."""
        return {"key": self.key, "values": {k: _dump(v) for k, v in self.values}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StaffText:
        """Read back what `to_json` wrote."""
        values = data.get("values") or {}
        return cls(str(data["key"]), tuple((k, _load(v)) for k, v in values.items()))


def text(key: str, **values: Value) -> StaffText:
    """`text("alert.opt_out", channel="sms")`: a staff text to render later."""
    if key not in STAFF_TEXTS:
        raise KeyError(key)
    return StaffText(key, tuple(values.items()))


@dataclass(frozen=True, slots=True)
class Summary:
    """An alert's summary: lines of staff texts, rendered per recipient at delivery."""

    parts: tuple[StaffText, ...]

    def render(self, language: str) -> str:
        """The summary in `language`, one part per line."""
        return "\n".join(part.render(language) for part in self.parts)

    def to_json(self) -> dict[str, Any]:
        """The stored form, for `Message.data`."""
        return {"summary": [part.to_json() for part in self.parts]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Summary | None:
        """The summary stored in `Message.data`, or None when there is none (older notes)."""
        parts = (data or {}).get("summary")
        if not parts:
            return None
        try:
            summary = cls(tuple(StaffText.from_json(p) for p in parts))
            for language in LANGUAGES:  # a key or value a later catalog no longer has
                summary.render(language)
        except (KeyError, IndexError, TypeError, ValueError):
            return None  # the note's body is shown instead
        return summary


def summary(*parts: StaffText) -> Summary:
    """A summary of these parts, one line each."""
    return Summary(parts)


def _show(value: Value, language: str) -> str | int:
    if isinstance(value, Money):
        return " + ".join(format_money(a, c, language) for a, c in value.amounts) or "-"
    if isinstance(value, Day):
        return format_date(value.day, language, weekday=False)
    if isinstance(value, Word):
        return (
            st(value.key, language, **dict(value.values)) if value.key in STAFF_TEXTS else value.key
        )
    return value


def _dump(value: Value) -> Any:
    if isinstance(value, Money):
        return {"money": [[str(a), c] for a, c in value.amounts]}
    if isinstance(value, Day):
        return {"date": value.day.isoformat()}
    if isinstance(value, Word):
        return {"word": value.key, "values": dict(value.values)}
    return value


def _load(raw: Any) -> Value:
    if isinstance(raw, dict):
        if "money" in raw:
            return Money(tuple((Decimal(a), str(c)) for a, c in raw["money"]))
        if "date" in raw:
            return Day(dt.date.fromisoformat(raw["date"]))
        if "word" in raw:
            return Word(str(raw["word"]), tuple((raw.get("values") or {}).items()))
    if isinstance(raw, int | str):
        return raw
    return str(raw)
