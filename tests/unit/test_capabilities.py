"""A message is shaped by what its channel declares it carries, never by the channel's name."""

from __future__ import annotations

import pytest

from bot.channels import CLASSES, capabilities_of
from bot.channels.email import EmailChannel
from bot.channels.telegram import TelegramChannel
from bot.channels.twilio_sms import MAX_BODY, TwilioSmsChannel
from bot.channels.twilio_voice import TwilioVoiceChannel
from bot.channels.twilio_whatsapp import TwilioWhatsAppChannel
from bot.flows.menu import menu_buttons, menu_lines
from bot.flows.types import Option, Reply
from bot.inbound.conversation import render_reply
from bot.reminders import ReminderRenderer
from scheduler.channel import Capabilities
from scheduler.messages import Address, Button
from tests.unit.test_render_golden import _plan

LINK = "https://t.me/tagih_bot?start=abc"


@pytest.fixture
def render() -> ReminderRenderer:
    return ReminderRenderer(company_name="CV Sumber Rejeki", default_language="id")


def test_each_real_channel_declares_what_it_carries() -> None:
    assert EmailChannel.capabilities == Capabilities(html=True)
    assert TwilioSmsChannel.capabilities == Capabilities(max_length=MAX_BODY)
    assert TwilioWhatsAppChannel.capabilities == Capabilities(max_length=MAX_BODY)
    assert TelegramChannel.capabilities == Capabilities(max_length=4096, buttons=True)
    assert TwilioVoiceChannel.capabilities == Capabilities(spoken=True)


def test_html_means_the_full_statement(render: ReminderRenderer) -> None:
    letter = render(_plan("overdue_statement", "id"), Capabilities(html=True), LINK)
    assert letter.subject and letter.html and "<" in letter.html
    assert not letter.buttons and LINK not in letter.text


def test_spoken_means_one_paragraph_without_menu_or_link(render: ReminderRenderer) -> None:
    said = render(_plan("overdue_statement", "id"), Capabilities(spoken=True), LINK)
    assert "\n" not in said.text and said.html is None and not said.buttons
    assert menu_lines("id") not in said.text and LINK not in said.text


def test_buttons_carry_the_menu_and_text_carries_it_as_lines(render: ReminderRenderer) -> None:
    plan = _plan("overdue_one", "id")
    chat = render(plan, Capabilities(buttons=True), None)
    assert chat.buttons == menu_buttons("id") and menu_lines("id") not in chat.text
    text = render(plan, Capabilities(), LINK)
    assert not text.buttons and menu_lines("id") in text.text and LINK in text.text
    assert dict(text.variables)["1"] == "PT Sinar Jaya"  # the approved template's {{1}}


@pytest.mark.parametrize(
    "carries", [Capabilities(max_length=120), Capabilities(max_length=120, buttons=True)]
)
def test_a_length_limit_cuts_the_text_at_a_word(
    render: ReminderRenderer, carries: Capabilities
) -> None:
    plan = _plan("overdue_statement", "id")
    whole = render(plan, Capabilities(buttons=carries.buttons), None).text
    cut = render(plan, carries, None).text
    assert len(whole) > 120 >= len(cut)
    assert cut.endswith("\N{HORIZONTAL ELLIPSIS}") and whole.startswith(cut[:-1].rstrip())


def test_the_registry_names_each_channel_by_its_own_name() -> None:
    for name in CLASSES:
        assert capabilities_of(name) is not None
    assert {
        cls.name
        for cls in (
            EmailChannel,
            TwilioSmsChannel,
            TwilioWhatsAppChannel,
            TwilioVoiceChannel,
            TelegramChannel,
        )
    } == set(CLASSES)
    assert capabilities_of("pigeon") == Capabilities()


def test_a_flow_reply_shows_its_options_as_the_channel_carries_them() -> None:
    reply = Reply("Kapan akan dibayar?", (Option("Besok", "when:1"), Option("Lusa", "when:2")))
    chat = render_reply(reply, Address("telegram", "42"), "k1", "id")
    assert chat.body == "Kapan akan dibayar?"
    assert chat.buttons == (Button("Besok", "when:1"), Button("Lusa", "when:2"))
    for channel in ("sms", "whatsapp", "voice", "email"):
        text = render_reply(reply, Address(channel, "x"), "k2", "id")
        assert not text.buttons and text.body == "Kapan akan dibayar?\n1. Besok\n2. Lusa"
