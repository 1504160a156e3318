"""Minutes, resolutions, adoption, comments and follow-ups, through the services."""

from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tables import services
from tables.models import Attendance, FollowUp, Meeting, Minutes, MinutesNote, Resolution
from tables.selectors.minutes import business_arising, follow_ups_for_organisation, published_minutes_for
from tests.factories import (
    AgendaItemFactory,
    DelegationFactory,
    MembershipFactory,
    TableFactory,
    UserFactory,
    meeting_with_agenda,
)

pytestmark = pytest.mark.django_db


def held_meeting(table, *, on=None, days_ago=30, **fields):
    """A meeting of `table` held in the past, on a given day if `on` is set."""
    if on is not None:
        starts = timezone.make_aware(datetime.combine(on, time(9)))
        fields.update(starts_at=starts, ends_at=starts + timedelta(hours=3))
    return meeting_with_agenda(table, days_ahead=-days_ago, status=Meeting.Status.HELD, **fields)


def mark_present(meeting, *memberships):
    for membership in memberships:
        Attendance.objects.update_or_create(
            meeting=meeting, membership=membership, defaults={"present": True, "attendee_role": "delegate"}
        )


def consensus(meeting, by, **fields):
    return services.resolution_record(
        meeting=meeting,
        by=by,
        text=fields.pop("text", "Il est résolu…"),
        mode="consensus",
        result="consensus",
        **fields,
    )


def vote(meeting, by, votes_for, votes_against, result, abstentions=0, **fields):
    return services.resolution_record(
        meeting=meeting,
        by=by,
        text="Il est résolu d'adopter le plan d'action.",
        mode="vote",
        # The factory's rules say consensus: recording a vote is a confirmed departure.
        departs_from_rules=True,
        result=result,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
        **fields,
    )


def circulated_minutes(meeting, by):
    minutes = services.minutes_start(meeting=meeting, by=by)
    services.minutes_circulate(minutes=minutes, by=by)
    minutes.refresh_from_db()
    return minutes


@pytest.fixture
def two_meetings(world):
    """An earlier meeting of table A with circulated minutes, and a later one held since."""
    earlier = held_meeting(world.table_a, days_ago=60, title="Rencontre de janvier")
    later = held_meeting(world.table_a, days_ago=2, title="Rencontre de mars")
    mark_present(later, world.membership_a)
    return earlier, circulated_minutes(earlier, world.coordinator), later


# Starting the minutes -----------------------------------------------------------------------


def test_minutes_start_opens_a_draft_with_a_note_per_agenda_item(world):
    meeting = held_meeting(world.table_a)
    minutes = services.minutes_start(meeting=meeting, by=world.coordinator)
    assert minutes.status == Minutes.Status.DRAFT
    assert set(minutes.notes.values_list("item_id", flat=True)) == set(
        meeting.items.retained().values_list("pk", flat=True)
    )


def test_minutes_start_again_returns_the_same_minutes_and_adds_new_items(world):
    # given minutes already started
    meeting = held_meeting(world.table_a)
    first = services.minutes_start(meeting=meeting, by=world.coordinator)
    notes_before = first.notes.count()
    # when an item is added and the minutes are started again
    AgendaItemFactory(meeting=meeting, status="retained")
    again = services.minutes_start(meeting=meeting, by=world.coordinator)
    # then the same minutes gain exactly one note
    assert again.pk == first.pk
    assert Minutes.objects.filter(meeting=meeting).count() == 1
    assert again.notes.count() == notes_before + 1


def test_minutes_cannot_start_before_the_meeting_begins(world):
    with pytest.raises(ValidationError):
        services.minutes_start(meeting=world.meeting_a, by=world.coordinator)
    assert not Minutes.objects.filter(meeting=world.meeting_a).exists()


# Numbering ----------------------------------------------------------------------------------


def test_resolutions_are_numbered_by_the_meeting_year_and_month_in_sequence(world):
    meeting = held_meeting(world.table_a, on=datetime(2026, 3, 4).date())
    first = consensus(meeting, world.coordinator)
    second = consensus(meeting, world.coordinator)
    assert (first.number, second.number) == ("2026-03-01", "2026-03-02")


def test_a_second_meeting_in_the_same_month_continues_the_sequence(world):
    consensus(held_meeting(world.table_a, on=datetime(2026, 3, 4).date()), world.coordinator)
    later = consensus(held_meeting(world.table_a, on=datetime(2026, 3, 25).date()), world.coordinator)
    assert later.number == "2026-03-02"


