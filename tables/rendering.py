from django.forms.renderers import TemplatesSetting
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
# Django's templates that only include input.html.
INPUTS = {
    f"django/forms/widgets/{name}.html"
    for name in (
        "checkbox", "color", "date", "datetime", "email", "file", "hidden", "number", "password",
        "search", "tel", "text", "time", "url",
    )
}  # fmt: skip


class FormRenderer(TemplatesSetting):
    """Forms render through our templates: labels, help and errors tied to their input
    (aria-describedby, aria-invalid) and an error summary on top.

    Drop-down lists and plain inputs are written here rather than by Django's widget
    templates, which include a template per option and per attribute list: a list of
    regions took 1.6 ms, a list of a table's people 5 ms, the attendance form's 180 fields
    17 ms. The markup is the templates' own (tests/site/test_rendering.py compares them)."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if widget is not None and template_name in INPUTS:
            return render_input(widget)
        if widget is not None and template_name == SELECT and _plain_options(widget):
            return render_select(widget)
        return super().render(template_name, context, request)


def _plain_options(widget) -> bool:
    return all(
        option["template_name"] == OPTION for _g, options, _i in widget["optgroups"] for option in options
    )


def render_attrs(attrs) -> str:
    """django/forms/widgets/attrs.html: `name="value"`, a bare name for True, nothing for False."""
    return "".join(
        f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def render_input(widget) -> str:
    """django/forms/widgets/input.html."""
    value = "" if widget["value"] is None else f' value="{escape(widget["value"])}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
        f"{value}{render_attrs(widget['attrs'])}>"
    )


def render_select(widget) -> str:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{render_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(localize(group_name))}">')
        parts.extend(
            f'\n  <option value="{escape(option["value"])}"{render_attrs(option["attrs"])}>'
            f"{conditional_escape(localize(option['label']))}</option>"
            for option in options
        )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)
