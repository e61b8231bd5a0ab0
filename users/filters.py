"""Which users a console table URL (or an API query) selects: keyword search plus facets.

`matching_users` is the one entry point bulk actions and exports use to act on "all N matching".
"""

from collections.abc import Mapping

from django.db.models import QuerySet

from users import search
from users.models import User


def matching_users(params: Mapping) -> QuerySet:
    """Every user the table shows for these URL parameters, unordered.

    Today: the keyword search only (`search=`); facets join here.
    """
    terms = search.parse_terms(params.get("search", ""))
    return search._filter_terms(User.objects.all(), terms)
