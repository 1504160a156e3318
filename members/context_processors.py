from functools import cache


def notifications(request):
    """The number of unread notifications in the header: one COUNT on an index, made only
    when a page shows it (templates call a callable when they read it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def unread() -> int:
        return user.notifications.filter(read_at__isnull=True).count()

    return {"unread_notifications": unread}
