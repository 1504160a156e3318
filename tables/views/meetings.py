"""Meetings: the list, a meeting's page, planning, convocation, answers and attendance."""

from datetime import timedelta
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Min, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from members.access import access_for
from members.documents.charts import bar_chart
from members.models import Delegation

from .. import services
from ..forms.meetings import (
    AnswerForm,
    AttendanceRowForm,
    CancelForm,
    ConveneForm,
    MeetingForm,
    default_start,
)
from ..models import AgendaItem, Attendance, ConvocationDelivery, Meeting, Membership, Minutes, number_items
from ..ownership import agenda_ownership, total
from ..permissions import (
    can_manage_meeting,
    can_manage_table,
    can_propose_item,
    can_see_meeting_details,
    can_write_minutes,
    organisations_represented,
)
from ..quorum import meeting_quorum
from ..regional import visible_table_ids
from ..rsvp import rsvp_load
from ..selectors.clashes import SeenSlot, shown_names, slot_clashes
from ..selectors.minutes import business_arising
from ..services.meetings import notice_warning
from .common import get_table, parse_id

PAGE_SIZE = 20


def get_meeting(request, slug, pk, *, manage=False):
    """The meeting `pk` of the table at `slug`: 404 if the table is hidden from the user or
    the meeting belongs to another table, 403 when `manage` and they do not coordinate."""
    table = get_table(request, slug, manage=manage)
    meeting = get_object_or_404(Meeting.objects.select_related("committee", "secretary"), table=table, pk=pk)
    meeting.table = table
    return meeting


