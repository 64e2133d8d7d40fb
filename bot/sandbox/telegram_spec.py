"""Check Bot API calls against Telegram's published method and type descriptions."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: `../shared/specs/` next to the project root (see `/work/shared/specs/README.md`).
DEFAULT_SPEC_PATH = (
    Path(__file__).resolve().parents[3] / "shared" / "specs" / "telegram-bot-api.json"
)

_INTEGER = re.compile(r"-?\d+")
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}
#: Without the spec, how the fields the sandbox reads are decoded from form-encoded strings.
_FALLBACK_KINDS = {
    **dict.fromkeys(("chat_id",), "Integer or String"),
    **dict.fromkeys(
        ("message_id", "offset", "limit", "timeout", "cache_time", "max_connections"), "Integer"
    ),
    **dict.fromkeys(("drop_pending_updates", "show_alert"), "Boolean"),
    **dict.fromkeys(("reply_markup", "allowed_updates", "commands", "scope"), "JSON"),
}


class SpecError(ValueError):
    """A call that breaks the Bot API; the message is the description Telegram would give."""


@dataclass(frozen=True, slots=True)
class Upload:
    """A file sent in a multipart request (the Bot API's InputFile)."""

    filename: str
    content: bytes


def _phrase(types: list[str]) -> str:
    return " or ".join(types)


class BotApiSpec:
    """The methods and types of one Bot API version, loaded from the scraped JSON spec."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        """Index the spec's methods (case-insensitively, as Telegram matches them) and types."""
        self.version: str = str(data.get("version", "?"))
        self.methods: dict[str, dict[str, Any]] = dict(data["methods"])
        self.types: dict[str, dict[str, Any]] = dict(data["types"])
        self._by_lower = {name.lower(): name for name in self.methods}

    @classmethod
    def load(cls, path: Path = DEFAULT_SPEC_PATH) -> BotApiSpec | None:
        """Read the spec file, or None when it is not there (validation is then skipped)."""
        if not path.is_file():
            return None
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def method_name(self, name: str) -> str | None:
        """The canonical spelling of a method name, if the spec has it."""
        return self._by_lower.get(name.lower())

    def check_call(self, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Decode and check a call's parameters; raise `SpecError` as Telegram's 400 would."""
        fields = {f["name"]: f for f in self.methods[method].get("fields", [])}
        for name in params:
            if name not in fields:
                raise SpecError(f'Bad Request: unknown parameter "{name}" for {method}')
        checked: dict[str, Any] = {}
        for name, field in fields.items():
            if name not in params:
                if field["required"]:
                    raise SpecError(f'Bad Request: parameter "{name}" is required')
                continue
            checked[name] = self.value(field["types"], params[name], name)
        return checked

    def value(self, types: list[str], value: Any, where: str) -> Any:
        """`value` as the first of `types` it fits (form fields arrive as strings)."""
        errors: list[SpecError] = []
        for kind in types:
            try:
                return self._as(kind, value, where)
            except SpecError as exc:
                errors.append(exc)
        specific = [e for e in errors if "must be" not in str(e)]
        raise (
            specific[0]
            if specific
            else SpecError(f'Bad Request: field "{where}" must be {_phrase(types)}')
        )

    def _as(self, kind: str, value: Any, where: str) -> Any:
        wrong = SpecError(f'Bad Request: field "{where}" must be {kind}')
        if kind.startswith("Array of "):
            items = _json(value, where) if isinstance(value, str) else value
            if not isinstance(items, list):
                raise wrong
            inner = kind.removeprefix("Array of ")
            return [self._as(inner, item, f"{where}[{i}]") for i, item in enumerate(items)]
        if kind == "String":
            if not isinstance(value, str):
                raise wrong
            return value
        if kind == "Integer":
            if isinstance(value, str) and _INTEGER.fullmatch(value):
                return int(value)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            raise wrong
        if kind == "Float":
            if isinstance(value, str):
                try:
                    return float(value)
                except ValueError:
                    raise wrong from None
            if isinstance(value, int | float) and not isinstance(value, bool):
                return value
            raise wrong
        if kind == "Boolean":
            if isinstance(value, str) and value.lower() in _BOOLEANS:
                return _BOOLEANS[value.lower()]
            if isinstance(value, bool):
                return value
            raise wrong
        if kind == "InputFile":
            if isinstance(value, Upload):
                return value
            raise wrong
        return self.check_object(kind, _json(value, where) if isinstance(value, str) else value)

    def check_object(self, type_name: str, value: Any, where: str | None = None) -> Any:
        """Check a JSON object against a type: required fields, no unknown ones, field types."""
        where = where or type_name
        spec = self.types[type_name]
        if "subtypes" in spec:
            return self.value(spec["subtypes"], value, where)
        if not isinstance(value, dict):
            raise SpecError(f'Bad Request: field "{where}" must be {type_name}')
        fields = {f["name"]: f for f in spec.get("fields", [])}
        if not fields:
            return value  # an empty placeholder type such as CallbackGame
        for name in value:
            if name not in fields:
                raise SpecError(f'Bad Request: unknown field "{name}" in {type_name}')
        checked: dict[str, Any] = {}
        for name, field in fields.items():
            if name in value:
                checked[name] = self.value(field["types"], value[name], f"{where}.{name}")
            elif field["required"]:
                raise SpecError(f'Bad Request: field "{where}.{name}" is required')
        _check_semantics(type_name, checked)
        return checked


def _json(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise SpecError(f'Bad Request: can\'t parse "{where}" JSON object') from None


def _check_semantics(type_name: str, value: dict[str, Any]) -> None:
    """Limits the type descriptions state in prose, as Telegram enforces them."""
    if type_name == "InlineKeyboardButton":
        data = value.get("callback_data")
        if data is not None and not 1 <= len(data.encode("utf-8")) <= 64:
            raise SpecError("Bad Request: BUTTON_DATA_INVALID")
        if len(value) == 1:  # only "text": a button must do something
            raise SpecError(
                "Bad Request: can't parse inline keyboard button: "
                "Text buttons are unallowed in the inline keyboard"
            )
    elif type_name == "BotCommand":
        if not re.fullmatch(r"[a-z0-9_]{1,32}", value["command"]):
            raise SpecError("Bad Request: BOT_COMMAND_INVALID")
        if not 1 <= len(value["description"]) <= 256:
            raise SpecError("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")


def fallback_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Decode the fields the sandbox reads when no spec is at hand (nothing is rejected)."""
    decoded: dict[str, Any] = {}
    for name, value in params.items():
        kind = _FALLBACK_KINDS.get(name)
        if isinstance(value, str) and kind is not None:
            if kind == "JSON":
                value = json.loads(value)
            elif kind == "Boolean":
                value = _BOOLEANS.get(value.lower(), value)
            elif _INTEGER.fullmatch(value):
                value = int(value)
        decoded[name] = value
    return decoded
