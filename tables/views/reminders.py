from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..forms import ReminderSettingsForm
from ..models import ReminderSettings
from .common import get_table


@login_required
def reminder_settings(request, slug):
    """The coordination chooses which reminders the table sends between meetings."""
    table = get_table(request, slug, manage=True)
    settings = ReminderSettings.for_table(table)
    form = ReminderSettingsForm(request.POST if request.method == "POST" else None, instance=settings)
    if request.method == "POST" and form.is_valid():
        settings = form.save(commit=False)
        settings.updated_by = request.user
        settings.save()
        messages.success(request, _("The reminders of %(table)s were saved.") % {"table": table.name})
        return redirect("tables:reminder-settings", slug=table.slug)
    return render(request, "tables/reminder_settings.html", {"table": table, "form": form})
