"""Loopback stand-ins for the providers (SMTP sink, Telegram, Twilio) for demos and tests."""
