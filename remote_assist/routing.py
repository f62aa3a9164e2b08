"""Who gets which call: agents with skills, callers in order, ring and wait limits (pure, no I/O).

``CallRouting`` is the interface the signaling relay drives; ``InMemoryRouting`` keeps the state in
dicts. Across nodes (``redis_exchange``) the same class is loaded from Redis for each change: every
agent and call then names the ``node`` holding its socket, and a caller whose node went away keeps
its place (``kiosk_lost``) until it calls again through another node or its grace runs out.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from remote_assist import protocol
from remote_assist.protocol import Role
from remote_assist.schema import MessageError

Endpoint = tuple[Role, str]
IceServersFor = Callable[[str], list[dict[str, Any]]]


@dataclass(frozen=True)
class Outbound:
    """A message for one connected endpoint (``("kiosk", name)`` or ``("staff", username)``)."""

    to: Endpoint
    message: dict[str, Any]


@dataclass(frozen=True)
class RoutingLimits:
    wait_limit_s: float = 300.0  # a caller waiting longer is offered a booking instead
    ring_timeout_s: float = 30.0  # an agent not answering this long counts as a decline
    mean_call_s: float = 240.0  # for the caller's estimated wait
    # A waiting caller whose node went away keeps its place this long for its call through another node.
    resume_grace_s: float = 30.0

    def __post_init__(self) -> None:
        if min(self.wait_limit_s, self.ring_timeout_s, self.mean_call_s, self.resume_grace_s) <= 0:
            raise ValueError("routing limits must be positive")


@dataclass
class Agent:
    username: str
    name: str
    state: str = "away"
    skills: frozenset[str] = frozenset()
    idle_since: float = 0.0
    call_id: str | None = None  # ringing or active
    node: str = ""  # the node holding the agent's socket (several nodes)

    @property
    def free(self) -> bool:
        return self.state == "available" and self.call_id is None


CallState = Literal["queued", "ringing", "active"]


@dataclass
class Call:
    call_id: str
    kiosk: str
    site: str
    skill: str
    lang: str
    queued_at: float
    seq: int
    state: CallState = "queued"
    agent: str | None = None
    ring_started: float = 0.0
    declined_by: set[str] = field(default_factory=set)
    last_position: tuple[int, int] | None = None
    answered_at: float | None = None
    node: str = ""  # the node holding the kiosk's socket (several nodes)
    orphaned_at: float | None = None  # the kiosk's node went away; its place is kept for a while


@dataclass(frozen=True)
class RoutingStatus:
    agents_online: int
    agents_available: int
    callers_waiting: int
    calls_active: int


class CallRouting(Protocol):
    def add_agent(self, username: str, name: str, now: float) -> list[Outbound]: ...
    def remove_agent(self, username: str, now: float, reason: str) -> list[Outbound]: ...
    def presence(self, username: str, state: str, skills: list[str], now: float) -> list[Outbound]: ...
    def kiosk_call(
        self, kiosk: str, site: str, skill: str, lang: str, now: float, resume: str | None = None
    ) -> tuple[str, list[Outbound]]: ...
    def accept(self, username: str, call_id: str, now: float) -> list[Outbound]: ...
    def decline(self, username: str, call_id: str, now: float) -> list[Outbound]: ...
    def relay(self, sender: Endpoint, message: dict[str, Any]) -> list[Outbound]: ...
    def hangup(self, sender: Endpoint, call_id: str, reason: str, now: float) -> list[Outbound]: ...
    def kiosk_gone(self, kiosk: str, now: float, reason: str) -> list[Outbound]: ...
    def kiosk_lost(self, kiosk: str, now: float, reason: str) -> list[Outbound]: ...
    def tick(self, now: float, next_open: Callable[[str], datetime | None]) -> list[Outbound]: ...
    def status(self, site: str | None = None) -> RoutingStatus: ...
    def call_of(self, endpoint: Endpoint) -> str | None: ...


class InMemoryRouting:
    """One node's routing state. Every method returns the messages the change causes."""

    def __init__(
        self,
        ice_servers_for: IceServersFor,
        limits: RoutingLimits | None = None,
        *,
        wait_limit_for: Callable[[str], float | None] | None = None,
        node: str = "",
    ) -> None:
        self.node = node
        self.limits = limits or RoutingLimits()
        self._wait_limit_for = wait_limit_for
        self._ice_servers_for = ice_servers_for
        self.agents: dict[str, Agent] = {}
        self.calls: dict[str, Call] = {}
        self._seq = itertools.count()

    def load(self, agents: dict[str, Agent], calls: dict[str, Call], last_seq: int) -> None:
        """Take over state kept elsewhere (Redis); new callers line up after ``last_seq``."""
        self.agents, self.calls = agents, calls
        self._seq = itertools.count(last_seq + 1)

    # --- agents -------------------------------------------------------------------------
    def add_agent(self, username: str, name: str, now: float) -> list[Outbound]:
        self.agents[username] = Agent(username=username, name=name, idle_since=now, node=self.node)
        return []

    def remove_agent(self, username: str, now: float, reason: str) -> list[Outbound]:
        agent = self.agents.pop(username, None)
        if agent is None or agent.call_id is None:
            return self._dispatch(now)
        call = self.calls[agent.call_id]
        if call.state == "ringing":
            call.state, call.agent = "queued", None
            return self._dispatch(now)
        del self.calls[call.call_id]
        return [Outbound(("kiosk", call.kiosk), protocol.ended(call.call_id, reason)), *self._dispatch(now)]

    def presence(self, username: str, state: str, skills: list[str], now: float) -> list[Outbound]:
        agent = self._agent(username)
        was_free = agent.free
        agent.state = state
        agent.skills = frozenset(skills)
        if agent.free and not was_free:
            agent.idle_since = now
        out = [Outbound(("staff", username), {"type": "presence", "state": state, "skills": sorted(skills)})]
        return out + self._dispatch(now)

    # --- callers ------------------------------------------------------------------------
    def kiosk_call(
        self, kiosk: str, site: str, skill: str, lang: str, now: float, resume: str | None = None
    ) -> tuple[str, list[Outbound]]:
        """A new caller at the back of the line, or (``resume``: its call's id) one back in its place."""
        existing = self.call_of(("kiosk", kiosk))
        out: list[Outbound] = []
        if existing is not None:
            call = self.calls[existing]
            moved = call.orphaned_at is not None or (resume == existing and call.node != self.node)
            if not moved:
                raise MessageError("call_in_progress", "this kiosk already has a call")
            if call.skill == skill and call.state != "active":
                # Back through another node: the same call, in the same place in line.
                call.orphaned_at, call.node, call.lang, call.last_position = None, self.node, lang, None
                return existing, self._dispatch(now)
            out = self._end(call, "kiosk_left", now, tell_kiosk=False)
        call_id = "c_" + secrets.token_urlsafe(12)
        self.calls[call_id] = Call(
            call_id, kiosk, site, skill, lang, queued_at=now, seq=next(self._seq), node=self.node
        )
        return call_id, out + self._dispatch(now)

    def accept(self, username: str, call_id: str, now: float) -> list[Outbound]:
        agent = self._agent(username)
        call = self._ringing_at(agent, call_id)
        call.state, call.answered_at = "active", now
        ice_kiosk = self._ice_servers_for(call.kiosk)
        ice_staff = self._ice_servers_for(username)
        return [
            Outbound(
                ("kiosk", call.kiosk), protocol.accepted_for_kiosk(call_id, username, agent.name, ice_kiosk)
            ),
            Outbound(
                ("staff", username), protocol.accepted_for_staff(call_id, call.kiosk, call.site, ice_staff)
            ),
            *self._dispatch(now),
        ]

    def decline(self, username: str, call_id: str, now: float) -> list[Outbound]:
        agent = self._agent(username)
        call = self._ringing_at(agent, call_id)
        call.state, call.agent = "queued", None
        call.declined_by.add(username)
        agent.call_id = None
        return self._dispatch(now)

    def relay(self, sender: Endpoint, message: dict[str, Any]) -> list[Outbound]:
        call = self._active_of(sender, message["call_id"])
        other: Endpoint = ("staff", call.agent or "") if sender[0] == "kiosk" else ("kiosk", call.kiosk)
        return [Outbound(other, message)]

    def hangup(self, sender: Endpoint, call_id: str, reason: str, now: float) -> list[Outbound]:
        call = self.calls.get(call_id)
        if call is None or not self._is_party(sender, call):
            raise MessageError("not_your_call", "no such call of yours", field="call_id")
        return self._end(call, reason, now)

    def kiosk_gone(self, kiosk: str, now: float, reason: str) -> list[Outbound]:
        call_id = self.call_of(("kiosk", kiosk))
        if call_id is None:
            return []
        return self._end(self.calls[call_id], reason, now, tell_kiosk=False)

    def kiosk_lost(self, kiosk: str, now: float, reason: str) -> list[Outbound]:
        """The kiosk's node went away (or its socket moved to another node): a talk ends, a wait is kept."""
        call_id = self.call_of(("kiosk", kiosk))
        if call_id is None:
            return []
        call = self.calls[call_id]
        if call.state == "active":
            return self._end(call, reason, now, tell_kiosk=False)
        out = self._withdraw(call, reason)
        call.state, call.agent, call.orphaned_at, call.last_position = "queued", None, now, None
        return out + self._dispatch(now)

    # --- time ---------------------------------------------------------------------------
    def tick(self, now: float, next_open: Callable[[str], datetime | None]) -> list[Outbound]:
        """Apply the ring timeout and the wait limit."""
        out: list[Outbound] = []
        for call in list(self.calls.values()):
            if call.orphaned_at is not None and now - call.orphaned_at >= self.limits.resume_grace_s:
                del self.calls[call.call_id]
                continue
            if call.state == "ringing" and now - call.ring_started >= self.limits.ring_timeout_s:
                agent = self.agents.get(call.agent or "")
                out.append(
                    Outbound(("staff", call.agent or ""), protocol.withdrawn(call.call_id, "ring_timeout"))
                )
                call.declined_by.add(call.agent or "")
                call.state, call.agent = "queued", None
                if agent is not None:
                    agent.call_id = None
                    # Not answering is not being idle: move the agent to the back of the line.
                    agent.idle_since = now
            if call.state in ("queued", "ringing") and now - call.queued_at >= self.wait_limit_s(call.site):
                out += self._withdraw(call, "wait_limit")
                del self.calls[call.call_id]
                out.append(
                    Outbound(
                        ("kiosk", call.kiosk),
                        protocol.unavailable("wait_limit", next_open(call.site), call_id=call.call_id),
                    )
                )
        return out + self._dispatch(now)

    # --- queries ------------------------------------------------------------------------
    def wait_limit_s(self, site: str) -> float:
        """How long a caller at ``site`` waits before being offered a booking instead."""
        own = self._wait_limit_for(site) if self._wait_limit_for is not None else None
        return own if own is not None and own > 0 else self.limits.wait_limit_s

    def status(self, site: str | None = None) -> RoutingStatus:
        online = [a for a in self.agents.values() if a.state != "away"]
        waiting = [c for c in self.calls.values() if c.state != "active" and site in (None, c.site)]
        return RoutingStatus(
            agents_online=len(online),
            agents_available=sum(a.free for a in online),
            callers_waiting=len(waiting),
            calls_active=sum(c.state == "active" for c in self.calls.values()),
        )

    def call_of(self, endpoint: Endpoint) -> str | None:
        role, name = endpoint
        if role == "staff":
            agent = self.agents.get(name)
            return agent.call_id if agent else None
        for call in self.calls.values():
            if call.kiosk == name:
                return call.call_id
        return None

    # --- internals ----------------------------------------------------------------------
    def _agent(self, username: str) -> Agent:
        agent = self.agents.get(username)
        if agent is None:
            raise MessageError("not_connected", "agent is not connected")
        return agent

    def _ringing_at(self, agent: Agent, call_id: str) -> Call:
        call = self.calls.get(call_id)
        if call is None or call.state != "ringing" or call.agent != agent.username:
            raise MessageError("not_your_call", "no call is ringing for you with this id", field="call_id")
        return call

    def _active_of(self, sender: Endpoint, call_id: str) -> Call:
        call = self.calls.get(call_id)
        if call is None or not self._is_party(sender, call):
            raise MessageError("not_your_call", "no such call of yours", field="call_id")
        if call.state != "active":
            raise MessageError("call_not_active", "the call has not been accepted yet", field="call_id")
        return call

    @staticmethod
    def _is_party(sender: Endpoint, call: Call) -> bool:
        role, name = sender
        if role == "kiosk":
            return call.kiosk == name
        return call.agent == name and call.state in ("ringing", "active")

    def _withdraw(self, call: Call, reason: str) -> list[Outbound]:
        if call.state != "ringing" or call.agent is None:
            return []
        agent = self.agents.get(call.agent)
        if agent is not None:
            agent.call_id = None
        return [Outbound(("staff", call.agent), protocol.withdrawn(call.call_id, reason))]

    def _end(self, call: Call, reason: str, now: float, *, tell_kiosk: bool = True) -> list[Outbound]:
        del self.calls[call.call_id]
        out: list[Outbound] = []
        if call.state == "active" and call.agent is not None:
            agent = self.agents.get(call.agent)
            if agent is not None:
                agent.call_id = None
                agent.idle_since = now
                out.append(Outbound(("staff", call.agent), protocol.ended(call.call_id, reason)))
        else:
            out += self._withdraw(call, reason)
        if tell_kiosk:
            out.append(Outbound(("kiosk", call.kiosk), protocol.ended(call.call_id, reason)))
        return out + self._dispatch(now)

    def _dispatch(self, now: float) -> list[Outbound]:
        """Ring the longest-idle free agent for each waiting caller in order; tell callers their place."""
        out: list[Outbound] = []
        waiting = sorted((c for c in self.calls.values() if c.state != "active"), key=lambda c: c.seq)
        for call in waiting:
            if call.state != "queued" or call.orphaned_at is not None:
                continue
            candidates = [
                a
                for a in self.agents.values()
                if a.free and call.skill in a.skills and a.username not in call.declined_by
            ]
            if not candidates:
                continue
            agent = min(candidates, key=lambda a: (a.idle_since, a.username))
            agent.call_id = call.call_id
            call.state, call.agent, call.ring_started = "ringing", agent.username, now
            out.append(
                Outbound(
                    ("staff", agent.username),
                    protocol.incoming(
                        call.call_id, call.kiosk, call.site, call.skill, call.lang, int(now - call.queued_at)
                    ),
                )
            )
        per_skill: dict[str, int] = {}
        for call in waiting:
            position = per_skill.get(call.skill, 0) + 1
            per_skill[call.skill] = position
            agents = sum(1 for a in self.agents.values() if a.state != "away" and call.skill in a.skills)
            eta = int(position * self.limits.mean_call_s / max(1, agents))
            if call.last_position != (position, eta) and call.orphaned_at is None:
                call.last_position = (position, eta)
                out.append(Outbound(("kiosk", call.kiosk), protocol.queued(call.call_id, position, eta)))
        return out
