"""The minutes of a meeting (procès-verbal), its resolutions and follow-ups, the table's
resolution register and its follow-up list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from members.models import Organisation

from .. import services
from ..filters.minutes import FollowUpFilter, ResolutionFilter
from ..forms.minutes import (
    CommentForm,
    FollowUpCompleteForm,
    FollowUpForm,
    MinutesHeaderForm,
    NoteForm,
    ReplyForm,
    ResolutionForm,
    add_service_errors,
    item_choices,
)
from ..models import (
    AgendaItem,
    FollowUp,
    Meeting,
    Membership,
    Minutes,
    MinutesComment,
    MinutesNote,
    Resolution,
    number_items,
)
from ..permissions import (
    can_answer_minutes_comments,
    can_comment_minutes,
    can_complete_follow_up,
    can_read_minutes,
    can_see_full_register,
    can_see_meeting_details,
    can_view_follow_ups,
    can_view_register,
    can_write_minutes,
    organisations_represented,
)
from ..quorum import meeting_quorum
from .common import get_table

PAGE_SIZE = 25


def _deny(request):
    """Visitors are asked to sign in; signed-in people without the right get a 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied


def _meeting(request, slug, pk) -> Meeting:
    # Filtering on the table turns another table's meeting id into a 404.
    table = get_table(request, slug)
    meeting = get_object_or_404(Meeting.objects.select_related("secretary"), table=table, pk=pk)
    meeting.table = table
    return meeting


def _writable_meeting(request, slug, pk) -> Meeting:
    meeting = _meeting(request, slug, pk)
    if not can_write_minutes(request.user, meeting):
        raise PermissionDenied
    return meeting


def _minutes_url(meeting: Meeting, anchor: str = "") -> str:
    url = reverse("tables:minutes-detail", args=[meeting.table.slug, meeting.pk])
    return f"{url}#{anchor}" if anchor else url


def _numbered_items(meeting: Meeting) -> list[AgendaItem]:
    return number_items(list(meeting.items.retained().select_related("presenter")))


def _has_begun(meeting: Meeting) -> bool:
    return meeting.status in {Meeting.Status.HELD, Meeting.Status.CLOSED} or (
        meeting.status != Meeting.Status.CANCELLED and meeting.starts_at <= timezone.now()
    )


def _represented_organisations(request, meeting: Meeting) -> list[Organisation]:
    ids = organisations_represented(request.user, meeting.table)
    return list(Organisation.objects.filter(pk__in=ids).order_by("name")) if ids else []


# The procès-verbal -----------------------------------------------------------------------


def _notice(meeting: Meeting) -> dict:
    """Whether the meeting was convened later than the rules require (or never)."""
    rules = meeting.rules()
    return {"late": not meeting.convened_in_time(rules), "days": rules.notice_days if rules else 0}


def minutes_detail(request, slug, pk):
    """The whole procès-verbal in reading order. Those who write it edit each item in
    place; members comment each item while the draft is circulated."""
    meeting = _meeting(request, slug, pk)
    user = request.user
    minutes = (
        Minutes.objects.filter(meeting=meeting)
        .select_related("chair", "updated_by", "adopted_by__meeting")
        .first()
    )
    can_write = can_write_minutes(user, meeting)
    insider = can_see_meeting_details(user, meeting)
    if not (can_write or insider or (minutes is not None and can_read_minutes(user, minutes))):
        return _deny(request)
    context = {
        "table": meeting.table,
        "meeting": meeting,
        "minutes": minutes,
        "can_write": can_write,
        "show_people": insider or can_write,
        "has_begun": _has_begun(meeting),
        "notice": _notice(meeting),
    }
    if minutes is not None:
        context.update(_minutes_context(request, meeting, minutes, can_write=can_write, insider=insider))
    return render(request, "tables/minutes_detail.html", context)


