"""Workbench agents: Argon2id password hashes and server-side sessions.

    python -m shop.workbench.accounts add USERNAME --name 显示名 [--role reviewer]
                                                    (password from $WORKBENCH_PASSWORD or a prompt)
    python -m shop.workbench.accounts grant USERNAME reviewer      (or revoke USERNAME reviewer)
    python -m shop.workbench.accounts demo FILE [--reviewer FILE2]
        (agent "agent01", also a reviewer, with a random password written to FILE; with --reviewer a
         second reviewer "reviewer02" whose password goes to FILE2: a label needs two reviewers)

Roles: "agent" serves shoppers in the workbench; "reviewer" also labels the messages the
assistant misunderstood (shop.review, the workbench's review page).

Sessions live in SQL (agent_sessions) keyed by the SHA-256 of the cookie token,
so a sign-out holds on every instance and a copied table opens nothing.
"""
from __future__ import annotations

import argparse
import datetime as dt
import getpass
import hashlib
import os
import re
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import sessionmaker

from shop.store import models as m
from shop.store.clock import china_now
from shop.store.session import session_factory

USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")
MIN_PASSWORD, MAX_PASSWORD = 8, 256
SESSION_HOURS = 12
ROLES = ("agent", "reviewer")
_HASHER = PasswordHasher()  # argon2-cffi's defaults: Argon2id, RFC 9106 low-memory profile
# Verifying against this when the username is unknown keeps the answer time the same:
# timing must not tell which usernames exist.
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))


class AccountError(ValueError):
    pass


@dataclass(frozen=True)
class AgentView:
    id: int
    username: str
    display_name: str
    roles: tuple = ("agent",)

    def has(self, role: str) -> bool:
        return role in self.roles


@dataclass(frozen=True)
class SignedIn:
    agent: AgentView
    csrf_token: str
    expires_at: dt.datetime


def _roles(value: str | None) -> tuple:
    return tuple(r for r in (value or "").split() if r in ROLES) or ("agent",)


