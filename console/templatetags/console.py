"""Template helpers of the console shell (loaded as builtins in every template)."""

import functools
import html
import re

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma, naturaltime
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@functools.lru_cache(maxsize=64)
def _matcher(terms: tuple[str, ...]) -> re.Pattern:
    patterns = []
    for term in sorted(terms, key=len, reverse=True):
        bare = term.lstrip("+")
        if bare.isdigit() and len(bare) > 1:
            prefix = r"\+?" if term.startswith("+") else ""
            patterns.append(prefix + r"[\s().-]*".join(re.escape(c) for c in bare))
        else:
            patterns.append(re.escape(term))
    return re.compile("|".join(patterns), re.IGNORECASE)


@register.filter
def highlight(text, terms):
    """Escape `text` and wrap every case-insensitive match of a search term in <mark>.

    A term of digits also matches across the spaces and dashes of a formatted phone number.
    """
    text = "" if text is None else str(text)
    if not terms or not text:
        return mark_safe(html.escape(text))
    matcher = _matcher(tuple(terms))
    out, last = [], 0
    for match in matcher.finditer(text):
        if match.start() == match.end():
            continue
        # The stdlib escape is Django's escape without its SafeString wrapping on every piece.
        out.append(html.escape(text[last : match.start()]))
        out.append(f"<mark>{html.escape(match.group())}</mark>")
        last = match.end()
    out.append(html.escape(text[last:]))
    return mark_safe("".join(out))


@register.filter
def approximate(number):
    """1234567 -> "1.2 M", 12345 -> "12 k": for totals that are estimates anyway."""
    if number >= 1_000_000:
        return f"{number / 1_000_000:.1f} M"
    if number >= 10_000:
        return f"{round(number / 1000)} k"
    return intcomma(number)


EMPTY = "—"  # the one placeholder for a value that is not there, on every page


@register.simple_tag
def timestamp(value, empty=EMPTY):
    """A relative time ("3 hours ago") in a `<time datetime>` with the exact UTC time as its
    tooltip, or `empty` (the placeholder unless a page says what absence means, e.g. "never")."""
    if not value:
        return empty
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.isoformat(),
        value.strftime("%Y-%m-%d %H:%M:%S UTC"),
        naturaltime(value),
    )


@register.simple_tag
def dialog_link(label, url_name, *args, css="button", about=None):
    """A link that opens a dialog: htmx loads the dialog into #dialog-slot; without JavaScript
    it is the dialog's own page. `about` names what a row's button acts on, for screen readers
    ("Edit read:orders"). `{% dialog_link "Edit" "access:role-edit" role.id %}`"""
    url = reverse(url_name, args=args)
    css = format_html(' class="{}"', css) if css else ""
    aria = format_html(' aria-label="{} {}"', label, about) if about is not None else ""
    return format_html(
        '<a{} href="{}" hx-get="{}" hx-target="#dialog-slot" hx-swap="innerHTML"{}>{}</a>',
        css,
        url,
        url,
        aria,
        label,
    )
