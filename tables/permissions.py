"""Who may do what to a table. Object-level: coordinating table A gives no power on B."""

from members.access import access_for


def can_view_table(user, table) -> bool:
    access = access_for(user)
    return (
        table.is_public
        or access.is_admin
        or table.pk in access.coordinated_table_ids
        or access.sits_at(table.pk)
    )


def can_manage_table(user, table) -> bool:
    return access_for(user).coordinates(table.pk)


def can_see_delegates(user, table) -> bool:
    """Names of the people who sit at a table are shown to its insiders only."""
    access = access_for(user)
    return access.coordinates(table.pk) or access.sits_at(table.pk)


def can_create_table(user) -> bool:
    return access_for(user).is_admin


# Meetings ---------------------------------------------------------------------------------


def can_manage_meeting(user, meeting) -> bool:
    """Create, edit, convene and cancel meetings; shape the agenda; record attendance."""
    return can_manage_table(user, meeting.table)


def can_see_meeting_details(user, meeting) -> bool:
    """Answers to the convocation, attendance, draft minutes and comments: insiders only."""
    return can_see_delegates(user, meeting.table)


def can_write_minutes(user, meeting) -> bool:
    """The coordination, and the secretary named for the meeting."""
    return can_manage_table(user, meeting.table) or (
        user.is_authenticated and meeting.secretary_id is not None and meeting.secretary_id == user.pk
    )


def can_propose_item(user, meeting) -> bool:
    """Delegates and substitutes of the table's members, while proposals are open."""
    return access_for(user).sits_at(meeting.table_id) and meeting.proposals_open


def organisations_represented(user, table) -> frozenset:
    """Ids of the member organisations `user` acts for at `table`."""
    return access_for(user).delegations.get(table.pk, frozenset())


def can_answer_for(user, membership) -> bool:
    """Answer the convocation for an organisation: its delegates and substitutes, and the
    coordination."""
    access = access_for(user)
    return access.coordinates(membership.table_id) or access.represents(
        membership.table_id, membership.organisation_id
    )


def can_view_minutes(user, minutes) -> bool:
    """Adopted minutes of a public table that publishes them are public; everything else
    is for insiders."""
    table = minutes.meeting.table
    if minutes.is_adopted and table.is_public and table.publish_minutes:
        return True
    return can_see_delegates(user, table)


def can_comment_minutes(user, minutes) -> bool:
    return minutes.status == minutes.Status.CIRCULATED and access_for(user).sits_at(minutes.meeting.table_id)


# Minutes, the register and follow-ups ------------------------------------------------------


def can_read_minutes(user, minutes) -> bool:
    """Those who may view them, and those who write them (a secretary may come from
    outside the table)."""
    return can_view_minutes(user, minutes) or can_write_minutes(user, minutes.meeting)


def can_answer_minutes_comments(user, minutes) -> bool:
    """The secretary and the coordination answer members' comments on a circulated draft."""
    return minutes.status == minutes.Status.CIRCULATED and can_write_minutes(user, minutes.meeting)


def can_view_register(user, table) -> bool:
    """The whole register is for insiders; a public table that publishes its minutes also
    shows the public the resolutions of its adopted minutes (see `can_see_full_register`)."""
    return can_see_full_register(user, table) or (table.is_public and table.publish_minutes)


def can_see_full_register(user, table) -> bool:
    """Resolutions of draft and circulated minutes included."""
    return can_see_delegates(user, table)


def can_view_follow_ups(user, table) -> bool:
    return can_see_delegates(user, table)


def can_complete_follow_up(user, follow_up) -> bool:
    """Those who write the minutes of its meeting, and the delegates and substitutes of the
    organisation that committed to it."""
    if follow_up.organisation_id and access_for(user).represents(
        follow_up.table_id, follow_up.organisation_id
    ):
        return True
    return can_write_minutes(user, follow_up.meeting)


# Action plans -----------------------------------------------------------------------------


def can_view_plan(user, plan) -> bool:
    """An adopted plan is as visible as its table; one still being built is for insiders."""
    if not can_view_table(user, plan.table):
        return False
    return plan.is_frozen or can_see_delegates(user, plan.table)


def can_manage_plan(user, plan) -> bool:
    return can_manage_table(user, plan.table)


def can_contribute_to_plan(user, plan) -> bool:
    """Delegates propose and comment actions while the plan is co-constructed."""
    return access_for(user).sits_at(plan.table_id) and plan.is_open_to_members


def can_report_on_action(user, action, plan) -> bool:
    """The lead organisation's delegates report progress; so does the coordination."""
    access = access_for(user)
    if access.coordinates(plan.table_id):
        return True
    return action.lead_id is not None and access.represents(plan.table_id, action.lead_id)


# Indicators and bilans -------------------------------------------------------------------


def can_read_bilans(user, table) -> bool:
    """The table's insiders and admins; funder staff for tables they can see."""
    if can_see_delegates(user, table):
        return True
    return access_for(user).is_funder_staff and can_view_table(user, table)


# Consultations and communiqués -----------------------------------------------------------


def can_view_consultation(user, consultation) -> bool:
    """The table's insiders; a member's proposal, until it is accepted, only the
    coordination and the organisation that proposed it."""
    table = consultation.table
    if not can_see_delegates(user, table):
        return False
    if consultation.status in {consultation.Status.PROPOSED, consultation.Status.DECLINED}:
        proposer = consultation.proposed_by.organisation_id if consultation.proposed_by_id else None
        return can_manage_table(user, table) or proposer in organisations_represented(user, table)
    return True


def can_read_communique(user, communique) -> bool:
    """The coordination reads them all; a delegate those written to members their
    organisation is among (`readable_communiques`, the list's rule)."""
    from .views.communiques import readable_communiques

    if not can_see_delegates(user, communique.table):
        return False
    return readable_communiques(user, communique.table).filter(pk=communique.pk).exists()


# One answer per object, for every channel (members.permissions.may_see / may_act) ----------


def register_rules() -> None:
    """The page rules of this app's objects, registered for every channel to ask."""
    from members.permissions import register_rules as rule

    from .models import (
        ActionPlan,
        Bilan,
        Communique,
        Consultation,
        FollowUp,
        Meeting,
        Minutes,
        Resolution,
        Table,
    )

    rule(Table, see=can_view_table, act=can_manage_table)
    rule(Meeting, see=lambda user, meeting: can_view_table(user, meeting.table), act=can_manage_meeting)
    rule(Minutes, see=can_read_minutes, act=lambda user, minutes: can_write_minutes(user, minutes.meeting))
    rule(
        Resolution,
        see=lambda user, resolution: (
            can_see_full_register(user, resolution.table)
            or (
                can_view_register(user, resolution.table)
                and getattr(getattr(resolution.meeting, "minutes", None), "is_adopted", False)
            )
        ),
        act=lambda user, resolution: can_manage_table(user, resolution.table),
    )
    rule(
        FollowUp,
        see=lambda user, follow_up: can_view_follow_ups(user, follow_up.table),
        act=can_complete_follow_up,
    )
    rule(ActionPlan, see=can_view_plan, act=can_manage_plan)
    rule(
        Bilan,
        see=lambda user, bilan: can_read_bilans(user, bilan.table),
        act=lambda user, bilan: can_manage_table(user, bilan.table),
    )
    rule(Consultation, see=can_view_consultation, act=lambda user, c: can_manage_table(user, c.table))
    rule(Communique, see=can_read_communique, act=lambda user, c: can_manage_table(user, c.table))
