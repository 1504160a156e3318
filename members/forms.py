from django import forms
from django.utils.translation import gettext_lazy as _

from .models import WEEKDAYS, Notification, NotificationPreference, Organisation, User


class SignupForm(forms.Form):
    """Extra fields of allauth's sign-up form: minutes need people's names."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)

    def signup(self, request, user):
        user.first_name = self.cleaned_data["first_name"]
        user.last_name = self.cleaned_data["last_name"]
        user.language = request.LANGUAGE_CODE
        user.save(update_fields=["first_name", "last_name", "language"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "phone", "language"]


class OrganisationForm(forms.ModelForm):
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = Organisation
        fields = [
            "name",
            "acronym",
            "sector",
            "actor_type",
            "region",
            "territory",
            "mission",
            "website",
            "email",
            "phone",
            "address",
        ]
        widgets = {"mission": forms.Textarea(attrs={"rows": 4})}


class NotificationPreferencesForm(forms.Form):
    """For each kind of notification, how it comes by email; and the weekly digest's day."""

    digest_weekday = forms.TypedChoiceField(label=_("Day of the weekly digest"), choices=WEEKDAYS, coerce=int)

    def __init__(self, *args, current: dict[str, str], weekday: int, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in Notification.Kind.choices:
            self.fields[f"kind_{kind}"] = forms.ChoiceField(
                label=label, choices=NotificationPreference.Delivery.choices, initial=current[kind]
            )
        self.fields["digest_weekday"].initial = weekday
        # The day comes last, after the kinds it applies to.
        self.order_fields([*(f"kind_{kind}" for kind in Notification.Kind.values), "digest_weekday"])

    def deliveries(self) -> dict[str, str]:
        return {kind: self.cleaned_data[f"kind_{kind}"] for kind in Notification.Kind.values}
