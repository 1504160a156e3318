from django.shortcuts import render


def server_error(request):
    """The 500 page, rendered in the visitor's language. It uses no database query, since
    the database may be the reason for the error."""
    return render(request, "500.html", status=500)
