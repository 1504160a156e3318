from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from .emails import queue_email
from .models import EmailKind

# Set by the invitation page so that sign-up opens for the invited person even when open
# sign-up is off. The page also stashes the invited address as verified (allauth's own
# mechanism): following the emailed link proved it.
INVITATION_SESSION_KEY = "invitation_token"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return settings.ACCOUNT_ALLOW_SIGNUPS or bool(request.session.get(INVITATION_SESSION_KEY))

    def send_mail(self, template_prefix, email, context):
        """Render in the request (for the right language and links), send from Celery."""
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        html = next(
            (content for content, mime in getattr(message, "alternatives", []) if mime == "text/html"), None
        )
        queue_email(
            subject=message.subject, body=message.body, to=message.to, html=html, kind=EmailKind.ACCOUNT
        )
