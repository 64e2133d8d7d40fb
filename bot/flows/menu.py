"""The reply menu offered with every chat reminder: the same choices on every channel."""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.messages import Button


@dataclass(frozen=True, slots=True)
class MenuOption:
    """One choice: its number (also the keypad digit), payload and labels."""

    number: int
    payload: str
    label_id: str
    label_en: str

    def label(self, language: str) -> str:
        """The label in the customer's language."""
        return self.label_en if language == "en" else self.label_id


MENU: tuple[MenuOption, ...] = (
    MenuOption(1, "menu:paid", "Sudah bayar", "Already paid"),
    MenuOption(2, "menu:promise", "Janji bayar", "Promise to pay"),
    MenuOption(3, "menu:method", "Cara bayar", "How to pay"),
    MenuOption(4, "menu:dispute", "Ada masalah", "There is a problem"),
    MenuOption(5, "menu:instalment", "Cicilan", "Instalments"),
    MenuOption(6, "menu:handoff", "Bicara dengan petugas", "Talk to a person"),
)


def menu_buttons(language: str) -> tuple[Button, ...]:
    """The menu as buttons (Telegram inline keyboard)."""
    return tuple(Button(option.label(language), option.payload) for option in MENU)


def menu_lines(language: str) -> str:
    """The menu as numbered lines (SMS, WhatsApp)."""
    return "\n".join(f"{option.number}. {option.label(language)}" for option in MENU)


def option_for(reply: str) -> MenuOption | None:
    """The option a bare number or a button payload names, if any."""
    text = reply.strip()
    for option in MENU:
        if text in (str(option.number), option.payload):
            return option
    return None
