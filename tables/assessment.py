"""The yearly collective self-assessment: the conditions members rate, and recording an
answer so that who answered is never linked to what they answered."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .indicators import QUESTIONS
from .models import AssessmentAnswer, AssessmentComment, AssessmentParticipation, SelfAssessment

LABELS = {
    "shared_understanding": gettext_lazy(
        "We share the same understanding of the realities, the issues, the goals and the methods."
    ),
    "shared_intention": gettext_lazy("We share the same motivation to act."),
    "shared_vision": gettext_lazy("We share the same picture of the future we want."),
    "compromise": gettext_lazy("The actors who hold the most power show a capacity for compromise."),
    "relevant_actors": gettext_lazy("The relevant actors are at the table, with comparable levels of power."),
    "other_concertations": gettext_lazy(
        "The table takes other concertations into account and works with them."
    ),
    "leadership": gettext_lazy(
        "Leadership is democratic and effective, with the professional support it needs (meetings, minutes, "
        "convocations, research)."
    ),
    "collective_analysis": gettext_lazy("We analyse problems and choose objectives and solutions together."),
    "participation": gettext_lazy("The people and groups concerned take part and contribute."),
    "time": gettext_lazy("We have the time a participatory way of working requires."),
    "evaluation": gettext_lazy("We evaluate our concertation together."),
}
GROUPS = [
    (gettext_lazy("Shared understanding, intention and vision (CommunAgir)"), QUESTIONS[:3]),
    (gettext_lazy("The eight conditions of concertation (Bourque)"), QUESTIONS[3:]),
]
SCALE = [
    (1, gettext_lazy("Strongly disagree")),
    (2, gettext_lazy("Disagree")),
    (3, gettext_lazy("Neither agree nor disagree")),
    (4, gettext_lazy("Agree")),
    (5, gettext_lazy("Strongly agree")),
]


def is_open(assessment: SelfAssessment, today=None) -> bool:
    today = today or timezone.localdate()
    return assessment.opens <= today <= assessment.closes


@transaction.atomic
def assessment_answer(*, assessment: SelfAssessment, person, scores: dict, comment: str = "") -> None:
    """Record one person's answer. The participation (who) and the ratings (what) are
    separate rows with nothing linking them, so that answers stay anonymous."""
    if not is_open(assessment):
        raise ValidationError(_("This self-assessment is closed."))
    if set(scores) != set(QUESTIONS) or not all(1 <= int(v) <= 5 for v in scores.values()):
        raise ValidationError(_("Rate every statement from 1 to 5."))
    try:
        with transaction.atomic():
            AssessmentParticipation.objects.create(assessment=assessment, person=person)
    except IntegrityError as error:
        raise ValidationError(_("You already answered this self-assessment. Thank you!")) from error
    # Shuffled order of creation would not hide much; what matters is that no column
    # points back to the person.
    AssessmentAnswer.objects.bulk_create(
        AssessmentAnswer(assessment=assessment, question=code, score=int(scores[code])) for code in QUESTIONS
    )
    if comment.strip():
        AssessmentComment.objects.create(assessment=assessment, text=comment.strip())
