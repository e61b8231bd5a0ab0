"""The bulk bar's choices (templates/users/_bulk_bar.html)."""

from django import template

from users.models import BulkJob

register = template.Library()


@register.simple_tag
def bulk_actions():
    return BulkJob.Action.choices