def meeting_list(request, slug):
    table = get_table(request, slug)
    meetings = table.meetings.select_related("committee").annotate(
        item_count=Count("items", filter=Q(items__status=AgendaItem.Status.RETAINED))
    )
    now = timezone.now()
    upcoming = meetings.filter(ends_at__gte=now).order_by("starts_at")
    past = Paginator(meetings.filter(ends_at__lt=now).order_by("-starts_at"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    ownership = agenda_ownership([*upcoming, *past.object_list])
    for meeting in [*upcoming, *past.object_list]:
        meeting.ownership = ownership.get(meeting.pk)
    return render(
        request,
        "tables/meeting_list.html",
        {
            "table": table,
            "upcoming": upcoming,
            "past": past,
            "can_manage": can_manage_table(request.user, table),
        },
    )


def _agenda(meeting):
    items = list(
        meeting.items.filter(status=AgendaItem.Status.RETAINED)
        .select_related("presenter", "proposed_by_organisation")
        .prefetch_related("attachments")
    )
    return number_items(items)


def meeting_detail(request, slug, pk):
    meeting = get_meeting(request, slug, pk)
    user = request.user
    insider = can_see_meeting_details(user, meeting)
    manage = can_manage_meeting(user, meeting)
    agenda = _agenda(meeting)
    planned_minutes = sum(item.duration_minutes for item in agenda)
    context = {
        "meeting": meeting,
        "table": meeting.table,
        "agenda": agenda,
        "planned_minutes": planned_minutes,
        "over_time": planned_minutes > meeting.duration_minutes,
        "can_manage": manage,
        "insider": insider,
        "can_propose": can_propose_item(user, meeting),
        "can_write_minutes": can_write_minutes(user, meeting),
        "ownership": agenda_ownership([meeting]).get(meeting.pk),
        "rules": meeting.rules(),
        "business_arising": list(business_arising(meeting)[:30]) if meeting.is_editable else [],
        # Decisions between meetings stay with insiders until minutes adopt them.
        "ratified": list(meeting.ratified_resolutions.order_by("number")) if insider else [],
    }
    if insider:
        invited = list(
            meeting.invited_memberships().select_related("organisation").order_by("organisation__name")
        )
        attendances = {
            a.membership_id: a
            for a in meeting.attendances.select_related("responded_by", "attendee").filter(
                membership__in=[m.pk for m in invited]
            )
        }
        for membership in invited:
            membership.attendance = attendances.get(membership.pk)
        context["invited"] = invited
        context["quorum"] = meeting_quorum(meeting, attendances=list(attendances.values()))
        mine = organisations_represented(user, meeting.table)
        context["my_memberships"] = [m for m in invited if m.organisation_id in mine]
        context["answer_form"] = AnswerForm()
        proposals = meeting.items.filter(status=AgendaItem.Status.PROPOSED).select_related(
            "proposed_by", "proposed_by_organisation", "deferred_from"
        )
        if not manage:
            proposals = proposals.filter(proposed_by_organisation__in=mine)
        context["proposals"] = proposals
        context["my_declined"] = meeting.items.filter(
            status=AgendaItem.Status.DECLINED, proposed_by_organisation__in=mine
        ).select_related("proposed_by_organisation")
    if manage:
        rounds = {}
        for row in (
            meeting.deliveries.values("kind", "round", "status")
            .annotate(n=Count("pk"), first=Min("created_at"))
            .order_by("first")
        ):
            counts = rounds.setdefault(
                (row["kind"], row["round"]),
                {"kind": ConvocationDelivery.Kind(row["kind"]).label, "round": row["round"]},
            )
            counts[row["status"]] = counts.get(row["status"], 0) + row["n"]
        context["deliveries"] = list(rounds.values())
        failed = meeting.deliveries.filter(status=ConvocationDelivery.Status.FAILED)
        context["failed_count"] = failed.count()
        context["failed_deliveries"] = failed.select_related("person", "membership__organisation").order_by(
            "membership__organisation__name", "email"
        )[:50]
    context["minutes"] = Minutes.objects.filter(meeting=meeting).first()
    return render(request, "tables/meeting_detail.html", context)


# Names of the member organisations shown with a clashing meeting, before "and N others".
CLASH_NAMES_SHOWN = 3
# Clashing meetings named in the warning after saving (the form page lists them all).
CLASHES_IN_MESSAGE = 3


def _clash_lines(user, table, *, starts_at, ends_at=None, committee=None, title="", meeting_id=None):
    """The meetings of other tables this meeting would clash with, as the coordinator may
    see them: a table they may not see is "another table", and which of their members sit
    on it is not said, only how many (see `tables.selectors.clashes`)."""
    report = slot_clashes(
        table=table,
        starts_at=starts_at,
        ends_at=ends_at,
        committee=committee,
        title=title,
        meeting_id=meeting_id,
    )
    visible = visible_table_ids(user, report.tables.values())
    lines = []
    for clash in report.clashes:
        count = len(clash.organisation_ids)
        names = shown_names(report, [clash], visible, limit=CLASH_NAMES_SHOWN)
        lines.append(
            SimpleNamespace(
                meeting=SeenSlot.of(clash.second, report, visible),
                count=count,
                names=names,
                others=count - len(names),
            )
        )
    return lines


def _typed_clashes(user, table, form, meeting=None):
    """The clashes of the time typed in `form` (bound), even when another field is wrong;
    None when no start could be read."""
    data = getattr(form, "cleaned_data", {})
    starts_at = data.get("starts_at")
    if starts_at is None:
        return None
    return _clash_lines(
        user,
        table,
        starts_at=starts_at,
        ends_at=data.get("ends_at"),
        committee=data.get("committee"),
        title=data.get("title") or "",
        meeting_id=meeting.pk if meeting else None,
    )


def _warn_of_clashes(request, meeting):
    """After saving: a warning naming the first clashing meetings, without blocking."""
    lines = _clash_lines(
        request.user,
        meeting.table,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        committee=meeting.committee,
        title=meeting.title,
        meeting_id=meeting.pk,
    )
    if not lines:
        return
    described = []
    for line in lines[:CLASHES_IN_MESSAGE]:
        when = date_format(timezone.localtime(line.meeting.starts_at), "DATETIME_FORMAT")
        who = ngettext(
            "%(count)s member organisation of the table",
            "%(count)s member organisations of the table",
            line.count,
        ) % {"count": line.count}
        if line.names:
            who += " (" + ", ".join(line.names) + ")"
        where = line.meeting.label
        if line.meeting.table is not None:
            where = f"{where} – {line.meeting.table.short_name}"
        described.append(_("%(meeting)s, %(when)s: %(who)s") % {"meeting": where, "when": when, "who": who})
    more = len(lines) - len(described)
    text = ngettext(
        "This meeting overlaps a meeting of another table: %(list)s.",
        "This meeting overlaps %(count)s meetings of other tables: %(list)s.",
        len(lines),
    ) % {"count": len(lines), "list": "; ".join(described)}
    if more:
        text += " " + _("And %(count)s more: the meeting's form lists them all.") % {"count": more}
    messages.warning(request, text)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request, slug):
    table = get_table(request, slug, manage=True)
    form = MeetingForm(
        request.POST if request.method == "POST" else None,
        table=table,
        initial={"starts_at": default_start(), "ends_at": default_start() + timedelta(hours=3)},
    )
    clashes = None
    if request.method == "POST":
        valid = form.is_valid()
        if valid and "check" not in request.POST:
            data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
            try:
                meeting = services.meeting_create(table=table, by=request.user, **data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The meeting was planned with the standard agenda items."))
                _warn_of_clashes(request, meeting)
                return redirect(meeting)
        clashes = _typed_clashes(request.user, table, form)
    return render(
        request,
        "tables/meeting_form.html",
        {"table": table, "form": form, "clashes": clashes, "clashes_checked": clashes is not None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_update(request, slug, pk):
    meeting = get_meeting(request, slug, pk, manage=True)
    if not meeting.is_editable:
        messages.error(request, _("A meeting that was held or cancelled can no longer be changed."))
        return redirect(meeting)
    form = MeetingForm(
        request.POST if request.method == "POST" else None, instance=meeting, table=meeting.table
    )
    if request.method == "POST":
        valid = form.is_valid()
        if valid and "check" not in request.POST:
            sequence = meeting.sequence
            fields = {name: form.cleaned_data[name] for name in form.changed_data}
            try:
                saved = services.meeting_update(meeting=Meeting.objects.get(pk=meeting.pk), **fields)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if saved.status == Meeting.Status.CONVENED and saved.sequence != sequence:
                    messages.warning(
                        request,
                        _("The time or place changed: send an updated convocation so that everyone knows."),
                    )
                else:
                    messages.success(request, _("The meeting was saved."))
                saved.table = meeting.table
                _warn_of_clashes(request, saved)
                return redirect(saved)
        clashes = _typed_clashes(request.user, meeting.table, form, meeting)
    else:
        clashes = _clash_lines(
            request.user,
            meeting.table,
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            committee=meeting.committee,
            title=meeting.title,
            meeting_id=meeting.pk,
        )
    return render(
        request,
        "tables/meeting_form.html",
        {
            "table": meeting.table,
            "meeting": meeting,
            "form": form,
            "clashes": clashes,
            "clashes_checked": request.method == "POST" and clashes is not None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request, slug, pk):
    meeting = get_meeting(request, slug, pk, manage=True)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(meeting=meeting, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The meeting was cancelled; everyone convened is told why."))
            return redirect(meeting)
    return render(
        request, "tables/meeting_cancel.html", {"meeting": meeting, "table": meeting.table, "form": form}
    )


@login_required
@require_POST
def meeting_resend_failed(request, slug, pk):
    meeting = get_meeting(request, slug, pk, manage=True)
    count = services.meeting_resend_failed(meeting=meeting, by=request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "The email that could not be delivered is being sent again.",
                "The %(count)s emails that could not be delivered are being sent again.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("There is no email to send again."))
    return redirect(meeting)


def convocation_warnings(meeting):
    warnings = []
    late = notice_warning(meeting)
    if late:
        warnings.append(late)
    planned = sum(item.duration_minutes for item in meeting.items.filter(status=AgendaItem.Status.RETAINED))
    if planned > meeting.duration_minutes:
        warnings.append(
            _("The agenda lasts %(planned)s minutes but the meeting only %(length)s.")
            % {"planned": planned, "length": meeting.duration_minutes}
        )
    waiting = meeting.items.filter(status=AgendaItem.Status.PROPOSED).count()
    if waiting:
        warnings.append(
            _("%(count)s proposal(s) from members still wait for your decision.") % {"count": waiting}
        )
    return warnings


@login_required
@require_http_methods(["GET", "POST"])
def meeting_convene(request, slug, pk):
    """Preview and send the convocation (or an update of it)."""
    meeting = get_meeting(request, slug, pk, manage=True)
    if not meeting.is_editable:
        messages.error(request, _("This meeting can no longer be convened."))
        return redirect(meeting)
    warnings = convocation_warnings(meeting)
    form = ConveneForm(
        request.POST if request.method == "POST" else None,
        warnings=warnings,
        initial={"message": meeting.convocation_message},
    )
    if request.method == "POST" and form.is_valid():
        count = services.meeting_convene(
            meeting=meeting, by=request.user, message=form.cleaned_data["message"]
        )
        messages.success(request, _("The convocation is being sent to %(count)s people.") % {"count": count})
        return redirect(meeting)
    recipients = (
        Delegation.objects.active(on=meeting.date)
        .filter(membership__in=meeting.invited_memberships())
        .values("person")
        .distinct()
        .count()
    )
    return render(
        request,
        "tables/meeting_convene.html",
        {
            "meeting": meeting,
            "table": meeting.table,
            "form": form,
            "warnings": warnings,
            "recipients": recipients,
            "agenda": _agenda(meeting),
        },
    )


@login_required
@require_POST
def meeting_answer(request, slug, pk):
    """A delegate answers the convocation for their organisation, from the meeting page."""
    meeting = get_meeting(request, slug, pk)
    membership = get_object_or_404(
        Membership, pk=parse_id(request.POST.get("membership")), table=meeting.table
    )
    access = access_for(request.user)
    if not (
        access.coordinates(meeting.table_id)
        or access.represents(meeting.table_id, membership.organisation_id)
    ):
        raise PermissionDenied
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.rsvp_record(
                meeting=meeting,
                membership=membership,
                response=form.cleaned_data["response"],
                by=request.user,
                via=Attendance.Via.WEB,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your answer was recorded. Thank you!"))
    else:
        messages.error(request, _("Choose an answer."))
    return redirect(meeting)


@require_http_methods(["GET", "POST"])
def rsvp_signed(request, token):
    """The one-click answer from the convocation email, without signing in. The link opens
    a page with the answer already chosen and one button: email programs that open links
    to scan them must not answer on the delegate's behalf."""
    loaded = rsvp_load(token)
    if loaded is None:
        return render(request, "tables/rsvp_invalid.html", status=404)
    meeting, membership, person = loaded
    answer = request.POST.get("response") or request.GET.get("answer")
    if answer not in Attendance.Response.values:
        answer = Attendance.Response.PRESENT
    current = Attendance.objects.filter(meeting=meeting, membership=membership).first()
    if request.method == "POST":
        try:
            current = services.rsvp_record(
                meeting=meeting, membership=membership, response=answer, by=person, via=Attendance.Via.EMAIL
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            return render(
                request,
                "tables/rsvp_signed.html",
                {
                    "meeting": meeting,
                    "membership": membership,
                    "person": person,
                    "done": True,
                    "current": current,
                },
            )
    return render(
        request,
        "tables/rsvp_signed.html",
        {
            "meeting": meeting,
            "membership": membership,
            "person": person,
            "answer": answer,
            "answer_label": Attendance.Response(answer).label,
            "choices": Attendance.Response.choices,
            "current": current,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_attendance(request, slug, pk):
    """Record, per member organisation, who came (delegate or substitute), late arrivals
    and early departures. Quorum follows from it under the rules in force."""
    meeting = get_meeting(request, slug, pk)
    if not can_write_minutes(request.user, meeting):
        raise PermissionDenied
    invited = list(
        meeting.invited_memberships()
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "delegations",
                queryset=Delegation.objects.active(on=meeting.date).select_related("person"),
                to_attr="seats",
            )
        )
        .order_by("organisation__name")
    )
    existing = {a.membership_id: a for a in meeting.attendances.all()}
    people = {m.pk: [d.person for d in m.seats] for m in invited}
    data = request.POST if request.method == "POST" else None
    rows = []
    for membership in invited:
        attendance = existing.get(membership.pk)
        initial = {}
        if attendance:
            initial = {
                "present": attendance.present,
                "attendee": attendance.attendee_id,
                "attendee_role": attendance.attendee_role,
                "arrived_at": attendance.arrived_at,
                "left_at": attendance.left_at,
                "note": attendance.note,
            }
        elif membership.seats:
            delegate = next((d for d in membership.seats if d.role == "delegate"), membership.seats[0])
            initial = {"attendee": delegate.person_id, "attendee_role": delegate.role}
        rows.append(
            AttendanceRowForm(
                data,
                prefix=f"m{membership.pk}",
                membership=membership,
                people=people[membership.pk],
                initial=initial,
            )
        )
    if request.method == "POST":
        if all(form.is_valid() for form in rows):
            try:
                services.attendance_save(
                    meeting=meeting,
                    rows=[{"membership": form.membership, **form.cleaned_data} for form in rows],
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Attendance was recorded."))
                return redirect(meeting)
        else:
            messages.error(request, _("Please correct the rows marked below."))
    quorum = meeting_quorum(meeting)
    return render(
        request,
        "tables/meeting_attendance.html",
        {"meeting": meeting, "table": meeting.table, "rows": rows, "quorum": quorum},
    )


def ownership(request, slug):
    """Agenda ownership over time: the share of items and of agenda minutes proposed by
    members, meeting after meeting."""
    table = get_table(request, slug)
    meetings = list(
        table.meetings.exclude(status=Meeting.Status.CANCELLED)
        .filter(starts_at__lte=timezone.now())
        .order_by("-starts_at")[:24]
    )[::-1]
    shares = agenda_ownership(meetings)
    rows = [(meeting, shares.get(meeting.pk)) for meeting in meetings]
    chart = bar_chart(
        [(meeting.date.strftime("%Y-%m"), share.item_share if share else None) for meeting, share in rows],
        title=_("Share of agenda items proposed by members"),
        description=_("One bar per meeting, oldest first."),
        chart_id="ownership",
    )
    return render(
        request,
        "tables/ownership.html",
        {"table": table, "rows": rows, "chart": chart, "overall": total(s for _m, s in rows if s)},
    )