def _checked_roles(roles) -> str:
    roles = tuple(dict.fromkeys(roles or ("agent",)))
    if not roles or any(r not in ROLES for r in roles):
        raise AccountError(f"roles: some of {', '.join(ROLES)}")
    return " ".join(roles)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Accounts:
    def __init__(self, sessions: sessionmaker, clock: Callable[[], dt.datetime] = china_now,
                 session_hours: float = SESSION_HOURS) -> None:
        self.sessions = sessions
        self.clock = clock
        self.session_hours = session_hours

    def add_agent(self, username: str, display_name: str, password: str, roles=("agent",)) -> AgentView:
        if not isinstance(username, str) or not USERNAME.match(username):
            raise AccountError("username: 3-64 letters, digits, _ . -")
        if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
            raise AccountError(f"password: {MIN_PASSWORD}-{MAX_PASSWORD} characters")
        display_name = (display_name or username).strip()[:64] or username
        role_text = _checked_roles(roles)
        with self.sessions() as s, s.begin():
            if s.scalar(select(m.Agent.id).where(m.Agent.username == username)) is not None:
                raise AccountError(f"agent {username} exists")
            row = m.Agent(username=username, display_name=display_name, password_hash=_HASHER.hash(password),
                          active=True, roles=role_text, created_at=self.clock())
            s.add(row)
            s.flush()
            return AgentView(row.id, row.username, row.display_name, _roles(row.roles))

    def set_roles(self, username: str, roles) -> AgentView:
        """Replace an agent's roles (sessions keep going: roles are read on every request)."""
        role_text = _checked_roles(roles)
        with self.sessions() as s, s.begin():
            row = s.scalars(select(m.Agent).where(m.Agent.username == username)).first()
            if row is None:
                raise AccountError(f"no agent {username}")
            row.roles = role_text
            return AgentView(row.id, row.username, row.display_name, _roles(row.roles))

    def roles_of(self, username: str) -> tuple:
        with self.sessions() as s:
            value = s.scalar(select(m.Agent.roles).where(m.Agent.username == username))
        if value is None:
            raise AccountError(f"no agent {username}")
        return _roles(value)

    def set_password(self, username: str, password: str) -> None:
        if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
            raise AccountError(f"password: {MIN_PASSWORD}-{MAX_PASSWORD} characters")
        with self.sessions() as s, s.begin():
            row = s.scalars(select(m.Agent).where(m.Agent.username == username)).first()
            if row is None:
                raise AccountError(f"no agent {username}")
            row.password_hash = _HASHER.hash(password)
            s.execute(delete(m.AgentSession).where(m.AgentSession.agent_id == row.id))

    def authenticate(self, username: str, password: str) -> Optional[AgentView]:
        if not isinstance(username, str) or not isinstance(password, str) or len(password) > MAX_PASSWORD:
            return None
        with self.sessions() as s, s.begin():
            row = s.scalars(select(m.Agent).where(m.Agent.username == username, m.Agent.active.is_(True))).first()
            try:
                _HASHER.verify(row.password_hash if row else _DUMMY_HASH, password)
            except (VerificationError, InvalidHashError):
                return None
            if row is None:
                return None
            if _HASHER.check_needs_rehash(row.password_hash):  # parameters raised since it was set
                row.password_hash = _HASHER.hash(password)
            return AgentView(row.id, row.username, row.display_name, _roles(row.roles))

    def open_session(self, agent: AgentView) -> tuple[str, SignedIn]:
        """A new session: the cookie token (returned once, stored only as a digest) and its CSRF token."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = self.clock()
        expires = now + dt.timedelta(hours=self.session_hours)
        with self.sessions() as s, s.begin():
            s.execute(delete(m.AgentSession).where(m.AgentSession.expires_at < now))
            s.add(m.AgentSession(token_hash=_digest(token), agent_id=agent.id, csrf_token=csrf,
                                 created_at=now, expires_at=expires))
        return token, SignedIn(agent, csrf, expires)

    def session(self, token: Optional[str]) -> Optional[SignedIn]:
        if not isinstance(token, str) or not 20 <= len(token) <= 100:
            return None
        with self.sessions() as s:
            row = s.execute(select(m.AgentSession, m.Agent).join(m.Agent, m.Agent.id == m.AgentSession.agent_id)
                            .where(m.AgentSession.token_hash == _digest(token))).first()
            if row is None:
                return None
            sess, agent = row
            if sess.expires_at <= self.clock() or not agent.active:
                return None
            return SignedIn(AgentView(agent.id, agent.username, agent.display_name, _roles(agent.roles)),
                            sess.csrf_token,
                            sess.expires_at)

    def close_session(self, token: Optional[str]) -> None:
        if isinstance(token, str) and token:
            with self.sessions() as s, s.begin():
                s.execute(delete(m.AgentSession).where(m.AgentSession.token_hash == _digest(token)))


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shop.workbench.accounts", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="add an agent")
    add.add_argument("username")
    add.add_argument("--name", default="")
    add.add_argument("--role", action="append", choices=ROLES, help="agent (default) and/or reviewer")
    for verb in ("grant", "revoke"):
        p = sub.add_parser(verb, help=f"{verb} a role")
        p.add_argument("username")
        p.add_argument("role", choices=ROLES)
    demo = sub.add_parser("demo", help="ensure a demo agent agent01 exists; its password goes to FILE (mode 600)")
    demo.add_argument("file", type=Path)
    demo.add_argument("--reviewer", type=Path, help="also a second reviewer reviewer02, password to this file")
    args = parser.parse_args(argv)
    accounts = Accounts(session_factory())
    try:
        if args.command == "add":
            password = os.environ.get("WORKBENCH_PASSWORD") or getpass.getpass("password: ")
            roles = ["agent"] + [r for r in args.role or [] if r != "agent"]
            agent = accounts.add_agent(args.username, args.name, password, roles)
            print(f"agent {agent.username} added ({' '.join(agent.roles)})")
            return 0
        if args.command in ("grant", "revoke"):
            current = list(accounts.roles_of(args.username))
            wanted = current + [args.role] if args.command == "grant" else [r for r in current if r != args.role]
            agent = accounts.set_roles(args.username, wanted or ["agent"])
            print(f"agent {agent.username}: {' '.join(agent.roles)}")
            return 0
        _demo(accounts, args.file, "agent01", "客服小王", ("agent", "reviewer"))
        if args.reviewer:
            _demo(accounts, args.reviewer, "reviewer02", "审核小李", ("agent", "reviewer"))
        return 0
    except AccountError as e:
        print(f"accounts: {e}", file=sys.stderr)
        return 1


def _demo(accounts: Accounts, file: Path, username: str, display_name: str, roles: tuple) -> int:
    """Keeps the demo login stable across `make run`s: the password file is the source of truth."""
    if file.exists():
        password = file.read_text(encoding="utf-8").strip()
    else:
        password = secrets.token_urlsafe(12)
        file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(password + "\n")
    try:
        accounts.add_agent(username, display_name, password, roles)
    except AccountError:
        accounts.set_password(username, password)
        accounts.set_roles(username, roles)
    return 0


if __name__ == "__main__":
    sys.exit(main())
