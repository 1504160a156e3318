from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from .access import access_for

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


class LanguageMiddleware:
    """French first: the language is the one the person chose (cookie, then profile), else
    French. The browser's Accept-Language is deliberately ignored: most people here use
    English-language browsers but expect the French interface."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in LANGUAGE_CODES and request.user.is_authenticated:
            language = request.user.language
        if language not in LANGUAGE_CODES:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class RejectNulBytesMiddleware:
    """A NUL byte in the query string is never a real person's search: PostgreSQL refuses
    it in text, so the request is answered 400 before any view turns it into a query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return render(request, "400.html", status=400)
        return self.get_response(request)


class StaffMFAMiddleware:
    """With REQUIRE_MFA_FOR_STAFF, coordinators, funder staff and admins must set up
    two-factor authentication before anything else."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/media/", "/i18n/", "/healthz/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.REQUIRE_MFA_FOR_STAFF
            and request.user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and self._is_staff(request.user)
            and not self._has_mfa(request.user)
        ):
            messages.warning(
                request,
                _("Your role requires two-factor authentication. Please set it up to continue."),
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    @staticmethod
    def _is_staff(user):
        access = access_for(user)
        return access.is_admin or access.is_coordinator or access.is_funder_staff

    @staticmethod
    def _has_mfa(user):
        from allauth.mfa.models import Authenticator

        return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
