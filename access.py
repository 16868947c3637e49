"""Who is asking and what they may do in the app: open, signed in (users.py), a proxy's header, or read-only.

The mode follows from the settings and the users file:

- ``header``: MINUTES_AUTH_HEADER is set; a reverse proxy that signs users in
  names the user in that header, and a request without it is refused (401).
  Roles come from the users file; a name not in it is a reader.
- ``users``: the users file has users; everyone signs in on Gradio's login page.
- ``open``: no users and listening on loopback only: anyone on this machine may
  do anything, as a single user's tool.
- ``read_only``: no users and listening beyond loopback: anyone on the network may
  ask, no one may add or remove documents.
"""

from __future__ import annotations

import logging
from pathlib import Path

import users
from settings import Settings

logger = logging.getLogger(__name__)

DOCUMENT_ROUTE = "/dokument"
READ_ONLY_NOTE = ("Appen kører skrivebeskyttet: den lytter på netværket, og der er ingen brugere, så ingen kan "
                  "tilføje eller fjerne dokumenter. Opret brugere med »python -m app users add NAVN --role editor«.")
# Data dirs found unwritable at start, with the disk's Danish message: no uploads until a restart.
UNWRITABLE: dict[Path, str] = {}
READER_NOTE = "Du kan stille spørgsmål; kun redaktører kan tilføje eller fjerne dokumenter."


def mode(config: Settings) -> str:
    if config.auth_header:
        return "header"
    if users.has_users(config):
        return "users"
    return "open" if config.loopback else "read_only"


def request_user(request, config: Settings) -> str:
    """The signed-in user's name ("" when no one signs in). Gradio sets it from its login or auth_dependency."""
    if mode(config) in ("header", "users"):
        return str(getattr(request, "username", None) or "")
    return ""


def may_edit(request, config: Settings) -> tuple[bool, str, str]:
    """(allowed, user, the Danish refusal) for adding or removing documents."""
    current = mode(config)
    user = request_user(request, config)
    if config.data_dir in UNWRITABLE:
        return False, user, f"{UNWRITABLE[config.data_dir]} Der kan ikke tilføjes dokumenter; spørgsmål besvares."
    if current == "open":
        return True, user, ""
    if current == "read_only":
        return False, user, READ_ONLY_NOTE
    found = users.find_user(user, config)
    if found is not None and found.can_edit:
        return True, user, ""
    return False, user, READER_NOTE


def role_name(user: str, config: Settings) -> str:
    found = users.find_user(user, config)
    return users.ROLE_NAMES[found.role] if found else users.ROLE_NAMES["reader"]


def startup_note(config: Settings) -> str:
    return READ_ONLY_NOTE if mode(config) == "read_only" else ""


def launch_options(config: Settings) -> dict:
    """Gradio's sign-in for the mode: its login page checked against the users file, or the proxy's header."""
    current = mode(config)
    if current == "header":
        header = str(config.auth_header)
        return {"auth_dependency": lambda request: request.headers.get(header) or None}
    if current == "users":
        return {"auth": lambda name, password: users.check_password(name, password, config),
                "auth_message": "Log ind med dit brugernavn og din adgangskode."}
    return {}


def log_mode(config: Settings) -> None:
    current = mode(config)
    if current == "read_only":
        logger.warning("Lytter på %s uden brugere: appen er skrivebeskyttet (ingen uploads). %s", config.host,
                       "Opret brugere med 'python -m app users add NAVN --role editor'.")
    elif current == "header":
        logger.info("Brugere logges ind af en reverse proxy via headeren %s.", config.auth_header)
    elif current == "users":
        logger.info("Brugere logger ind; roller fra %s.", config.users_path.name)
    else:
        logger.info("Lytter kun på %s uden brugere: åben for alle på denne maskine.", config.host)


