"""The log tables' GET parameters: filters and a keyset cursor. Anything else is a 400, never a 500."""

import re
from datetime import UTC, date, datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from audit import keys
from audit.models import Log
from audit.queries import Cursor, LogFilter

# A user id as `users.ids` writes them; audit does not import users, so the shape is repeated here.
USER_ID_RE = re.compile(r"\A[0-9a-z]{12}\Z")
PERIODS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}


class LogFilterForm(forms.Form):
    event = forms.CharField(required=False, max_length=keys.MAX_KEY_LENGTH, strip=True)
    result = forms.ChoiceField(required=False, choices=[("", "Any result"), *Log.Result.choices])
    period = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Any time"),
            ("24h", "Last 24 hours"),
            ("7d", "Last 7 days"),
            ("30d", "Last 30 days"),
        ],
    )
    # Whom the entries are about, and who acted: a user id, or a username or email that names one
    # (an id is kept as typed, so the entries of a deleted user can still be found).
    user = forms.CharField(required=False, max_length=256, strip=True)
    actor = forms.CharField(required=False, max_length=256, strip=True)
    start = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    end = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    # Where the page starts: the (created_at, id) of a row, written by our own Older/Newer links.
    before = forms.CharField(required=False, max_length=64)
    after = forms.CharField(required=False, max_length=64)

    def clean_event(self):
        event = self.cleaned_data["event"]
        if event and not keys.KEY_PATTERN.match(event):
            raise forms.ValidationError("Choose an event type from the list.", code="invalid")
        return event

    def clean_user(self):
        return self._user_id("user")

    def clean_actor(self):
        return self._user_id("actor")

    def clean_before(self):
        return self._cursor("before")

    def clean_after(self):
        return self._cursor("after")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("before") and cleaned.get("after"):
            raise forms.ValidationError("Use either an older or a newer page link, not both.")
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", "The end date must not be before the start date.")
        return cleaned

    def log_filter(self, *, user_id: str = "") -> LogFilter:
        data = self.cleaned_data
        since = _start_of(data["start"]) if data.get("start") else None
        if data.get("period"):
            recent = timezone.now() - PERIODS[data["period"]]
            since = max(since, recent) if since else recent
        until = _end_of(data["end"]) if data.get("end") else None
        return LogFilter(
            user_id=user_id or data.get("user", ""),
            actor_id=data.get("actor", ""),
            key=data.get("event", ""),
            result=data.get("result", ""),
            since=since,
            until=until,
        )

    @property
    def is_filtered(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return any(
            data.get(name)
            for name in ("user", "actor", "event", "result", "period", "start", "end")
        )

    def event_menu(self) -> list[tuple[str, list[tuple[str, str, bool]]]]:
        """The event select's option groups as (value, label, selected); a valid key from the URL
        that the menu lacks is added, so the select shows what the table is filtered by."""
        current = self.data.get("event", "")
        menu = [
            ("Groups", list(keys.EVENT_GROUPS)),
            ("Events", [(key, keys.title(key)) for key in keys.EVENT_KEYS]),
        ]
        valid = getattr(self, "cleaned_data", {}).get("event")
        if valid and valid not in {value for _, options in menu for value, _ in options}:
            label = valid if valid.endswith(".*") else keys.title(valid)
            menu.append(("Other", [(valid, label)]))
        return [
            (group, [(value, label, value == current) for value, label in options])
            for group, options in menu
        ]

    def options(self, name: str) -> list[tuple[str, str, bool]]:
        """A select's (value, label, selected) for the template."""
        current = self.data.get(name, "")
        return [(value, label, value == current) for value, label in self.fields[name].choices]

    def result_options(self):
        return self.options("result")

    def period_options(self):
        return self.options("period")

    def _user_id(self, name):
        text = self.cleaned_data[name]
        if not text or USER_ID_RE.match(text):
            return text
        found = (
            get_user_model()
            .objects.filter(Q(username__iexact=text) | Q(primary_email__iexact=text))
            .values_list("pk", flat=True)
            .first()
        )
        if found is None:
            raise forms.ValidationError(
                "No user has this id, username or email.", code="unknown_user"
            )
        return found

    def _cursor(self, name):
        text = self.cleaned_data[name]
        if not text:
            return None
        try:
            return Cursor.decode(text)
        except ValueError:
            raise forms.ValidationError(
                "This page link is broken: start again from the newest entries.", code="cursor"
            ) from None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _end_of(day: date) -> datetime:
    # Inclusive: the whole of the end day, in UTC (the console shows UTC times).
    return datetime.combine(day, time.max, tzinfo=UTC)
