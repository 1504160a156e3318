def navigation(request):
    """What the main menu offers this person (cheap: the access is computed once a request)."""
    from .regional import can_view_regional

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from members.access import access_for

    return {"nav_regional": can_view_regional(user), "nav_funder": access_for(user).is_funder_staff}
