"""The access matrix's vocabulary: personas, routes and who gets which status. Route lists for
the review pipeline live beside their tests and are gathered in test_access."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PERSONAS = (
    "staff",
    "district_admin",
    "other_staff",
    "other_admin",
    "office",
    "reviewer",
    "leader",
    "sysadmin",
    "nobody",
)
EVERY_ROLE = PERSONAS[:-1]


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    allowed: dict[str, int]  # persona -> status; every other persona gets `denied`
    denied: int = 403
    args: Callable[[Any], list[Any]] = lambda case: []
    data: Callable[[Any], dict[str, Any]] = lambda case: {}
    # Public pages (the notice, the objection form) answer anonymous visitors too.
    public: bool = False


def everyone(status: int = 200) -> dict[str, int]:
    return dict.fromkeys(EVERY_ROLE, status)


def only(status: int, *personas: str, **overrides: int) -> dict[str, int]:
    return {**dict.fromkeys(personas, status), **overrides}
