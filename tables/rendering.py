from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Forms render through our templates: labels, help and errors tied to their input
    (aria-describedby, aria-invalid) and an error summary on top."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
