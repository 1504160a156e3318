"""The permission matrix, split by area: each module lists Case(...) for its URL names.

"LOGIN" means a redirect to the sign-in page; "REDIRECT" a redirect elsewhere (success).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from tests.conftest import ROLES

LOGIN = "LOGIN"
REDIRECT = "REDIRECT"


def roles(default, **overrides):
    expected = dict.fromkeys(ROLES, default)
    expected.update(overrides)
    return expected


EVERYONE_200 = roles(200)
SIGNED_IN_200 = roles(200, anonymous=LOGIN)
MANAGE_A = roles(403, anonymous=LOGIN, coordinator=200, admin=200)
MANAGE_A_POST = roles(403, anonymous=LOGIN, coordinator=REDIRECT, admin=REDIRECT)
# Table B is private: only its insiders (delegate_b, its coordinator) and admins see it.
VIEW_B = roles(404, delegate_b=200, admin=200)
MANAGE_B = roles(404, anonymous=LOGIN, delegate_b=403, admin=200)
MANAGE_B_POST = roles(404, anonymous=LOGIN, delegate_b=403, admin=REDIRECT)
SIGNED_OUT_ONLY = roles(REDIRECT, anonymous=200)


@dataclass
class Case:
    name: str
    expected: dict
    kwargs: Callable = lambda w: {}
    method: str = "get"
    data: Callable = lambda w: {}
    label: str = ""
    ids: list = field(default_factory=list)
    content_type: str | None = None
