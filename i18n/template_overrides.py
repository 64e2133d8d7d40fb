"""Admins' edited templates: their keys and variables, and the sandboxed environment that
renders them (the rows themselves are read by `storage.queries.templates`).

A template key names one file of a message template family: `reminder.short` is
`i18n/templates/reminder.<lang>.short.j2`. An override replaces that file for one language;
everything else (macros, the other parts) still comes from the package. Overrides render
in jinja's sandbox: an admin's text may use the template variables but not reach Python.
"""

from __future__ import annotations

import jinja2
import jinja2.meta
from jinja2.sandbox import SandboxedEnvironment

from i18n.render import FlatGlobalsEnvironment, environment

FAMILIES = ("reminder",)
PARTS = ("subject", "txt", "html", "short", "voice", "macros")
LANGUAGES = ("id", "en")
#: What `i18n.render` gives every reminder template (see `reminder_variables` there).
COMMON_VARIABLES = frozenset(
    {
        "customer_name",  # "PT Maju Jaya"
        "customer_code",
        "company_name",
        "today",  # a date: {{ today | date }}
        "language",
        "offset_days",  # the leading step: -3 = three days before due
        "lead",  # the leading row: lead.line.number, lead.days_overdue
        "tone",  # before / today / overdue / mixed
        "same_due",
        "pay_link",
        "rows",  # every open invoice: row.line.number/.balance/.currency/.due_date
        "triggered",  # the rows this reminder is about
        "marked",
        "totals",  # (currency, total) pairs: {{ total | money(currency) }}
    }
)
#: Added by `render_template`: all of the above as one object, for the macros
#: (`m.opening(reminder)`).
RENDER_VARIABLES = frozenset({"reminder"})
#: Extra variables of the short chat/SMS reminder.
SHORT_VARIABLES = frozenset({"menu", "buttons", "chat_link", "stop_hint"})


def split_key(key: str) -> tuple[str, str]:
    """`reminder.short` → ("reminder", "short"); ValueError naming the known keys otherwise."""
    family, _, part = key.strip().lower().partition(".")
    if family not in FAMILIES or part not in PARTS:
        known = ", ".join(f"{f}.{p}" for f in FAMILIES for p in PARTS)
        raise ValueError(f"unknown template key {key!r} (use {known})")
    return family, part


def jinja_name(key: str, language: str) -> str:
    """The template file an override replaces: `reminder.id.short.j2`."""
    family, part = split_key(key)
    return f"{family}.{language}.{part}.j2"


def known_variables(key: str) -> frozenset[str]:
    """The variables a template under `key` may use."""
    _, part = split_key(key)
    extra = SHORT_VARIABLES if part == "short" else frozenset()
    return COMMON_VARIABLES | extra | RENDER_VARIABLES | frozenset(environment().globals)


def unknown_variables(key: str, body: str) -> set[str]:
    """Variables `body` uses that the renderer does not give (TemplateSyntaxError if broken)."""
    used = jinja2.meta.find_undeclared_variables(environment().parse(body))
    return set(used) - known_variables(key)


def builtin_source(key: str, language: str) -> str:
    """The packaged text of the template under `key` in `language`."""
    env = environment()
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, jinja_name(key, language))
    return source


#: The macros that once read the caller's variables and now take them as their argument.
_REMINDER_MACROS = ("invoices", "subject", "opening")


def _older_macros(source: str) -> bool:
    """True for a macros override written before the macros took the reminder as argument
    (`{% macro opening() %}` reading the caller's variables, imported with context)."""
    try:
        tree = environment().parse(source)
    except jinja2.TemplateSyntaxError:
        return False  # refused when rendered, as any broken override
    return any(
        not macro.args
        for macro in tree.find_all(jinja2.nodes.Macro)
        if macro.name in _REMINDER_MACROS
    )


def _with_older_macros(overrides: dict[str, str]) -> dict[str, str]:
    """`overrides`, plus the packaged parts as older macros overrides expect them.

    The packaged parts import their macros without context and call `m.opening(reminder)`;
    a macros override saved before that takes no argument and reads the caller's variables.
    For its language, the parts no admin edited are served importing it with context and
    calling it without argument, as they did when it was written.
    """
    base = environment()
    assert base.loader is not None
    served = dict(overrides)
    for family in FAMILIES:
        for language in LANGUAGES:
            macros = f"{family}.{language}.macros.j2"
            if macros not in overrides or not _older_macros(overrides[macros]):
                continue
            for part in PARTS:
                name = f"{family}.{language}.{part}.j2"
                if part == "macros" or name in overrides:
                    continue
                source, _, _ = base.loader.get_source(base, name)
                source = source.replace(f'"{macros}" as m %}}', f'"{macros}" as m with context %}}')
                served[name] = source.replace("(reminder)", "()")
    return served


class _Sandboxed(FlatGlobalsEnvironment, SandboxedEnvironment):
    """jinja's sandbox, with globals in a plain dict (see `FlatGlobalsEnvironment`)."""


def override_environment(overrides: dict[str, str]) -> jinja2.Environment:
    """A sandboxed copy of the template environment where `overrides` shadow the package."""
    base = environment()
    assert base.loader is not None
    env = _Sandboxed(
        loader=jinja2.ChoiceLoader([jinja2.DictLoader(_with_older_macros(overrides)), base.loader]),
        autoescape=base.autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        cache_size=-1,  # as the package's environment: a few templates, looked up per render
    )
    env.filters.update(base.filters)
    return env
