import sys

from django.db import InterfaceError, OperationalError
from django.shortcuts import render

# Long enough for PostgreSQL to restart; browsers and proxies may retry after it.
RETRY_AFTER_SECONDS = 10


def server_error(request):
    """The 500 page, rendered in the visitor's language. It uses no database query, since
    the database may be the reason for the error. When it is (PostgreSQL restarting, the
    connection lost), the answer is 503 with a page that says to try again shortly."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        response = render(request, "500.html", {"unavailable": True}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return render(request, "500.html", status=500)
