"""Quorum under the table's own rules, from attendance (or from the answers to the
convocation, for a forecast)."""

from dataclasses import dataclass

from .models import Attendance, Meeting


@dataclass(frozen=True)
class Quorum:
    voting_members: int
    required: int
    present: int
    confirmed: int  # answered "present" or "replaced by its substitute"
    declined: int
    unanswered: int
    rules_version: int | None

    @property
    def reached(self) -> bool:
        return self.voting_members > 0 and self.present >= self.required

    @property
    def forecast_reached(self) -> bool:
        return self.voting_members > 0 and self.confirmed >= self.required

    @property
    def forecast_possible(self) -> bool:
        """Quorum can still be reached if enough of those who have not answered come."""
        return self.confirmed + self.unanswered >= self.required


def meeting_quorum(meeting: Meeting, attendances=None) -> Quorum:
    """Count voting member organisations (one vote each) of the meeting's table or
    committee, against the rules in force on the meeting's date.

    A voting member counts as present when its delegate came, or its substitute came and
    the rules let substitutes vote.
    """
    rules = meeting.rules()
    voting_ids = set(meeting.invited_memberships().voting().values_list("pk", flat=True))
    if attendances is None:
        attendances = list(meeting.attendances.filter(membership_id__in=voting_ids))
    else:
        attendances = [a for a in attendances if a.membership_id in voting_ids]
    substitutes_vote = rules.substitutes_may_vote if rules else True
    present = sum(
        1 for a in attendances if a.present and (a.attendee_role != "substitute" or substitutes_vote)
    )
    confirmed = sum(
        1
        for a in attendances
        if a.response == Attendance.Response.PRESENT
        or (a.response == Attendance.Response.SUBSTITUTE and substitutes_vote)
    )
    declined = sum(1 for a in attendances if a.response == Attendance.Response.ABSENT)
    answered = sum(1 for a in attendances if a.response)
    return Quorum(
        voting_members=len(voting_ids),
        required=rules.quorum_required(len(voting_ids)) if rules else len(voting_ids) // 2 + 1,
        present=present,
        confirmed=confirmed,
        declined=declined,
        unanswered=len(voting_ids) - answered,
        rules_version=rules.version if rules else None,
    )
