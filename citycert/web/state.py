"""What an app instance is built with (settings, database, templates), read by every request.

This is configuration, not request state: it is the same in every process serving the portal.
Sessions, tokens and everything else that changes live in the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import Environment
from starlette.requests import Request

from citycert.settings import Settings
from citycert.store.engine import Database


@dataclass(frozen=True)
class WebState:
    settings: Settings
    db: Database
    templates: Environment


def web_state(request: Request) -> WebState:
    """The app's WebState (set by `create_app`)."""
    state: WebState = request.app.state.citycert
    return state