def test_a_new_month_starts_again_at_one(world):
    consensus(held_meeting(world.table_a, on=datetime(2026, 3, 4).date()), world.coordinator)
    april = consensus(held_meeting(world.table_a, on=datetime(2026, 4, 8).date()), world.coordinator)
    assert april.number == "2026-04-01"


def test_two_tables_number_their_registers_independently(world):
    day = datetime(2026, 3, 4).date()
    consensus(held_meeting(world.table_a, on=day), world.coordinator)
    consensus(held_meeting(world.table_a, on=day), world.coordinator)
    other = consensus(held_meeting(world.table_b, on=day), world.coordinator_b)
    assert other.number == "2026-03-01"


def test_the_register_refuses_a_second_resolution_with_the_same_number(world):
    first = consensus(held_meeting(world.table_a), world.coordinator)
    duplicate = Resolution(
        table=world.table_a,
        meeting=first.meeting,
        number=first.number,
        sequence=first.sequence,
        text="Doublon",
        mode="consensus",
        result="consensus",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


@pytest.mark.needs_postgres
def test_numbering_locks_the_table_row_so_concurrent_secretaries_wait(world):
    meeting = held_meeting(world.table_a)
    with CaptureQueriesContext(connection) as queries:
        consensus(meeting, world.coordinator)
    locks = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"] and '"tables_table"' in q["sql"]]
    assert locks, "the table row must be locked while the number is chosen"


def test_deleting_the_latest_resolution_gives_its_number_to_the_next_one(world):
    meeting = held_meeting(world.table_a, on=datetime(2026, 3, 4).date())
    consensus(meeting, world.coordinator)
    mistake = consensus(meeting, world.coordinator)
    services.resolution_delete(resolution=mistake, by=world.coordinator)
    assert consensus(meeting, world.coordinator).number == "2026-03-02"


def test_deleting_an_earlier_resolution_leaves_a_gap_and_renumbers_nothing(world):
    meeting = held_meeting(world.table_a, on=datetime(2026, 3, 4).date())
    mistake = consensus(meeting, world.coordinator)
    kept = consensus(meeting, world.coordinator)
    services.resolution_delete(resolution=mistake, by=world.coordinator)
    kept.refresh_from_db()
    assert kept.number == "2026-03-02"
    assert consensus(meeting, world.coordinator).number == "2026-03-03"


# Majority and quorum ------------------------------------------------------------------------


def test_ten_for_and_ten_against_is_not_a_majority(world):
    meeting = held_meeting(world.table_a)
    with pytest.raises(ValidationError) as error:
        vote(meeting, world.coordinator, 10, 10, result="majority")
    assert "result" in error.value.message_dict
    assert not Resolution.objects.exists()


def test_ten_for_and_ten_against_is_recorded_as_rejected(world):
    resolution = vote(held_meeting(world.table_a), world.coordinator, 10, 10, result="rejected")
    assert not resolution.is_adopted


def test_under_a_two_thirds_rule_sixty_percent_is_not_enough(world):
    table = TableFactory(rules__majority_percent=66, rules__decision_mode="majority")
    meeting = held_meeting(table)
    with pytest.raises(ValidationError):
        vote(meeting, world.coordinator, 6, 4, result="majority")
    assert vote(meeting, world.coordinator, 7, 3, result="majority").majority_percent == 66


def test_unanimity_with_votes_against_is_refused(world):
    with pytest.raises(ValidationError):
        vote(held_meeting(world.table_a), world.coordinator, 9, 1, result="unanimity")


def test_abstentions_do_not_count_as_votes_cast(world):
    resolution = vote(held_meeting(world.table_a), world.coordinator, 3, 2, abstentions=10, result="majority")
    assert resolution.is_adopted


def test_more_votes_than_voting_members_present_is_refused(world):
    meeting = held_meeting(world.table_a)
    mark_present(meeting, world.membership_a, MembershipFactory(table=world.table_a))
    with pytest.raises(ValidationError) as error:
        vote(meeting, world.coordinator, 2, 1, result="majority")
    assert "votes_for" in error.value.message_dict


def test_votes_typed_before_choosing_consensus_are_dropped(world):
    resolution = consensus(held_meeting(world.table_a), world.coordinator, votes_for=4, votes_against=1)
    assert (resolution.votes_for, resolution.votes_against) == (None, None)


def test_the_quorum_is_kept_as_it_was_when_the_resolution_was_recorded(world):
    # given 4 voting members, 3 of them present (quorum: more than half, so 3)
    others = [MembershipFactory(table=world.table_a) for _ in range(3)]
    meeting = held_meeting(world.table_a)
    mark_present(meeting, world.membership_a, *others[:2])
    # when a resolution is recorded, then someone leaves and attendance is corrected
    resolution = consensus(meeting, world.coordinator)
    Attendance.objects.filter(meeting=meeting, membership=others[0]).update(present=False)
    resolution.refresh_from_db()
    # then the resolution still shows the quorum of its moment
    assert (resolution.voting_members, resolution.quorum_required, resolution.quorum_present) == (4, 3, 3)
    assert resolution.quorum_reached


def test_a_resolution_keeps_the_majority_of_the_rules_in_force_on_the_meeting_day(world):
    services.rules_amend(
        table=world.table_a, by=world.coordinator, effective_from=timezone.localdate(), majority_percent=66
    )
    old = vote(held_meeting(world.table_a, days_ago=30), world.coordinator, 3, 2, result="majority")
    assert old.majority_percent == 50


# Who proposes -------------------------------------------------------------------------------


def test_the_proposer_must_be_present_at_the_meeting(world):
    meeting = held_meeting(world.table_a)
    absent = MembershipFactory(table=world.table_a)
    mark_present(meeting, world.membership_a)
    with pytest.raises(ValidationError) as error:
        consensus(meeting, world.coordinator, proposed_by=absent)
    assert "proposed_by" in error.value.message_dict
    assert (
        consensus(meeting, world.coordinator, proposed_by=world.membership_a).proposed_by
        == world.membership_a
    )


def test_an_organisation_of_another_table_cannot_second(world):
    meeting = held_meeting(world.table_a)
    mark_present(meeting, world.membership_a)
    with pytest.raises(ValidationError) as error:
        consensus(meeting, world.coordinator, proposed_by=world.membership_a, seconded_by=world.membership_b)
    assert "seconded_by" in error.value.message_dict


def test_dissent_is_recorded_with_the_dissenting_organisations(world):
    meeting = held_meeting(world.table_a)
    dissenter = MembershipFactory(table=world.table_a)
    mark_present(meeting, world.membership_a, dissenter)
    resolution = vote(
        meeting,
        world.coordinator,
        1,
        1,
        result="rejected",
        dissenting=[dissenter],
        dissent="Demande que sa dissidence soit consignée.",
    )
    assert list(resolution.dissenting.all()) == [dissenter]


def test_an_absent_organisation_cannot_dissent(world):
    meeting = held_meeting(world.table_a)
    with pytest.raises(ValidationError) as error:
        consensus(meeting, world.coordinator, dissenting=[world.membership_a])
    assert "dissenting" in error.value.message_dict


# Optimistic locking -------------------------------------------------------------------------


def test_saving_a_note_moves_its_version_on(world):
    minutes = services.minutes_start(meeting=held_meeting(world.table_a), by=world.coordinator)
    note = minutes.notes.first()
    saved = services.note_save(note=note, text="Tour de table.", expected_version=1, by=world.coordinator)
    assert (saved.text, saved.version, saved.updated_by) == ("Tour de table.", 2, world.coordinator)


def test_a_save_from_a_stale_version_is_refused_and_keeps_both_texts(world):
    # given two people who opened the same note at version 1
    secretary = UserFactory(first_name="Rose", last_name="Tremblay")
    minutes = services.minutes_start(meeting=held_meeting(world.table_a), by=world.coordinator)
    note = minutes.notes.first()
    services.note_save(note=note, text="Version de Rose", expected_version=1, by=secretary)
    # when the second saves from version 1
    with pytest.raises(services.EditConflict) as conflict:
        services.note_save(
            note=note, text="Version du coordonnateur", expected_version=1, by=world.coordinator
        )
    # then nothing is overwritten and the error carries the other text and its author
    assert conflict.value.current == "Version de Rose"
    assert conflict.value.saved_by_name == "Rose Tremblay"
    assert conflict.value.version == 2
    assert MinutesNote.objects.get(pk=note.pk).text == "Version de Rose"


def test_after_a_conflict_the_merged_text_saves_on_the_current_version(world):
    minutes = services.minutes_start(meeting=held_meeting(world.table_a), by=world.coordinator)
    note = minutes.notes.first()
    services.note_save(note=note, text="A", expected_version=1, by=world.delegate_a)
    merged = services.note_save(note=note, text="A et B", expected_version=2, by=world.coordinator)
    assert (merged.text, merged.version) == ("A et B", 3)


def test_saving_the_same_text_as_the_other_person_is_not_a_conflict(world):
    minutes = services.minutes_start(meeting=held_meeting(world.table_a), by=world.coordinator)
    note = minutes.notes.first()
    services.note_save(note=note, text="Même texte\r\n", expected_version=1, by=world.delegate_a)
    again = services.note_save(note=note, text="Même texte\n", expected_version=1, by=world.coordinator)
    assert again.version == 2


def test_the_header_refuses_a_stale_version_and_reports_the_current_values(world):
    minutes = services.minutes_start(meeting=held_meeting(world.table_a), by=world.coordinator)
    services.minutes_update(
        minutes=minutes, expected_version=1, by=world.delegate_a, introduction="Mot de bienvenue"
    )
    with pytest.raises(services.EditConflict) as conflict:
        services.minutes_update(
            minutes=minutes, expected_version=1, by=world.coordinator, introduction="Autre"
        )
    assert conflict.value.current["introduction"] == "Mot de bienvenue"
    assert Minutes.objects.get(pk=minutes.pk).introduction == "Mot de bienvenue"


def test_the_meeting_cannot_close_before_it_opens(world):
    minutes = services.minutes_start(meeting=held_meeting(world.table_a), by=world.coordinator)
    with pytest.raises(ValidationError):
        services.minutes_update(
            minutes=minutes, expected_version=1, by=world.coordinator, opened_at=time(10), closed_at=time(9)
        )


# Circulation and comments -------------------------------------------------------------------


def test_circulating_emails_every_delegate_and_substitute_of_the_table(
    world, django_capture_on_commit_callbacks
):
    substitute = DelegationFactory(membership=world.membership_a, role="substitute").person
    minutes = services.minutes_start(meeting=held_meeting(world.table_a), by=world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        count = services.minutes_circulate(minutes=minutes, by=world.coordinator)
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert count == 2
    assert recipients == sorted([world.delegate_a.email, substitute.email])
    assert world.delegate_b.email not in recipients


def test_only_a_draft_can_be_circulated(world):
    minutes = circulated_minutes(held_meeting(world.table_a), world.coordinator)
    with pytest.raises(ValidationError):
        services.minutes_circulate(minutes=minutes, by=world.coordinator)


def test_a_delegate_comments_an_item_of_circulated_minutes(world):
    meeting = held_meeting(world.table_a)
    minutes = circulated_minutes(meeting, world.coordinator)
    item = meeting.items.retained().first()
    comment = services.comment_add(
        minutes=minutes, by=world.delegate_a, organisation=world.org_a, text="Corriger le nom.", item=item
    )
    assert (comment.item, comment.organisation, comment.author) == (item, world.org_a, world.delegate_a)


def test_a_draft_not_yet_circulated_takes_no_comment(world):
    minutes = services.minutes_start(meeting=held_meeting(world.table_a), by=world.coordinator)
    with pytest.raises(ValidationError):
        services.comment_add(minutes=minutes, by=world.delegate_a, organisation=world.org_a, text="Trop tôt")


def test_nobody_comments_for_an_organisation_they_do_not_represent(world):
    minutes = circulated_minutes(held_meeting(world.table_a), world.coordinator)
    with pytest.raises(ValidationError):
        services.comment_add(
            minutes=minutes, by=world.delegate_b, organisation=world.org_a, text="Usurpation"
        )
    assert not minutes.comments.exists()


def test_the_secretary_answers_a_comment(world):
    minutes = circulated_minutes(held_meeting(world.table_a), world.coordinator)
    comment = services.comment_add(
        minutes=minutes, by=world.delegate_a, organisation=world.org_a, text="Coquille"
    )
    reply = services.comment_reply(comment=comment, by=world.coordinator, text="Corrigé, merci.")
    assert list(comment.replies.all()) == [reply]


def test_an_answer_is_given_to_the_comment_not_to_another_answer(world):
    minutes = circulated_minutes(held_meeting(world.table_a), world.coordinator)
    comment = services.comment_add(
        minutes=minutes, by=world.delegate_a, organisation=world.org_a, text="Coquille"
    )
    reply = services.comment_reply(comment=comment, by=world.coordinator, text="Corrigé.")
    with pytest.raises(ValidationError):
        services.comment_reply(comment=reply, by=world.coordinator, text="Encore")


# Adoption -----------------------------------------------------------------------------------


def test_adoption_by_a_resolution_of_a_later_meeting_locks_the_minutes_and_closes_the_meeting(
    world, two_meetings
):
    # given circulated minutes of an earlier meeting
    earlier, minutes, later = two_meetings
    # when the later meeting adopts them
    resolution = consensus(later, world.coordinator, adopts_minutes=minutes, proposed_by=world.membership_a)
    # then they are adopted by that resolution and their meeting is closed
    minutes.refresh_from_db()
    earlier.refresh_from_db()
    assert minutes.status == Minutes.Status.ADOPTED
    assert minutes.adopted_by == resolution
    assert minutes.adopted_at is not None
    assert earlier.status == Meeting.Status.CLOSED
    assert resolution.item.standard == "minutes_adoption"


def test_adopted_minutes_refuse_every_later_edit(world, two_meetings):
    earlier, minutes, later = two_meetings
    consensus(later, world.coordinator, adopts_minutes=minutes)
    note = minutes.notes.first()
    attempts = [
        lambda: services.note_save(
            note=note, text="Retouche", expected_version=note.version, by=world.coordinator
        ),
        lambda: services.minutes_update(
            minutes=minutes, expected_version=1, by=world.coordinator, introduction="x"
        ),
        lambda: consensus(earlier, world.coordinator),
        lambda: services.followup_create(meeting=earlier, by=world.coordinator, description="Après coup"),
        lambda: services.comment_add(
            minutes=minutes, by=world.delegate_a, organisation=world.org_a, text="Tard"
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError):
            attempt()
    assert MinutesNote.objects.get(pk=note.pk).text == ""
    assert not Resolution.objects.filter(meeting=earlier).exists()


def test_resolutions_of_adopted_minutes_can_be_neither_changed_nor_deleted(world):
    earlier = held_meeting(world.table_a, days_ago=60)
    recorded = consensus(earlier, world.coordinator, text="Texte adopté")
    minutes = Minutes.objects.get(meeting=earlier)
    later = held_meeting(world.table_a, days_ago=2)
    consensus(later, world.coordinator, adopts_minutes=minutes)
    with pytest.raises(ValidationError):
        services.resolution_update(resolution=recorded, by=world.coordinator, text="Réécrit")
    with pytest.raises(ValidationError):
        services.resolution_delete(resolution=recorded, by=world.coordinator)
    recorded.refresh_from_db()
    assert recorded.text == "Texte adopté"


def test_a_meeting_adopts_only_minutes_of_an_earlier_meeting(world, two_meetings):
    earlier, _minutes, later = two_meetings
    later_minutes = services.minutes_start(meeting=later, by=world.coordinator)
    with pytest.raises(ValidationError) as error:
        consensus(earlier, world.coordinator, adopts_minutes=later_minutes)
    assert "adopts_minutes" in error.value.message_dict


def test_a_meeting_cannot_adopt_the_minutes_of_another_table(world):
    other = held_meeting(world.table_b, days_ago=60)
    minutes = services.minutes_start(meeting=other, by=world.coordinator_b)
    with pytest.raises(ValidationError):
        consensus(held_meeting(world.table_a, days_ago=2), world.coordinator, adopts_minutes=minutes)
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.DRAFT


def test_a_rejected_adoption_leaves_the_minutes_open(world, two_meetings):
    _earlier, minutes, later = two_meetings
    vote(later, world.coordinator, 0, 1, result="rejected", adopts_minutes=minutes)
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.CIRCULATED


def test_the_adopting_resolution_cannot_be_deleted(world, two_meetings):
    _earlier, minutes, later = two_meetings
    resolution = consensus(later, world.coordinator, adopts_minutes=minutes)
    with pytest.raises(ValidationError):
        services.resolution_delete(resolution=resolution, by=world.coordinator)
    assert Resolution.objects.filter(pk=resolution.pk).exists()


def test_the_adopting_resolution_must_keep_adopting(world, two_meetings):
    _earlier, minutes, later = two_meetings
    resolution = consensus(later, world.coordinator, adopts_minutes=minutes)
    with pytest.raises(ValidationError):
        services.resolution_update(resolution=resolution, by=world.coordinator, adopts_minutes=None)
    edited = services.resolution_update(
        resolution=resolution, by=world.coordinator, text="Adopté tel que modifié"
    )
    assert edited.text == "Adopté tel que modifié"


def test_a_correction_is_a_new_resolution_that_refers_to_the_adopted_minutes(world, two_meetings):
    _earlier, minutes, later = two_meetings
    consensus(later, world.coordinator, adopts_minutes=minutes)
    correction = consensus(later, world.coordinator, corrects=minutes, text="Lire « 12 » au lieu de « 21 ».")
    assert list(minutes.corrections.all()) == [correction]


def test_only_adopted_minutes_are_corrected(world, two_meetings):
    _earlier, minutes, later = two_meetings
    with pytest.raises(ValidationError) as error:
        consensus(later, world.coordinator, corrects=minutes)
    assert "corrects" in error.value.message_dict


# Follow-ups ---------------------------------------------------------------------------------


def test_an_open_follow_up_past_its_date_is_overdue(world):
    meeting = held_meeting(world.table_a)
    follow_up = services.followup_create(
        meeting=meeting,
        by=world.coordinator,
        description="Envoyer le bilan",
        organisation=world.org_a,
        due=timezone.localdate() - timedelta(days=1),
    )
    assert follow_up.is_overdue
    assert list(FollowUp.objects.overdue()) == [follow_up]


def test_a_completed_follow_up_is_no_longer_overdue(world):
    meeting = held_meeting(world.table_a)
    follow_up = services.followup_create(
        meeting=meeting,
        by=world.coordinator,
        description="Bilan",
        due=timezone.localdate() - timedelta(days=1),
    )
    done = services.followup_complete(follow_up=follow_up, by=world.delegate_a, note="Envoyé le 3.")
    assert (done.status, done.closing_note, done.is_overdue) == ("done", "Envoyé le 3.", False)
    assert done.done_at is not None


def test_a_follow_up_is_for_an_organisation_of_the_table(world):
    with pytest.raises(ValidationError) as error:
        services.followup_create(
            meeting=held_meeting(world.table_a),
            by=world.coordinator,
            description="x",
            organisation=world.org_b,
        )
    assert "organisation" in error.value.message_dict


def test_a_follow_up_is_not_due_before_its_meeting(world):
    meeting = held_meeting(world.table_a)
    with pytest.raises(ValidationError) as error:
        services.followup_create(
            meeting=meeting, by=world.coordinator, description="x", due=meeting.date - timedelta(days=1)
        )
    assert "due" in error.value.message_dict


def test_adopted_minutes_freeze_what_a_follow_up_commits_to_but_not_its_deadline(world, two_meetings):
    earlier, minutes, later = two_meetings
    follow_up = services.followup_create(meeting=earlier, by=world.coordinator, description="Rapport")
    consensus(later, world.coordinator, adopts_minutes=minutes)
    with pytest.raises(ValidationError):
        services.followup_update(follow_up=follow_up, by=world.coordinator, description="Autre chose")
    postponed = services.followup_update(
        follow_up=follow_up, by=world.coordinator, due=timezone.localdate() + timedelta(days=30)
    )
    assert (postponed.description, postponed.due) == ("Rapport", timezone.localdate() + timedelta(days=30))


def test_business_arising_lists_the_open_follow_ups_of_earlier_meetings(world, two_meetings):
    earlier, _minutes, later = two_meetings
    still_open = services.followup_create(meeting=earlier, by=world.coordinator, description="Ouvert")
    done = services.followup_create(meeting=earlier, by=world.coordinator, description="Fait")
    services.followup_complete(follow_up=done, by=world.coordinator)
    services.followup_create(meeting=later, by=world.coordinator, description="De la rencontre même")
    assert list(business_arising(later)) == [still_open]


def test_an_organisation_sees_its_open_follow_ups_at_every_table(world):
    membership = MembershipFactory(table=world.table_b, organisation=world.org_a)
    at_a = services.followup_create(
        meeting=held_meeting(world.table_a), by=world.coordinator, description="A", organisation=world.org_a
    )
    at_b = services.followup_create(
        meeting=held_meeting(world.table_b),
        by=world.coordinator_b,
        description="B",
        organisation=membership.organisation,
    )
    services.followup_create(
        meeting=held_meeting(world.table_b),
        by=world.coordinator_b,
        description="Autre",
        organisation=world.org_b,
    )
    assert set(follow_ups_for_organisation(world.org_a.pk)) == {at_a, at_b}


def test_only_adopted_minutes_of_a_publishing_public_table_are_published(world, two_meetings):
    _earlier, minutes, later = two_meetings
    consensus(later, world.coordinator, adopts_minutes=minutes)
    assert list(published_minutes_for(world.table_a)) == []
    world.table_a.publish_minutes = True
    world.table_a.save()
    assert list(published_minutes_for(world.table_a)) == [Minutes.objects.get(pk=minutes.pk)]
