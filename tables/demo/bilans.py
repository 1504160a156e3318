"""Demo self-assessments (anonymous answers) and bilans of the TRCI."""

import random
from datetime import date

from django.db import transaction
from django.utils import timezone

from members.models import Delegation

from ..indicators import QUESTIONS
from ..models import AssessmentAnswer, AssessmentComment, AssessmentParticipation, Bilan, SelfAssessment

HIGHLIGHTS = (
    "La Table a tenu ses rencontres régulières avec une participation soutenue, y compris des MRC.\n"
    "Les membres proposent désormais la majorité des points à l'ordre du jour.\n"
    "Le premier appel de projets en partenariat a financé des projets portés par plusieurs organisations."
)
CHALLENGES = (
    "Maintenir la mobilisation entre les rencontres et mieux rejoindre le secteur privé.\n"
    "Réduire la sursollicitation des mêmes organisations d'une table à l'autre."
)


@transaction.atomic
def seed_bilans(table, out=None):
    out = out or (lambda message: None)
    if table.bilans.exists():
        return
    rng = random.Random(7)
    today = timezone.localdate()
    people = list(
        Delegation.objects.active()
        .filter(membership__table=table)
        .values_list("person_id", flat=True)
        .distinct()
    )
    for year, answers, bias in ((today.year - 1, 18, 0), (today.year, 22, 1)):
        assessment = SelfAssessment.objects.create(
            table=table,
            year=year,
            opens=date(year, 5, 1),
            closes=date(year, 12, 20) if year == today.year else date(year, 6, 30),
            introduction="Merci de prendre cinq minutes pour évaluer ensemble notre concertation.",
        )
        respondents = rng.sample(people, min(answers, len(people)))
        AssessmentParticipation.objects.bulk_create(
            AssessmentParticipation(assessment=assessment, person_id=person) for person in respondents
        )
        AssessmentAnswer.objects.bulk_create(
            AssessmentAnswer(
                assessment=assessment,
                question=code,
                score=max(1, min(5, rng.choice([2, 3, 3, 4, 4, 5]) + bias * rng.choice([0, 0, 1]))),
            )
            for _person in respondents
            for code in QUESTIONS
        )
        AssessmentComment.objects.create(
            assessment=assessment,
            text="Les journées de coconstruction ont vraiment changé notre façon de travailler.",
        )
    for year in (today.year - 1, today.year):
        Bilan.objects.create(
            table=table,
            title=f"Bilan annuel {year}",
            starts=date(year, 1, 1),
            ends=date(year, 12, 31),
            highlights=HIGHLIGHTS,
            challenges=CHALLENGES,
        )
    out("Self-assessments and bilans: two years.")