def _minutes_context(request, meeting: Meeting, minutes: Minutes, *, can_write: bool, insider: bool) -> dict:
    items = _numbered_items(meeting)
    editable = can_write and not minutes.is_adopted
    notes = {
        note.item_id: note
        for note in MinutesNote.objects.filter(minutes=minutes).select_related("updated_by")
    }
    resolutions = list(
        meeting.resolutions.select_related(
            "proposed_by__organisation",
            "seconded_by__organisation",
            "adopts_minutes__meeting",
            "corrects__meeting",
        )
        .prefetch_related(Prefetch("dissenting", queryset=Membership.objects.select_related("organisation")))
        .order_by("number")
    )
    follow_ups = list(meeting.follow_ups.select_related("organisation").order_by("due", "pk"))
    comments = []
    if insider or can_write:
        comments = list(minutes.comments.select_related("author", "organisation").order_by("created_at"))
    replies = {}
    for comment in comments:
        if comment.reply_to_id:
            replies.setdefault(comment.reply_to_id, []).append(comment)
    threads = [comment for comment in comments if comment.reply_to_id is None]
    for comment in threads:
        comment.answers = replies.get(comment.pk, [])

    commenting = can_comment_minutes(request.user, minutes)
    answering = can_answer_minutes_comments(request.user, minutes)
    organisations = _represented_organisations(request, meeting) if commenting else []
    choices = item_choices(items)
    item_ids = {item.pk for item in items}
    for item in items:
        item.note = notes.get(item.pk)
        item.resolutions_here = [r for r in resolutions if r.item_id == item.pk]
        item.follow_ups_here = [f for f in follow_ups if f.item_id == item.pk]
        item.comments_here = [c for c in threads if c.item_id == item.pk]
        if editable:
            item.note_form = _note_form(item, item.note)
        if commenting and organisations:
            item.comment_form = _comment_form(organisations, choices, item=item.pk, inline=True)
    for comment in threads:
        if answering:
            comment.reply_form = ReplyForm(auto_id=f"reply-{comment.pk}-%s")

    attendances = list(meeting.attendances.select_related("membership__organisation", "attendee"))
    present = sorted((a for a in attendances if a.present), key=lambda a: a.membership.organisation.name)
    absent = sorted(
        (a for a in attendances if a.present is False), key=lambda a: a.membership.organisation.name
    )
    header_form = _header_form(meeting, minutes) if editable else None
    return {
        "items": items,
        "editable": editable,
        "loose_resolutions": [r for r in resolutions if r.item_id not in item_ids],
        "loose_follow_ups": [f for f in follow_ups if f.item_id not in item_ids],
        "general_comments": [c for c in threads if c.item_id not in item_ids],
        "general_comment_form": (
            _comment_form(organisations, choices, inline=True) if commenting and organisations else None
        ),
        "resolution_count": len(resolutions),
        "comment_count": len(threads),
        "present": present,
        "absent": absent,
        "quorum": meeting_quorum(meeting, attendances),
        "header_form": header_form,
        "corrections": list(minutes.corrections.select_related("meeting").order_by("number")),
        "ratified": list(meeting.ratified_resolutions.order_by("number")),
        "can_circulate": can_write and minutes.status == Minutes.Status.DRAFT,
        "commenting": commenting,
        "answering": answering,
    }


def _note_form(item: AgendaItem, note: MinutesNote | None, data=None) -> NoteForm:
    initial = {"text": note.text, "version": note.version} if note else {"version": 1}
    return NoteForm(data, initial=initial, auto_id=f"note-{item.pk}-%s")


def _comment_form(organisations, choices, *, item=None, data=None, inline=False) -> CommentForm:
    form = CommentForm(
        data,
        organisations=organisations,
        items=choices,
        initial={"item": item},
        auto_id=f"comment-{item or 'all'}-%s",
    )
    if inline:
        # Under an item (or under the whole), the subject of the comment is already chosen.
        form.fields["item"].widget = form.fields["item"].hidden_widget()
    return form


