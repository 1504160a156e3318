"""What funding draws on a table's page, with a tag funding owns: `tables` sits below
`funding` in the app order and imports nothing from it."""

from django import template

from ..integration import table_calls

register = template.Library()


@register.inclusion_tag("funding/_table_calls.html", takes_context=True)
def table_calls_section(context, table):
    """The table's funding calls, and for its coordination a button to prepare one."""
    return table_calls(table, context["request"].user)
