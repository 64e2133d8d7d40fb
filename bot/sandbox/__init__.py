"""Loopback stand-ins for the providers (SMTP sink, Telegram, Twilio) for demos and tests."""

#: Sender numbers of the sandbox (Jakarta landline range), used when none are configured.
SANDBOX_SENDERS = {
    "twilio_sms_from": "+622150000001",
    "twilio_whatsapp_from": "+622150000002",
    "twilio_voice_from": "+622150000003",
}
#: Approved-template stand-ins, so WhatsApp works outside the 24-hour window in the sandbox.
SANDBOX_TEMPLATES = {"reminder:id": "HX" + "1d" * 16, "reminder:en": "HX" + "e2" * 16}
