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
