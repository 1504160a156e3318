from members.access import access_for


def can_create_organisation(user) -> bool:
    access = access_for(user)
    return access.is_admin or access.is_coordinator


def can_edit_organisation(user, organisation) -> bool:
    """Admins, the organisation's own people, and coordinators of a table it sits at."""
    access = access_for(user)
    if access.is_admin or access.organisation_id == organisation.pk:
        return True
    if not access.coordinated_table_ids:
        return False
    return organisation.memberships.active().filter(table_id__in=access.coordinated_table_ids).exists()


def can_see_people(user, organisation) -> bool:
    """Who works for an organisation is shown to signed-in people who share a table with
    it, to its own people and to admins; never to the anonymous public."""
    access = access_for(user)
    if not access.is_authenticated:
        return False
    if access.is_admin or access.organisation_id == organisation.pk:
        return True
    tables = access.table_ids
    return bool(tables) and organisation.memberships.active().filter(table_id__in=tables).exists()


# One answer for every channel ----------------------------------------------------------------
#
# Pages, htmx partials, exports, PDFs, calendar feeds, signed links and email contents ask
# the same two questions of an object: may this person see it, may they act on it. Each app
# registers its models' answers at start-up (its AppConfig.ready), so that members, at the
# bottom of the chain, answers for objects of the apps above it without importing them.

_RULES: dict[type, tuple] = {}


def register_rules(model, *, see, act) -> None:
    """`see(user, obj)` and `act(user, obj)` answer for `model`: the rules of its page."""
    _RULES[model] = (see, act)


def _rules(obj):
    for klass in type(obj).__mro__:
        if klass in _RULES:
            return _RULES[klass]
    raise LookupError(f"no permission rules are registered for {type(obj).__name__}")


def may_see(user, obj) -> bool:
    """Whether `user` may see `obj` on its page, and so in any channel derived from it."""
    return bool(_rules(obj)[0](user, obj))


def may_act(user, obj) -> bool:
    """Whether `user` may change `obj` (its page's main actions)."""
    return bool(_rules(obj)[1](user, obj))


def has_rules(obj) -> bool:
    return any(klass in _RULES for klass in type(obj).__mro__)
