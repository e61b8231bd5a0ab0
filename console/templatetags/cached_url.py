"""`{% url %}` with its answer kept when it names a view and nothing else (a builtin, loaded after
Django's own, so every template's `{% url 'users:list' %}` is this one).

A console page reverses ~20 fixed URLs (the nav, its forms' actions, the toolbar's links): ~40 µs
each through the resolver, the same answer every time for a given URL configuration and script
prefix, which are the cache's key with the view name and the current app. URLs with arguments
(a user's id) are reversed as before: they vary per row and per request.
"""

from django import template
from django.conf import settings
from django.template import defaulttags
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()

_REVERSED: dict[tuple, str] = {}
MAX_KEPT = 1000


class CachedURLNode(defaulttags.URLNode):
    def render(self, context):
        view_name = self.view_name
        if self.args or self.kwargs or view_name.is_var or view_name.filters:
            return super().render(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        key = (
            view_name.var,
            current_app,
            get_script_prefix(),
            get_urlconf() or settings.ROOT_URLCONF,
        )
        url = _REVERSED.get(key)
        if url is None:
            if len(_REVERSED) >= MAX_KEPT:  # a bound, should prefixes ever come from outside
                _REVERSED.clear()
            try:
                url = _REVERSED[key] = reverse(view_name.var, current_app=current_app)
            except NoReverseMatch:
                if self.asvar is None:
                    raise
                url = ""
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
