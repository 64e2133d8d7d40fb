"""What our channels send, and what the sandbox answers, against Twilio's own OpenAPI spec."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import AsyncIterator
from email.utils import parsedate_to_datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from bot.channels.twilio_sms import TwilioSmsChannel
from bot.channels.twilio_voice import TwilioVoiceChannel
from bot.channels.twilio_whatsapp import TwilioWhatsAppChannel
from bot.sandbox.twilio import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, TwilioSandbox
from bot.sandbox.twilio_limits import SenderLimits
from bot.sandbox.twilio_records import API_VERSION
from scheduler.messages import Address, Outbound
from tests.support.virtual_clock import VirtualClock

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT.parent / "shared" / "specs" / "twilio_api_v2010.json"
MESSAGES = "/2010-04-01/Accounts/{AccountSid}/Messages.json"
CALLS = "/2010-04-01/Accounts/{AccountSid}/Calls.json"
NOW = dt.datetime(2026, 3, 28, 2, 0, tzinfo=dt.UTC)


@cache
def _load() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(SPEC.read_text(encoding="utf-8"))
    return spec


def spec() -> dict[str, Any]:
    """Twilio's OpenAPI description, or skip the test when the shared folder is absent."""
    if not SPEC.is_file():
        pytest.skip(f"Twilio's OpenAPI spec is not at {SPEC} (the shared specs folder)")
    return _load()


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """Follow a `$ref` inside the spec."""
    while "$ref" in schema:
        node: Any = spec()
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def form_schema(path: str) -> dict[str, Any]:
    """The form body schema of the POST operation at `path`."""
    body = spec()["paths"][path]["post"]["requestBody"]["content"]
    return resolve(body["application/x-www-form-urlencoded"]["schema"])


def resource_schema(name: str) -> dict[str, Any]:
    """A component schema such as `api.v2010.account.message`."""
    return resolve(spec()["components"]["schemas"][name])


def form_value_errors(name: str, value: str, schema: dict[str, Any]) -> list[str]:
    """Why one form value does not fit its parameter schema (empty when it fits)."""
    schema = resolve(schema)
    if schema.get("type") == "array":
        return form_value_errors(name, value, schema["items"])
    kind, errors = schema.get("type"), []
    if kind == "integer" and not re.fullmatch(r"-?\d+", value):
        errors.append(f"{name}={value!r} is not an integer")
    if kind == "number" and not re.fullmatch(r"-?\d+(\.\d+)?", value):
        errors.append(f"{name}={value!r} is not a number")
    if kind == "boolean" and value not in ("true", "false"):
        errors.append(f"{name}={value!r} is not a boolean")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{name}={value!r} is not one of {schema['enum']}")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        errors.append(f"{name}={value!r} does not match {schema['pattern']}")
    if not schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value)):
        errors.append(f"{name}={value!r} has the wrong length")
    if schema.get("format") == "uri" and not urlsplit(value).scheme.startswith("http"):
        errors.append(f"{name}={value!r} is not an absolute URL")
    return errors


def form_errors(path: str, form: tuple[tuple[str, str], ...]) -> list[str]:
    """Why a recorded form does not fit the spec's request body for `path`."""
    schema = form_schema(path)
    properties = schema["properties"]
    given = dict(form)
    errors = [f"{name} is required" for name in schema.get("required", []) if name not in given]
    for name, count in Counter(name for name, _ in form).items():
        if name not in properties:
            errors.append(f"{name} is not a parameter of {path}")
        elif count > 1 and resolve(properties[name]).get("type") != "array":
            errors.append(f"{name} is repeated but is not an array")
    for name, value in form:
        if name in properties:
            errors.extend(form_value_errors(name, value, properties[name]))
    return errors


