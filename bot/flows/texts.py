"""What the customer flows say, in Indonesian and English."""

from __future__ import annotations

from typing import Any

TEXTS: dict[str, dict[str, str]] = {
    "menu": {
        "id": "Ada yang bisa kami bantu terkait tagihan Anda? Silakan pilih:",
        "en": "How can we help with your invoices? Please choose:",
    },
    "balance": {
        "id": "Tagihan Anda yang masih terbuka:\n{lines}\nTotal: {total}",
        "en": "Your open invoices:\n{lines}\nTotal: {total}",
    },
    "balance_line": {
        "id": "• {number}: {amount}, jatuh tempo {due}",
        "en": "• {number}: {amount}, due {due}",
    },
    "invoice_copy": {
        "id": "Baik, permintaan salinan faktur kami teruskan ke petugas; faktur akan segera "
        "dikirim.",
        "en": "All right, we have passed your request for a copy of the invoice to our team; "
        "it will be sent shortly.",
    },
    "wrong_number": {
        "id": "Mohon maaf atas gangguannya. Nomor/akun ini tidak akan kami hubungi lagi.",
        "en": "Sorry for the trouble. We will not contact this number or account again.",
    },
    "done_reply": {
        "id": 'Baik, terima kasih. Maksudnya Anda sudah membayar? Balas "ya" atau pilih "Sudah '
        'bayar" agar kami catat.',
        "en": 'Thank you. Do you mean you have paid? Reply "yes" or choose "Already paid" so we '
        "can record it.",
    },
    "cancel_what": {
        "id": "Apa yang ingin dibatalkan? Untuk mengubah janji bayar, pilih Janji bayar; untuk "
        "berhenti menerima pesan, ketik BERHENTI.",
        "en": "What would you like to cancel? To change a promise, choose Promise to pay; to "
        "stop receiving messages, reply STOP.",
    },
    "aside_pending": {
        "id": "Pertanyaan kami sebelumnya masih menunggu jawaban Anda.",
        "en": "Our previous question is still waiting for your answer.",
    },
    "thanks_reply": {
        "id": "Sama-sama. Bila ada yang ingin ditanyakan tentang tagihan Anda, balas saja "
        "pesan ini.",
        "en": "You're welcome. If you have any question about your invoices, just reply here.",
    },
    "flow_cancelled": {
        "id": "Baik, dibatalkan. Tidak ada yang kami catat.",
        "en": "All right, cancelled. Nothing was recorded.",
    },
    "not_understood": {
        "id": "Maaf, kami belum memahami pesan Anda.",
        "en": "Sorry, we did not understand your message.",
    },
    "opt_paid": {"id": "Sudah bayar", "en": "Already paid"},
    "opt_promise": {"id": "Janji bayar", "en": "Promise to pay"},
    "opt_method": {"id": "Cara bayar", "en": "How to pay"},
    "opt_dispute": {"id": "Ada masalah", "en": "There is a problem"},
    "opt_instalment": {"id": "Cicilan", "en": "Instalments"},
    "opt_handoff": {"id": "Bicara dengan petugas", "en": "Talk to a person"},
    "opt_yes": {"id": "Ya, benar", "en": "Yes, correct"},
    "opt_change": {"id": "Ubah", "en": "Change"},
    "opt_full": {"id": "Dibayar penuh", "en": "In full"},
    "opt_part": {"id": "Sebagian", "en": "Part of it"},
    "opt_tomorrow": {"id": "Besok", "en": "Tomorrow"},
    "opt_week": {"id": "Dalam seminggu", "en": "Within a week"},
    "opt_skip": {"id": "Lewati", "en": "Skip"},
    "opt_all": {"id": "Semua faktur", "en": "All invoices"},
    # already paid
    "paid_ask": {
        "id": "Terima kasih. Kapan dan berapa yang sudah dibayar? (contoh: kemarin 5jt)",
        "en": "Thank you. When did you pay, and how much? (for example: yesterday 5m)",
    },
    "paid_receipt": {
        "id": "Mohon kirim foto atau dokumen bukti transfer, atau pilih Lewati.",
        "en": "Please send a photo or document of the transfer receipt, or choose Skip.",
    },
    "paid_done": {
        "id": "Terima kasih, pembayaran {amount} tanggal {date} kami catat dan akan kami "
        "verifikasi. Pengingat untuk faktur tersebut kami hentikan selama 3 hari.",
        "en": "Thank you, we recorded your payment of {amount} on {date} and will verify it. "
        "Reminders for those invoices are paused for 3 days.",
    },
    "amount_over": {
        "id": "Anda menyebut {amount}, lebih besar dari sisa tagihan Anda {balance}. Apakah "
        "jumlahnya benar? Jika salah, ketik jumlah yang benar (contoh: 1,5jt).",
        "en": "You said {amount}, more than your open balance of {balance}. Is that right? "
        "If not, type the correct amount (for example: 1.5m).",
    },
    # promise to pay
    "promise_ask_date": {
        "id": "Kapan Anda akan membayar? (contoh: besok, Jumat, tgl 25)",
        "en": "When will you pay? (for example: tomorrow, Friday, the 25th)",
    },
    "promise_past": {
        "id": "Tanggal {date} sudah lewat. Mohon sebutkan tanggal mulai hari ini.",
        "en": "{date} has already passed. Please give a date from today on.",
    },
    "promise_too_far": {
        "id": "Mohon maaf, kami hanya bisa mencatat janji bayar paling lambat {limit}. "
        "Silakan sebutkan tanggal yang lebih dekat.",
        "en": "Sorry, we can only record a promise up to {limit}. Please give an earlier date.",
    },
    "promise_ask_amount": {
        "id": "Apakah akan dibayar penuh {total}? Jika sebagian, sebutkan jumlahnya (contoh: 2jt).",
        "en": "Will you pay the full {total}? If only part, tell us how much (for example: 2m).",
    },
    "promise_how_much": {
        "id": "Berapa yang akan dibayar pada tanggal itu? (contoh: 2jt)",
        "en": "How much will you pay on that day? (for example: 2m)",
    },
    "promise_confirm": {
        "id": "{date} — {amount}. Benar?",
        "en": "{date} — {amount}. Is that right?",
    },
    "promise_done": {
        "id": "Terima kasih, janji bayar {date} sebesar {amount} sudah kami catat. "
        "Kami tidak akan mengirim pengingat sampai tanggal tersebut.",
        "en": "Thank you, your promise to pay {amount} on {date} is recorded. "
        "We will not send reminders until then.",
    },
    # payment method
    "method_ask": {
        "id": "Pilih cara pembayaran:",
        "en": "Choose how you would like to pay:",
    },
    "method_transfer": {"id": "Transfer bank", "en": "Bank transfer"},
    "method_va": {"id": "Virtual account", "en": "Virtual account"},
    "method_qris": {"id": "QRIS", "en": "QRIS"},
    "method_ewallet": {"id": "E-wallet", "en": "E-wallet"},
    "method_card": {"id": "Kartu kredit/debit", "en": "Credit/debit card"},
    "method_unavailable": {
        "id": "Cara pembayaran ini belum tersedia. Silakan pilih salah satu cara berikut.",
        "en": "This payment method is not available. Please choose one of these.",
    },
    "method_example": {
        "id": "CONTOH — mode sandbox: detail pembayaran ini bukan rekening sungguhan.",
        "en": "EXAMPLE — sandbox mode: these payment details are not real accounts.",
    },
    "method_none": {
        "id": "Detail pembayaran belum bisa kami kirim lewat pesan ini. Petugas kami akan "
        "segera menghubungi Anda dengan cara pembayarannya.",
        "en": "We cannot send payment details in this chat yet. Someone from our team will "
        "contact you shortly with how to pay.",
    },
    "method_none_collector": {
        "id": "Detail pembayaran belum bisa kami kirim lewat pesan ini. Silakan hubungi "
        "petugas Anda, {collector}; kami juga sudah memintanya menghubungi Anda.",
        "en": "We cannot send payment details in this chat yet. Please contact your collector, "
        "{collector}; we have also asked them to contact you.",
    },
    "method_transfer_info": {
        "id": "Silakan transfer ke:\n{accounts}\nCantumkan nomor faktur pada berita transfer.",
        "en": "Please transfer to:\n{accounts}\nMention the invoice number in the reference.",
    },
    "method_va_info": {
        "id": "Nomor virtual account Anda: {va}. Pembayaran otomatis tercatat.",
        "en": "Your virtual account number: {va}. Payments are matched automatically.",
    },
    "method_link_info": {
        "id": "Bayar {invoice} ({amount}) melalui tautan ini: {link}",
        "en": "Pay {invoice} ({amount}) through this link: {link}",
    },
    "method_text_info": {"id": "{info}", "en": "{info}"},
    # dispute
    "dispute_ask_reason": {
        "id": "Mohon maaf atas ketidaknyamanannya. Apa masalahnya?",
        "en": "We are sorry for the trouble. What is the problem?",
    },
    "reason_wrong_invoice": {"id": "Faktur salah", "en": "Wrong invoice"},
    "reason_not_received": {
        "id": "Barang/jasa belum diterima",
        "en": "Goods or service not received",
    },
    "reason_quality": {"id": "Kualitas", "en": "Quality"},
    "reason_price": {"id": "Harga", "en": "Price"},
    "reason_other": {"id": "Lainnya", "en": "Something else"},
    "dispute_ask_invoice": {
        "id": "Faktur mana yang bermasalah?",
        "en": "Which invoice is concerned?",
    },
    "dispute_ask_details": {
        "id": "Ceritakan singkat masalahnya agar petugas kami bisa membantu, atau pilih Lewati.",
        "en": "Please describe the problem briefly so our team can help, or choose Skip.",
    },
    "dispute_summary": {
        "id": "Ringkasan keluhan Anda:\nMasalah: {reason}\nFaktur: {invoices}\n"
        "Keterangan: {details}\nBenar?",
        "en": "Your complaint:\nProblem: {reason}\nInvoices: {invoices}\n"
        "Description: {details}\nIs that right?",
    },
    "dispute_done": {
        "id": "Terima kasih, keluhan Anda sudah kami catat dan diteruskan ke petugas. "
        "Pengingat untuk faktur tersebut kami hentikan sampai masalahnya selesai.",
        "en": "Thank you, your complaint is recorded and passed on to our team. "
        "Reminders for those invoices stop until it is resolved.",
    },
    # instalments
    "instalment_ask_count": {
        "id": "Ingin dicicil berapa kali? (contoh: 3)",
        "en": "In how many instalments? (for example: 3)",
    },
    "instalment_bad_count": {
        "id": "Mohon sebutkan jumlah cicilan antara 2 dan 12.",
        "en": "Please give a number of instalments between 2 and 12.",
    },
    "instalment_ask_date": {
        "id": "Kapan cicilan pertama akan dibayar?",
        "en": "When will you pay the first instalment?",
    },
    "instalment_done": {
        "id": "Terima kasih. Permintaan cicilan {count} kali mulai {date} sudah kami teruskan "
        "untuk persetujuan. Petugas kami akan menghubungi Anda.",
        "en": "Thank you. Your request for {count} instalments from {date} has been passed on "
        "for approval. Our team will contact you.",
    },
    # handoff
    "handoff_done": {
        "id": "Baik, petugas kami akan segera menghubungi Anda.",
        "en": "Certainly, someone from our team will contact you shortly.",
    },
    "handoff_again": {
        "id": (
            "Permintaan Anda sudah kami teruskan ke petugas, dan kami ingatkan lagi. "
            "Mohon tunggu, Anda akan segera dihubungi."
        ),
        "en": (
            "Your request is already with our team, and we have reminded them. "
            "Please bear with us, you will be contacted shortly."
        ),
    },
    "handoff_again_collector": {
        "id": (
            "Permintaan Anda sudah kami teruskan ke petugas, dan kami ingatkan lagi. "
            "Anda juga dapat menghubungi langsung: {collector}."
        ),
        "en": (
            "Your request is already with our team, and we have reminded them. "
            "You can also reach them directly: {collector}."
        ),
    },
    "handoff_stuck": {
        "id": "Mohon maaf, sepertinya kami belum bisa membantu lewat pesan otomatis ini. "
        "Petugas kami akan segera menghubungi Anda.",
        "en": "Sorry, it seems this automated chat cannot help here. Someone from our team "
        "will contact you shortly.",
    },
    # opt-out / in, language
    "opted_out": {
        "id": "Baik, kami tidak akan mengirim pesan lagi ke nomor/akun ini. Ketik MULAI untuk "
        "mengaktifkan kembali.",
        "en": "Understood, we will send no more messages here. Reply START to resume.",
    },
    "opted_in": {
        "id": "Terima kasih, pesan dari kami aktif kembali.",
        "en": "Thank you, our messages are active again.",
    },
    "language_set": {
        "id": "Baik, kami akan menggunakan Bahasa Indonesia.",
        "en": "Certainly, we will use English from now on.",
    },
    "nothing_open": {
        "id": "Terima kasih. Saat ini tidak ada tagihan terbuka atas nama Anda. Jika ada yang "
        "ingin dibicarakan, petugas kami siap membantu.",
        "en": "Thank you. There are no open invoices in your name at the moment. If there is "
        "anything to discuss, our team is glad to help.",
    },
    "nothing_open_disputed": {
        "id": "Terima kasih. Faktur {invoices} sedang kami periksa sesuai keluhan Anda; "
        "pengingatnya kami hentikan sampai masalahnya selesai. Jika ingin membicarakannya, "
        "petugas kami siap membantu.",
        "en": "Thank you. We are looking into invoice(s) {invoices} as you reported; their "
        "reminders stop until it is resolved. If you would like to talk it over, our team is "
        "glad to help.",
    },
}


def t(key: str, language: str, **values: Any) -> str:
    """The text `key` in `language` (Indonesian when missing), with values filled in."""
    texts = TEXTS[key]
    return texts.get(language, texts["id"]).format(**values)
