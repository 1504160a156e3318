"""Demo decisions between meetings at the main table, made through the services as a
coordinator and delegates would: an electronic vote closed and adopted (in the register,
awaiting ratification at the next meeting), one still open, and a consultation proposed by
a member organisation that waits on the coordination."""

from datetime import timedelta

from django.utils import timezone

from members.models import Delegation
from members.services.notifications import without_email

from ..models import Consultation, Membership, Table

CLOSED_VOTE = (
    "Lettre d'appui au projet « Premiers pas au travail »",
    "Que la Table régionale de concertation en immigration de la Capitale-Nationale appuie, "
    "par une lettre de sa coordination, le projet « Premiers pas au travail » déposé au "
    "ministère de l'Immigration, de la Francisation et de l'Intégration par le Centre "
    "multiethnique de Québec et ses partenaires.",
)
OPEN_VOTE = (
    "Position de la Table sur la planification pluriannuelle de l'immigration",
    "Que la Table transmette au ministère le mémoire « Accueillir en région : conditions de "
    "réussite », dans la version 3 circulée aux membres, au nom de ses membres votants.",
)
PROPOSED = (
    "Avis sur le guide d'accueil des personnes nouvellement arrivées",
    "Notre organisation propose de recueillir l'avis des membres sur la mise à jour du guide "
    "d'accueil avant son impression, en particulier sur la section logement.",
)
# The demo delegate's organisation leaves the open vote for the demo account to cast.
DEMO_ORGANISATION = "CMQ"


def _voters(table: Table):
    """Each voting member organisation with the person who votes for it (its delegate,
    else its substitute), in a stable order."""
    seats = {}
    for delegation in (
        Delegation.objects.active()
        .filter(membership__in=table.memberships.active().voting())
        .select_related("membership__organisation", "person")
        .order_by("membership_id", "role")
    ):
        seats.setdefault(delegation.membership_id, delegation)
    return list(seats.values())


def seed_votes_and_proposals(table: Table, coordinator) -> None:
    from ..services.consultations import (
        consultation_close,
        consultation_open,
        consultation_propose,
        consultation_vote,
    )

    if Consultation.objects.filter(table=table, kind=Consultation.Kind.VOTE).exists():
        return
    now = timezone.now().replace(second=0, microsecond=0)
    voters = _voters(table)
    others = [seat for seat in voters if seat.membership.organisation.acronym != DEMO_ORGANISATION]
    with without_email():
        title, text = CLOSED_VOTE
        closed = consultation_open(
            table=table,
            by=coordinator,
            kind=Consultation.Kind.VOTE,
            title=title,
            text=text,
            opens_at=now - timedelta(days=9),
            closes_at=now + timedelta(days=1),
        )
        # Two thirds of the voting members answer: mostly for, one against, a few abstain.
        answering = voters[: max(1, len(voters) * 2 // 3)]
        for n, seat in enumerate(answering):
            choice = "against" if n == 3 else "abstain" if n % 7 == 5 else "for"
            consultation_vote(
                consultation=closed,
                membership=seat.membership,
                by=seat.person,
                vote=choice,
                comment="Le projet répond à un besoin que nos membres constatent." if n == 0 else "",
            )
        consultation_close(consultation=closed, by=coordinator)

        title, text = OPEN_VOTE
        open_vote = consultation_open(
            table=table,
            by=coordinator,
            kind=Consultation.Kind.VOTE,
            title=title,
            text=text,
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=6),
        )
        for n, seat in enumerate(others[:5]):
            consultation_vote(
                consultation=open_vote,
                membership=seat.membership,
                by=seat.person,
                vote="for" if n != 2 else "abstain",
            )

        proposer = others[-1] if others else None
        if proposer is not None:
            title, text = PROPOSED
            consultation_propose(
                table=table,
                membership=Membership.objects.get(pk=proposer.membership_id),
                by=proposer.person,
                kind=Consultation.Kind.AVIS,
                title=title,
                text=text,
                opens_at=now + timedelta(days=2),
                closes_at=now + timedelta(days=16),
            )