@login_required
@require_POST
def minutes_start(request, slug, pk):
    meeting = _writable_meeting(request, slug, pk)
    try:
        services.minutes_start(meeting=meeting, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The draft minutes are open: write under each item."))
    return redirect(_minutes_url(meeting))


def _open_minutes(request, meeting: Meeting) -> Minutes | None:
    """The meeting's minutes if they can still change; otherwise None, with a message."""
    minutes = get_object_or_404(Minutes, meeting=meeting)
    if minutes.is_adopted:
        messages.error(
            request, _("Adopted minutes cannot be changed; record a correcting resolution instead.")
        )
        return None
    return minutes


# Autosave --------------------------------------------------------------------------------
#
# The editors of the minutes save by themselves (static/js/minutes.js): each sends its
# form with htmx and the header `X-Minutes-Autosave`, and gets back a small status partial
# (saved, conflict, invalid or locked, told by the `X-Minutes-Status` header) that takes the
# place of the editor's status line, never of what the person is typing. Without that
# header, a form answers as it always did: a redirect, a page, or the note's editor.

AUTOSAVE_STATUS = {"saved": 200, "conflict": 409, "locked": 409, "invalid": 422}


def _is_autosave(request) -> bool:
    return bool(request.htmx) and request.headers.get("X-Minutes-Autosave") == "1"


def _status_response(request, template: str, state: str, context: dict):
    response = render(request, template, {**context, "state": state, "autosave": True})
    response.status_code = AUTOSAVE_STATUS[state]
    response["X-Minutes-Status"] = state
    # A status is about one moment: never kept by a cache.
    response["Cache-Control"] = "no-store"
    return response


def _plain(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _same(a, b) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return _plain(a) == _plain(b)
    return a == b


def _save_header(request, minutes: Minutes, form: MinutesHeaderForm) -> tuple[Minutes, list[str]]:
    """Save the fields of the opening the person changed. When someone else saved the
    opening meanwhile but left these fields as the person found them, the save goes
    through on the newer version: each keeps the fields they changed. Raises EditConflict
    (carrying `fields`, the fields both changed) otherwise."""
    changed = form.changed_fields()
    if not changed:
        return minutes, []
    fields = {name: form.cleaned_data[name] for name in changed}
    base = {name: form.base_value(name) for name in changed}
    version = form.cleaned_data["version"]
    attempts = 3
    for attempt in range(attempts):
        try:
            saved = services.minutes_update(
                minutes=minutes, expected_version=version, by=request.user, **fields
            )
        except services.EditConflict as error:
            error.fields = [name for name in changed if not _same(error.current[name], base[name])]
            if error.fields or attempt == attempts - 1:
                error.fields = error.fields or changed
                raise
            version = error.version
        else:
            return saved, changed
    raise AssertionError("unreachable")  # pragma: no cover


def _input_value(name: str, value) -> str:
    """A value of the opening as its field holds it in the browser (minutes.js)."""
    if value is None or value is False:
        return ""
    if value is True:
        return "on"
    if name == "chair":
        return str(value.pk)
    if name in {"opened_at", "closed_at"}:
        return value.strftime("%H:%M")
    return str(value)


def _header_conflict_rows(form: MinutesHeaderForm, error: services.EditConflict) -> list[dict]:
    rows = []
    for name in error.fields:
        theirs = error.current[name]
        rows.append(
            {
                "name": name,
                "label": form.fields[name].label,
                "theirs": theirs,
                "mine": form.cleaned_data.get(name),
                "id": form[name].id_for_label,
                "value": _input_value(name, theirs),
                "initial": form.initial_text(name, theirs),
                "initial_id": form[name].html_initial_id,
                "is_text": name == "introduction",
            }
        )
    return rows


def _header_initial_inputs(form: MinutesHeaderForm, minutes: Minutes, names) -> list[dict]:
    """The "initial-…" inputs of the saved fields, now on what was saved."""
    return [
        {
            "name": form[name].html_initial_name,
            "id": form[name].html_initial_id,
            "value": form.initial_text(name, getattr(minutes, name)),
        }
        for name in names
    ]


@login_required
@require_http_methods(["GET", "POST"])
def minutes_update(request, slug, pk):
    """The opening of the minutes: who chaired, when the meeting opened and closed, the
    introduction and the waiver of notice. Edited in place on the minutes, where it saves
    by itself; this page is the same editor on its own."""
    meeting = _writable_meeting(request, slug, pk)
    autosave = _is_autosave(request) and request.method == "POST"
    if autosave:
        minutes = get_object_or_404(Minutes, meeting=meeting)
    else:
        minutes = _open_minutes(request, meeting)
        if minutes is None:
            return redirect(_minutes_url(meeting))
    context = {"table": meeting.table, "meeting": meeting, "minutes": minutes}
    template = "tables/minutes_header_status.html"
    if autosave and minutes.is_adopted:
        return _status_response(request, template, "locked", context)
    conflict = None
    if request.method == "POST":
        form = MinutesHeaderForm(request.POST, meeting=meeting)
        if form.is_valid():
            try:
                minutes, saved_fields = _save_header(request, minutes, form)
            except services.EditConflict as error:
                conflict = error
                if autosave:
                    return _status_response(
                        request,
                        template,
                        "conflict",
                        {
                            **context,
                            "form": form,
                            "conflict": error,
                            "rows": _header_conflict_rows(form, error),
                            "version": error.version,
                        },
                    )
                form = _rebased(MinutesHeaderForm, request.POST, error.version, meeting=meeting)
                form.is_valid()
                context["rows"] = _header_conflict_rows(form, error)
            except ValidationError as error:
                add_service_errors(form, error)
                if autosave:
                    return _status_response(request, template, "invalid", {**context, "form": form})
            else:
                if autosave:
                    return _status_response(
                        request,
                        template,
                        "saved",
                        {
                            **context,
                            "minutes": minutes,
                            "version": minutes.version,
                            "initials": _header_initial_inputs(form, minutes, saved_fields),
                        },
                    )
                messages.success(request, _("The header of the minutes was saved."))
                return redirect(_minutes_url(meeting))
        elif autosave:
            return _status_response(request, template, "invalid", {**context, "form": form})
    else:
        form = _header_form(meeting, minutes)
    return render(
        request,
        "tables/minutes_update.html",
        {**context, "form": form, "conflict": conflict, "state": "conflict" if conflict else None},
    )


def _header_form(meeting: Meeting, minutes: Minutes) -> MinutesHeaderForm:
    initial = {name: getattr(minutes, name) for name in services.HEADER_FIELDS}
    return MinutesHeaderForm(meeting=meeting, initial={**initial, "version": minutes.version})


def _rebased(form_class, data, version, **kwargs):
    """The same form with what the person typed, now based on the version saved by someone
    else: saving it again, once merged, goes through."""
    data = data.copy()
    data["version"] = version
    return form_class(data, **kwargs)


@login_required
@require_http_methods(["GET", "POST"])
def minutes_note(request, slug, pk, item_pk):
    """The notes on one item. Its editor autosaves and gets a status partial back (see
    Autosave above); htmx without that asks for the editor alone; without JavaScript, a
    saved note goes back to the minutes and a refused one stays on this page."""
    meeting = _writable_meeting(request, slug, pk)
    item = get_object_or_404(meeting.items.retained(), pk=item_pk)
    autosave = _is_autosave(request) and request.method == "POST"
    status_template = "tables/minutes_note_status.html"
    if autosave:
        minutes = get_object_or_404(Minutes, meeting=meeting)
        if minutes.is_adopted:
            item.number = _item_number(meeting, item)
            return _status_response(
                request,
                status_template,
                "locked",
                {"table": meeting.table, "meeting": meeting, "minutes": minutes, "item": item},
            )
    else:
        minutes = _open_minutes(request, meeting)
        if minutes is None:
            # htmx would swap a whole page into the editor: have it load the page instead.
            if request.htmx:
                return HttpResponseClientRedirect(_minutes_url(meeting))
            return redirect(_minutes_url(meeting))
    note = MinutesNote.objects.filter(minutes=minutes, item=item).select_related("updated_by").first()
    if note is None:
        # The item joined the agenda after the minutes were opened.
        services.minutes_start(meeting=meeting, by=request.user)
        note = MinutesNote.objects.get(minutes=minutes, item=item)
    conflict, saved, state = None, False, None
    mine = None
    if request.method == "POST":
        form = _note_form(item, note, data=request.POST)
        if form.is_valid():
            mine = form.cleaned_data["text"]
            try:
                note = services.note_save(
                    note=note,
                    text=mine,
                    expected_version=form.cleaned_data["version"],
                    by=request.user,
                )
            except services.EditConflict as error:
                conflict, state = error, "conflict"
                form = _rebased(NoteForm, request.POST, error.version, auto_id=f"note-{item.pk}-%s")
            except ValidationError as error:
                add_service_errors(form, error)
                state = "invalid"
            else:
                saved, state = True, "saved"
                if not request.htmx:
                    messages.success(request, _("The notes were saved."))
                    return redirect(_minutes_url(meeting, f"item-{item.pk}"))
                if not autosave:
                    form = _note_form(item, note)
        else:
            state = "invalid"
    else:
        form = _note_form(item, note)
    item.number = _item_number(meeting, item)
    context = {
        "table": meeting.table,
        "meeting": meeting,
        "minutes": minutes,
        "item": item,
        "note": note,
        "form": form,
        "conflict": conflict,
        "saved": saved,
        "state": state,
        "mine": mine,
    }
    if autosave:
        # The editor's new version: the saved one, or the one to save on after a conflict.
        context["version"] = conflict.version if conflict else note.version if saved else None
        return _status_response(request, status_template, state, context)
    template = "tables/minutes_note_editor.html" if request.htmx else "tables/minutes_note.html"
    return render(request, template, context)


def _item_number(meeting: Meeting, item: AgendaItem) -> str:
    return next((i.number for i in _numbered_items(meeting) if i.pk == item.pk), "")


@login_required
@require_POST
def minutes_circulate(request, slug, pk):
    meeting = _writable_meeting(request, slug, pk)
    minutes = get_object_or_404(Minutes, meeting=meeting)
    try:
        count = services.minutes_circulate(minutes=minutes, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The draft was sent for comments to %(count)s delegates and substitutes.") % {"count": count},
        )
    return redirect(_minutes_url(meeting))


# Comments --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def minutes_comment(request, slug, pk):
    """A member comments the circulated draft, on one item or on the whole."""
    meeting = _meeting(request, slug, pk)
    minutes = get_object_or_404(Minutes, meeting=meeting)
    if not can_comment_minutes(request.user, minutes):
        raise PermissionDenied
    organisations = _represented_organisations(request, meeting)
    choices = item_choices(_numbered_items(meeting))
    item_id = request.GET.get("item")
    form = _comment_form(
        organisations,
        choices,
        data=request.POST if request.method == "POST" else None,
        item=int(item_id) if item_id and item_id.isdigit() else None,
    )
    if request.method == "POST" and form.is_valid():
        item_id = form.cleaned_data["item"]
        item = meeting.items.retained().filter(pk=item_id).first() if item_id else None
        try:
            comment = services.comment_add(
                minutes=minutes,
                by=request.user,
                organisation=form.cleaned_data["organisation"],
                text=form.cleaned_data["text"],
                item=item,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your comment was sent to the secretary."))
            return redirect(_minutes_url(meeting, f"comment-{comment.pk}"))
    return render(
        request,
        "tables/minutes_comment.html",
        {"table": meeting.table, "meeting": meeting, "minutes": minutes, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def minutes_comment_reply(request, slug, pk, comment_pk):
    meeting = _meeting(request, slug, pk)
    minutes = get_object_or_404(Minutes, meeting=meeting)
    comment = get_object_or_404(
        MinutesComment.objects.select_related("author", "organisation"),
        minutes=minutes,
        pk=comment_pk,
        reply_to__isnull=True,
    )
    if not can_answer_minutes_comments(request.user, minutes):
        raise PermissionDenied
    form = ReplyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            reply = services.comment_reply(comment=comment, by=request.user, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your answer was added under the comment."))
            return redirect(_minutes_url(meeting, f"comment-{reply.pk}"))
    return render(
        request,
        "tables/minutes_comment_reply.html",
        {"table": meeting.table, "meeting": meeting, "minutes": minutes, "comment": comment, "form": form},
    )


# Resolutions -----------------------------------------------------------------------------


def _resolution_page(request, meeting: Meeting, form: ResolutionForm, resolution: Resolution | None = None):
    rules = meeting.rules()
    return render(
        request,
        "tables/resolution_form.html",
        {
            "table": meeting.table,
            "meeting": meeting,
            "form": form,
            "resolution": resolution,
            "quorum": meeting_quorum(meeting),
            "rules": rules,
        },
    )


def _resolution_saved_message(request, resolution: Resolution, verb: str) -> None:
    messages.success(request, verb % {"number": resolution.number})
    adopted = Minutes.objects.filter(adopted_by=resolution).select_related("meeting").first()
    if adopted is not None:
        messages.info(
            request,
            _("The minutes of %(meeting)s are adopted: they are now locked and their meeting is closed.")
            % {"meeting": adopted.meeting},
        )


@login_required
@require_http_methods(["GET", "POST"])
def resolution_create(request, slug, pk):
    """Record a resolution under an item, with the quorum in view."""
    meeting = _writable_meeting(request, slug, pk)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is not None and minutes.is_adopted:
        messages.error(
            request, _("Adopted minutes cannot be changed; record a correcting resolution instead.")
        )
        return redirect(_minutes_url(meeting))
    if not _has_begun(meeting):
        messages.error(request, _("The minutes can be written once the meeting has begun."))
        return redirect(_minutes_url(meeting))
    items = _numbered_items(meeting)
    rules = meeting.rules()
    item_id = request.GET.get("item", "")
    form = ResolutionForm(
        request.POST if request.method == "POST" else None,
        meeting=meeting,
        numbers={item.pk: item.number for item in items},
        majority_percent=rules.majority_percent if rules else 50,
        initial={"item": int(item_id) if item_id.isdigit() else None, "mode": _default_mode(rules)},
    )
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        item = fields.pop("item")
        try:
            resolution = services.resolution_record(meeting=meeting, by=request.user, item=item, **fields)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _resolution_saved_message(request, resolution, _("Resolution %(number)s was recorded."))
            return redirect(_minutes_url(meeting, f"resolution-{resolution.pk}"))
    return _resolution_page(request, meeting, form)


def _default_mode(rules) -> str:
    if rules is None or rules.decision_mode == rules.DecisionMode.MAJORITY:
        return Resolution.Mode.VOTE
    return rules.decision_mode


def _table_resolution(request, slug, pk) -> Resolution:
    table = get_table(request, slug)
    resolution = get_object_or_404(
        Resolution.objects.select_related("meeting__secretary"), table=table, pk=pk
    )
    resolution.meeting.table = table
    if not can_write_minutes(request.user, resolution.meeting):
        raise PermissionDenied
    return resolution


@login_required
@require_http_methods(["GET", "POST"])
def resolution_update(request, slug, pk):
    resolution = _table_resolution(request, slug, pk)
    meeting = resolution.meeting
    if _open_minutes(request, meeting) is None:
        return redirect(_minutes_url(meeting))
    items = _numbered_items(meeting)
    form = ResolutionForm(
        request.POST if request.method == "POST" else None,
        instance=resolution,
        meeting=meeting,
        numbers={item.pk: item.number for item in items},
        majority_percent=resolution.majority_percent,
    )
    if request.method == "POST" and form.is_valid():
        try:
            resolution = services.resolution_update(
                resolution=resolution, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _resolution_saved_message(request, resolution, _("Resolution %(number)s was saved."))
            return redirect(_minutes_url(meeting, f"resolution-{resolution.pk}"))
    return _resolution_page(request, meeting, form, resolution)


@login_required
@require_http_methods(["GET", "POST"])
def resolution_delete(request, slug, pk):
    resolution = _table_resolution(request, slug, pk)
    meeting = resolution.meeting
    if _open_minutes(request, meeting) is None:
        return redirect(_minutes_url(meeting))
    if request.method == "POST":
        try:
            services.resolution_delete(resolution=resolution, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Resolution %(number)s was deleted.") % {"number": resolution.number})
        return redirect(_minutes_url(meeting))
    return render(
        request,
        "tables/resolution_confirm_delete.html",
        {"table": meeting.table, "meeting": meeting, "resolution": resolution},
    )


def resolution_list(request, slug):
    """The table's register of resolutions. Insiders see every resolution (those of
    drafts marked as such); the public sees those of adopted minutes when the table
    publishes its minutes."""
    table = get_table(request, slug)
    if not can_view_register(request.user, table):
        return _deny(request)
    full = can_see_full_register(request.user, table)
    # A resolution's meeting is always its table's; saying so lets the database join the
    # table's meetings only, not every meeting of the network to sort by date (45 ms
    # at scale 50, as a sequential scan, against 1 ms).
    # Decisions taken between meetings have no meeting: their date is the vote's closing.
    resolutions = Resolution.objects.filter(table=table).filter(
        Q(meeting__table=table) | Q(meeting__isnull=True)
    )
    if not full:
        # The public reads an electronic decision once the meeting that ratified it has
        # adopted minutes, as it reads the others once their own minutes are adopted.
        resolutions = resolutions.filter(
            Q(meeting__minutes__status=Minutes.Status.ADOPTED)
            | Q(ratification_meeting__minutes__status=Minutes.Status.ADOPTED)
        )
    register = ResolutionFilter(request.GET, queryset=resolutions)
    page = Paginator(
        register.qs.select_related(
            "meeting__minutes",
            "ratification_meeting__minutes",
            "proposed_by__organisation",
            "seconded_by__organisation",
        ).order_by(Coalesce("meeting__starts_at", "decided_at").desc(), "-sequence"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    context = {"table": table, "filter": register, "page": page, "full": full}
    template = "tables/resolution_list_results.html" if request.htmx else "tables/resolution_list.html"
    return render(request, template, context)


# Follow-ups ------------------------------------------------------------------------------


@login_required
def follow_up_list(request, slug):
    """What member organisations committed to, open ones first; overdue ones flagged."""
    table = get_table(request, slug)
    if not can_view_follow_ups(request.user, table):
        raise PermissionDenied
    data = request.GET.copy()
    # Open follow-ups are what a coordinator looks at; "All" is one choice away.
    data.setdefault("state", FollowUpFilter.OPEN)
    follow_ups = FollowUp.objects.filter(table=table).select_related(
        "organisation", "meeting__secretary", "person"
    )
    found = FollowUpFilter(data, queryset=follow_ups, table=table)
    page = Paginator(found.qs.order_by("status", "due", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    for follow_up in page.object_list:
        follow_up.meeting.table = follow_up.table = table
        follow_up.can_complete = follow_up.status == FollowUp.Status.OPEN and can_complete_follow_up(
            request.user, follow_up
        )
        follow_up.can_edit = can_write_minutes(request.user, follow_up.meeting)
    context = {"table": table, "filter": found, "page": page, "today": timezone.localdate()}
    template = "tables/follow_up_list_results.html" if request.htmx else "tables/follow_up_list.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_create(request, slug, pk):
    meeting = _writable_meeting(request, slug, pk)
    if Minutes.objects.filter(meeting=meeting, status=Minutes.Status.ADOPTED).exists():
        messages.error(
            request, _("Adopted minutes cannot be changed; record a correcting resolution instead.")
        )
        return redirect(_minutes_url(meeting))
    items = _numbered_items(meeting)
    item_id = request.GET.get("item", "")
    form = FollowUpForm(
        request.POST if request.method == "POST" else None,
        meeting=meeting,
        numbers={item.pk: item.number for item in items},
        initial={"item": int(item_id) if item_id.isdigit() else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            follow_up = services.followup_create(meeting=meeting, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The follow-up was recorded."))
            return redirect(_minutes_url(meeting, f"follow-up-{follow_up.pk}"))
    return render(
        request, "tables/follow_up_form.html", {"table": meeting.table, "meeting": meeting, "form": form}
    )


def _table_follow_up(request, slug, pk) -> FollowUp:
    table = get_table(request, slug)
    follow_up = get_object_or_404(
        FollowUp.objects.select_related("meeting__secretary", "organisation"), table=table, pk=pk
    )
    follow_up.meeting.table = follow_up.table = table
    return follow_up


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_update(request, slug, pk):
    follow_up = _table_follow_up(request, slug, pk)
    meeting = follow_up.meeting
    if not can_write_minutes(request.user, meeting):
        raise PermissionDenied
    frozen = Minutes.objects.filter(meeting=meeting, status=Minutes.Status.ADOPTED).exists()
    items = _numbered_items(meeting)
    form = FollowUpForm(
        request.POST if request.method == "POST" else None,
        instance=follow_up,
        meeting=meeting,
        numbers={item.pk: item.number for item in items},
        frozen=frozen,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.followup_update(follow_up=follow_up, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The follow-up was saved."))
            return redirect("tables:follow-up-list", slug=meeting.table.slug)
    return render(
        request,
        "tables/follow_up_form.html",
        {"table": meeting.table, "meeting": meeting, "form": form, "follow_up": follow_up, "frozen": frozen},
    )


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_complete(request, slug, pk):
    """Mark a follow-up done: its organisation's delegates, or those who write the minutes."""
    follow_up = _table_follow_up(request, slug, pk)
    if not can_complete_follow_up(request.user, follow_up):
        raise PermissionDenied
    form = FollowUpCompleteForm(request.POST if request.method == "POST" else None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.followup_complete(follow_up=follow_up, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The follow-up is marked as done."))
            return HttpResponseRedirect(
                next_url or reverse("tables:follow-up-list", args=[follow_up.table.slug])
            )
    return render(
        request,
        "tables/follow_up_complete.html",
        {"table": follow_up.table, "follow_up": follow_up, "form": form, "next": next_url},
    )
