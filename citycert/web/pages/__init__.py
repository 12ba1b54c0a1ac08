"""Page groups of the portal: one module per group, each with its own router.

To add a page group (city workspace, verifier console, ISO 37106 questionnaire) write a module
in this package with `router = APIRouter()` and builders registered with `rendering.page`, put
its templates in `web/templates/`, and, for a link in the top navigation, give the module
`NAV = (NavItem("/workspace", "nav.workspace", order=60, needs_login=True),)`. Modules are found
by `discover()` when an app is created; nothing needs registering elsewhere.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from types import ModuleType

from fastapi import APIRouter
from starlette.routing import BaseRoute

from citycert.services.principal import Principal


@dataclass(frozen=True)
class NavItem:
    """A top-navigation link, placed by `order`; `needs_login` items show to signed-in people."""

    path: str
    key: str  # i18n key of the label
    order: int = 50
    needs_login: bool = False

    def shown(self, principal: Callable[[], Principal]) -> bool:
        # The principal is looked up only for items that depend on it (public pages stay cheap).
        return not self.needs_login or principal().user_id is not None


@dataclass(frozen=True)
class PageGroups:
    routers: tuple[APIRouter, ...]
    nav: tuple[NavItem, ...]


def _modules() -> list[ModuleType]:
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    return [importlib.import_module(f"{__name__}.{name}") for name in names]


def discover() -> PageGroups:
    """Every page module's router and navigation items (imported on demand, not at import)."""
    routers: list[APIRouter] = []
    nav: list[NavItem] = []
    for module in _modules():
        router = getattr(module, "router", None)
        if isinstance(router, APIRouter):
            routers.append(router)
        nav.extend(getattr(module, "NAV", ()))
    return PageGroups(tuple(routers), tuple(sorted(nav, key=lambda n: (n.order, n.path))))


def flat_routes(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, with included routers opened up (page groups are included without prefix)."""
    for route in routes:
        original = getattr(route, "original_router", None)
        if isinstance(original, APIRouter):
            yield from flat_routes(original.routes)
        else:
            yield route
