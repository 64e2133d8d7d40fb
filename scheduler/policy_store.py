"""Policies in the database ↔ `PolicySpec` values; the built-in `standard` policy."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from scheduler.policy import STANDARD, PolicySpec, Step
from scheduler.window import Window, parse_weekdays
from storage.models import Policy, PolicyStep, utcnow
from storage.queries.policies import drop_steps, find_policy


def _policy_window(policy: Policy, default: Window) -> Window | None:
    """The policy's own window when it overrides any part of the global one."""
    overrides = (
        policy.window_start,
        policy.window_end,
        policy.window_days,
        policy.send_time,
        policy.use_holidays,
    )
    if all(value is None for value in overrides):
        return None
    return Window(
        start=policy.window_start or default.start,
        end=policy.window_end or default.end,
        days=parse_weekdays(policy.window_days) if policy.window_days else default.days,
        send_time=policy.send_time or default.send_time,
        holidays=default.holidays if policy.use_holidays is None else policy.use_holidays,
        country=default.country,
    )


def to_spec(policy: Policy, steps: list[PolicyStep], default: Window) -> PolicySpec:
    """Build the value the calendar plans with from stored rows."""
    repeat = None
    if policy.repeat_every_days:
        repeat = Step(
            0, tuple(policy.repeat_channels), tuple(policy.repeat_actions), policy.repeat_template
        )
    return PolicySpec(
        name=policy.name,
        steps=tuple(
            Step(s.offset_days, tuple(s.channels), tuple(s.actions), s.template) for s in steps
        ),
        repeat_every=policy.repeat_every_days,
        repeat=repeat,
        window=_policy_window(policy, default),
    )


async def load_specs(session: AsyncSession, *, default: Window) -> dict[int, PolicySpec]:
    """Every stored policy by id."""
    policies = (await session.exec(select(Policy))).all()
    steps = (await session.exec(select(PolicyStep).order_by(col(PolicyStep.offset_days)))).all()
    by_policy: dict[int, list[PolicyStep]] = {}
    for step in steps:
        by_policy.setdefault(step.policy_id, []).append(step)
    return {p.id: to_spec(p, by_policy.get(p.id, []), default) for p in policies if p.id}


async def policy_id_by_name(session: AsyncSession, *, name: str) -> int | None:
    """The id of the policy called `name`, if any."""
    return (await session.exec(select(Policy.id).where(Policy.name == name))).first()


async def save_spec(session: AsyncSession, *, spec: PolicySpec, description: str = "") -> Policy:
    """Create or replace a policy's steps and repeat (window overrides are kept)."""
    policy = await find_policy(session, name=spec.name)
    if policy is None:
        policy = Policy(name=spec.name, description=description)
    policy.repeat_every_days = spec.repeat_every
    policy.repeat_channels = list(spec.repeat.channels) if spec.repeat else []
    policy.repeat_actions = list(spec.repeat.actions) if spec.repeat else []
    policy.repeat_template = spec.repeat.template if spec.repeat else "reminder"
    policy.updated_at = utcnow()
    session.add(policy)
    await session.flush()
    assert policy.id is not None
    await drop_steps(session, policy_id=policy.id)
    for step in spec.steps:
        session.add(
            PolicyStep(
                policy_id=policy.id,
                offset_days=step.offset,
                channels=list(step.channels),
                actions=list(step.actions),
                template=step.template,
            )
        )
    await session.flush()
    return policy


async def ensure_standard(session: AsyncSession) -> int:
    """Store the built-in `standard` policy unless it exists; return its id."""
    existing = await policy_id_by_name(session, name=STANDARD.name)
    if existing is not None:
        return existing
    policy = await save_spec(session, spec=STANDARD, description="Tagih's default cadence")
    assert policy.id is not None
    return policy.id
