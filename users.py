"""Who may use the app and what they may do: users, roles and bcrypt password hashes in one file in the data dir.

Readers ask; editors also add and remove documents; an admin is an editor who
also manages users (from the command line, ``python -m app users …``). The file
is rewritten whole through a temporary file and a rename, so a reader never sees
half of it, and it is read on every check, so removing a user or changing a role
takes effect at that user's next action.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import bcrypt

from settings import Settings, get_settings

ROLES = ("reader", "editor", "admin")
EDITORS = ("editor", "admin")
ROLE_NAMES = {"reader": "læser", "editor": "redaktør", "admin": "administrator"}
# What a user name may hold: it is shown in citations ("uploadet af …") and typed on a login page.
NAME_RE = re.compile(r"[\w.@-]{1,64}")
# bcrypt reads at most 72 bytes of a password; a longer one would be cut silently, so it is refused.
MAX_PASSWORD_BYTES = 72
MIN_PASSWORD_CHARS = 8


class UserError(ValueError):
    """A user command that cannot be carried out; the message is Danish."""


@dataclass(frozen=True)
class User:
    name: str
    role: str

    @property
    def can_edit(self) -> bool:
        return self.role in EDITORS


def load_users(config: Settings | None = None) -> dict[str, dict]:
    """name → {"role", "hash"}; an absent file is no users."""
    path = (config or get_settings()).users_path
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise UserError(f"Brugerfilen {path.name} i datamappen kan ikke læses ({type(error).__name__}).") from error
    return {str(name): entry for name, entry in (data.get("users") or {}).items() if isinstance(entry, dict)}


def has_users(config: Settings | None = None) -> bool:
    return bool(load_users(config))


def find_user(name: str | None, config: Settings | None = None) -> User | None:
    if not name:
        return None
    entry = load_users(config).get(name)
    return User(name, str(entry.get("role"))) if entry and entry.get("role") in ROLES else None


def check_password(name: str, password: str, config: Settings | None = None) -> bool:
    """Gradio's ``auth`` callable: whether the name and password match a stored user."""
    entry = load_users(config).get(name)
    secret = password.encode("utf-8")
    if not entry or len(secret) > MAX_PASSWORD_BYTES:
        return False
    try:
        return bcrypt.checkpw(secret, str(entry.get("hash", "")).encode("ascii"))
    except ValueError:  # a damaged hash matches nothing
        return False


def add_user(name: str, role: str, password: str, config: Settings | None = None) -> None:
    users = load_users(config)
    if name in users:
        raise UserError(f"Brugeren {name} findes allerede; brug 'users passwd' for at skifte adgangskode.")
    _check_name(name)
    _check_role(role)
    users[name] = {"role": role, "hash": _hash(password)}
    _save(users, config)


def set_password(name: str, password: str, config: Settings | None = None) -> None:
    users = load_users(config)
    if name not in users:
        raise UserError(f"Brugeren {name} findes ikke.")
    users[name]["hash"] = _hash(password)
    _save(users, config)


def remove_user(name: str, config: Settings | None = None) -> None:
    users = load_users(config)
    if users.pop(name, None) is None:
        raise UserError(f"Brugeren {name} findes ikke.")
    _save(users, config)


def _check_name(name: str) -> None:
    if not NAME_RE.fullmatch(name):
        raise UserError("Et brugernavn er 1-64 tegn: bogstaver, tal, punktum, bindestreg, understregning eller @.")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise UserError(f"Ukendt rolle {role!r}; vælg en af: {', '.join(ROLES)}.")


def _hash(password: str) -> str:
    secret = password.encode("utf-8")
    if len(password) < MIN_PASSWORD_CHARS:
        raise UserError(f"Adgangskoden skal have mindst {MIN_PASSWORD_CHARS} tegn.")
    if len(secret) > MAX_PASSWORD_BYTES:
        raise UserError(f"Adgangskoden må højst fylde {MAX_PASSWORD_BYTES} bytes.")
    return bcrypt.hashpw(secret, bcrypt.gensalt()).decode("ascii")


def _save(users: dict[str, dict], config: Settings | None) -> None:
    path = (config or get_settings()).users_path
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".users-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump({"users": users}, file, ensure_ascii=False, indent=2)
        os.chmod(temporary, 0o600)  # password hashes: readable by the app's user only
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def users_command(argv: list[str]) -> int:
    """``python -m app users add NAME --role editor|reader|admin``, ``… passwd NAME``, ``… remove NAME``."""
    import argparse
    import getpass
    import sys

    parser = argparse.ArgumentParser(prog="python -m app users", description="Administrér appens brugere.")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="tilføj en bruger")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, default="reader")
    commands.add_parser("passwd", help="skift en brugers adgangskode").add_argument("name")
    commands.add_parser("remove", help="fjern en bruger").add_argument("name")
    commands.add_parser("list", help="vis brugerne og deres roller")
    args = parser.parse_args(argv)
    try:
        if args.command == "list":
            for name, entry in sorted(load_users().items()):
                print(f"{name}\t{entry.get('role')}")
            return 0
        if args.command == "remove":
            remove_user(args.name)
            print(f"Brugeren {args.name} er fjernet.")
            return 0
        password = _read_password(getpass, sys.stdin)
        if args.command == "add":
            add_user(args.name, args.role, password)
            print(f"Brugeren {args.name} er oprettet som {ROLE_NAMES[args.role]}.")
        else:
            set_password(args.name, password)
            print(f"Adgangskoden for {args.name} er skiftet.")
    except UserError as error:
        print(f"fejl: {error}", file=sys.stderr)
        return 2
    return 0


def _read_password(getpass, stdin) -> str:
    """Asked twice at a terminal; read from the first line of stdin when it is piped (scripts, tests)."""
    if not stdin.isatty():
        return stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Adgangskode: ")
    if getpass.getpass("Gentag adgangskoden: ") != first:
        raise UserError("De to adgangskoder er ikke ens; intet er ændret.")
    return first