def resource_errors(value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
    """Why a JSON value does not fit an OpenAPI 3.0 schema (the subset Twilio uses)."""
    schema = resolve(schema)
    if value is None:
        return [] if schema.get("nullable") else [f"{where} is null"]
    kind = schema.get("type")
    types = {"string": str, "integer": int, "object": dict, "boolean": bool, "number": (int, float)}
    if kind in types and not isinstance(value, types[kind]):
        return [f"{where}={value!r} is not a {kind}"]
    errors: list[str] = []
    if kind == "object" and "properties" in schema:
        if missing := set(schema["properties"]) ^ set(value):
            errors.append(f"{where} fields differ from the spec: {sorted(missing)}")
        for name, sub in schema["properties"].items():
            errors.extend(resource_errors(value.get(name), sub, f"{where}.{name}"))
    if kind == "string":
        checks = {key: rule for key, rule in schema.items() if key != "type"}
        errors.extend(form_value_errors(where, value, checks))
        if schema.get("format") == "date-time-rfc-2822":
            try:
                parsedate_to_datetime(value)
            except (TypeError, ValueError):
                errors.append(f"{where}={value!r} is not an RFC 2822 date")
    return errors


def _outbound(key: str, channel: str, **kwargs: Any) -> Outbound:
    fields: dict[str, Any] = {
        "to": Address(channel, "+6281234567890"),
        "body": "Tagihan INV-001 Rp5.000.000 jatuh tempo hari ini.",
        "idempotency_key": key,
        "template": "reminder",
        "variables": (("1", "Budi"), ("2", "Rp5.000.000")),
    }
    fields.update(kwargs)
    return Outbound(**fields)


@pytest.fixture
async def sandbox() -> AsyncIterator[TwilioSandbox]:
    spec()  # skip before starting anything when the spec is absent
    # The channels pace on a virtual clock, the sandbox counts on the real one: no limit.
    limits = SenderLimits.unlimited()
    sandbox = TwilioSandbox(webhook_base="http://127.0.0.1:9", now=lambda: NOW, limits=limits)
    await sandbox.start()
    yield sandbox
    await sandbox.stop()


async def _send_everything(sandbox: TwilioSandbox) -> None:
    """One of each kind of request our channels make."""
    clock = VirtualClock()
    common: dict[str, Any] = {
        "account_sid": SANDBOX_ACCOUNT_SID,
        "auth_token": SANDBOX_AUTH_TOKEN,
        "api_base": sandbox.base_url,
        "clock": clock,
        "sleep": clock.sleep,
    }
    for public_url in ("https://tagih.example.co.id", None):
        channels = [
            TwilioSmsChannel(sender="+6221555010", public_url=public_url, **common),
            TwilioWhatsAppChannel(
                sender="+6221555020",
                templates={"reminder:id": "HX" + "0f" * 16},
                now=lambda: NOW,
                public_url=public_url,
                **common,
            ),
            TwilioVoiceChannel(sender="+6221555030", public_url=public_url, **common),
        ]
        for channel in channels:
            for n, last_inbound_at in enumerate((NOW, None)):
                key = f"C-1:2026-03-28:{n}:{channel.name}"
                outbound = _outbound(key, channel.name, last_inbound_at=last_inbound_at)
                assert (await channel.send(outbound)).ok
            await channel.close()


async def test_every_request_we_send_fits_the_spec(sandbox: TwilioSandbox) -> None:
    await _send_everything(sandbox)
    prefix = f"/{API_VERSION}/Accounts/{SANDBOX_ACCOUNT_SID}/"
    paths = {f"{prefix}Messages.json": MESSAGES, f"{prefix}Calls.json": CALLS}
    seen = Counter(paths[request.path] for request in sandbox.requests)
    assert seen == {MESSAGES: 8, CALLS: 4}
    for request in sandbox.requests:
        assert form_errors(paths[request.path], request.form) == [], request.form
    sent = {name for request in sandbox.requests for name, _ in request.form}
    assert {"ContentSid", "ContentVariables", "Twiml", "Url", "StatusCallbackMethod"} <= sent


async def test_sandbox_resources_fit_the_spec(sandbox: TwilioSandbox) -> None:
    await _send_everything(sandbox)
    await sandbox.advance()
    await sandbox.answer(sandbox.calls[-1].sid)  # inline TwiML: the call completes
    message = resource_schema("api.v2010.account.message")
    call = resource_schema("api.v2010.account.call")
    for sent in sandbox.messages:
        assert resource_errors(sent.resource(), message) == []
    for placed in sandbox.calls:
        assert resource_errors(placed.resource(), call) == []


def test_the_checker_catches_what_the_spec_forbids() -> None:
    bad = (("To", "+62812"), ("MessageIntent", "x"), ("ContentSid", "HX1"), ("Body", "a"))
    errors = form_errors(MESSAGES, bad)
    assert any("MessageIntent is not a parameter" in error for error in errors)
    assert any("ContentSid" in error for error in errors)
    wrong_method = form_errors(CALLS, (("StatusCallbackMethod", "PUT"),))
    assert any("StatusCallbackMethod" in error for error in wrong_method)
    assert "To is required" in form_errors(CALLS, (("From", "+62"),))
