"""Every URL pattern of the project, for every role, with the status it must answer.

The cases live in tests/site/permission_cases/, one module per area. A new view
without a case fails `test_every_url_pattern_has_a_permission_case`.
"""

import importlib
import json
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import ROLES, client_as
from tests.site import permission_cases
from tests.site.permission_cases import LOGIN, REDIRECT

CASES = [
    case
    for module in pkgutil.iter_modules(permission_cases.__path__)
    for case in importlib.import_module(f"{permission_cases.__name__}.{module.name}").CASES
]


def all_url_names(patterns=None, namespace=None, prefix=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            ns = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            yield from all_url_names(pattern.url_patterns, ns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            name = pattern.name or f"<unnamed {prefix}{pattern.pattern}>"
            yield (f"{namespace}:{name}" if namespace else name), prefix + str(pattern.pattern)


def test_every_url_pattern_has_a_permission_case():
    covered = {case.name for case in CASES}
    # Django's admin is checked model by model in test_admin_is_for_platform_admins_only.
    missing = sorted(
        name for name, route in all_url_names() if name not in covered and not route.startswith("admin/")
    )
    assert missing == [], f"URL patterns without a permission case: {missing}"


PARAMS = [
    pytest.param(
        case, role, id=f"{case.name}{'[' + case.label + ']' if case.label else ''}-{case.method}-{role}"
    )
    for case in CASES
    for role in ROLES
]


@pytest.mark.parametrize(("case", "role"), PARAMS)
def test_permission(world, case, role):
    url = reverse(case.name, kwargs=case.kwargs(world))
    client = client_as(world, role)
    if case.content_type:
        response = getattr(client, case.method)(
            url, json.dumps(case.data(world)), content_type=case.content_type
        )
    else:
        response = getattr(client, case.method)(url, case.data(world))
    expected = case.expected[role]
    if expected == LOGIN:
        assert response.status_code == 302, response.status_code
        assert response.url.startswith(reverse("account_login")), response.url
    elif expected == REDIRECT:
        assert response.status_code == 302, response.status_code
        assert not response.url.startswith(reverse("account_login")), response.url
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_admin_is_for_platform_admins_only(world, role):
    from django.contrib import admin

    client = client_as(world, role)
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls += [reverse(f"{prefix}_changelist"), reverse(f"{prefix}_add")]
        instance = model._default_manager.first()
        if instance is not None:
            urls.append(reverse(f"{prefix}_change", args=[instance.pk]))
    for url in urls:
        response = client.get(url)
        if role == "admin":
            assert response.status_code == 200, url
        else:
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("admin:login")), url
