"""Drop-down lists and inputs written in Python (tables.rendering) give the markup of
Django's widget templates, escaping included."""

import re

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy, override

from tables.rendering import FormRenderer

CHOICES = [
    ("", "---------"),
    ("a", 'Alpha <b>&</b> "quoted"'),
    ("Groupe <1>", [(1, "Un"), (2, gettext_lazy("Yes"))]),
    (1000, 1234.5),
]


class Sample(forms.Form):
    single = forms.ChoiceField(choices=CHOICES, required=True)
    several = forms.MultipleChoiceField(choices=CHOICES, required=False)
    optional = forms.ChoiceField(choices=CHOICES, required=False, disabled=True)
    nullable = forms.NullBooleanField()
    attrs = forms.ChoiceField(
        choices=CHOICES,
        widget=forms.Select(attrs={"data-x": '"><script>', "aria-describedby": "help", "autofocus": True}),
    )
    text = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"placeholder": '<"x">'}))
    number = forms.DecimalField(required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    moment = forms.DateTimeField(required=False)
    hour = forms.TimeField(required=False)
    email = forms.EmailField(disabled=True)
    hidden = forms.CharField(widget=forms.HiddenInput)
    agree = forms.BooleanField(required=False)
    upload = forms.FileField(required=False)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))


def squeeze(html):
    return re.sub(r"\s+", " ", str(html)).strip()


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    "data",
    [
        None,
        {
            "single": "a",
            "several": ["1", "1000"],
            "nullable": "true",
            "attrs": "2",
            "text": '"><script>alert(1)</script>',
            "number": "1234.5",
            "day": "2026-11-22",
            "moment": "2026-11-22 9:30",
            "hour": "9:30",
            "hidden": "&amp;",
            "agree": "on",
            "secret": "p<w>",
        },
    ],
)
def test_each_widget_is_the_markup_of_django_templates(language, data):
    form = Sample(data)
    fast, templates = FormRenderer(), TemplatesSetting()
    ours = {}
    with override(language):
        for field in form:
            arguments = (field.html_name, field.value(), field.build_widget_attrs({}))
            ours[field.name] = field.field.widget.render(*arguments, renderer=fast)
            theirs = field.field.widget.render(*arguments, renderer=templates)
            assert squeeze(ours[field.name]) == squeeze(theirs), field.name
    assert "&lt;b&gt;&amp;&lt;/b&gt; &quot;quoted&quot;" in ours["single"]
    assert 'placeholder="&lt;&quot;x&quot;&gt;"' in ours["text"]
    assert not any("<script>" in html for html in ours.values())


def test_a_select_with_its_own_option_template_goes_through_the_templates():
    class Custom(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    html = Custom(choices=[("a", "A")]).render("x", "a", renderer=FormRenderer())

    assert '<label><input type="select" name="x" value="a" selected>' in html
