"""The one rule for ids in console URLs: what cannot be an id never reaches a query.

Every id Gatehouse makes is lowercase ASCII letters and digits (users 12, everything else 21;
users/ids.py, audit.models). A path segment that cannot be one — a NUL byte, a control
character, non-ASCII, over-long — matches no URL pattern and is a plain 404, before PostgreSQL
could refuse it with a DataError.
"""

ID_PATTERN = "[0-9a-z]{1,21}"


class IdConverter:
    regex = ID_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)
