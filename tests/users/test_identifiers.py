import pytest
from django.core.exceptions import ValidationError

from users.identifiers import format_phone, normalize_email, normalize_phone, normalize_username


@pytest.mark.parametrize("value", ["alice", "_alice", "Alice_2", "a" * 128])
def test_valid_usernames_are_kept_as_typed(value):
    assert normalize_username(f"  {value} ") == value


@pytest.mark.parametrize(
    "value", ["2alice", "al ice", "al-ice", "ålice", "alice!", "a" * 129, "a\x00b"]
)
def test_invalid_usernames_are_refused(value):
    with pytest.raises(ValidationError):
        normalize_username(value)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_blank_identifiers_become_none(value):
    assert normalize_username(value) is None
    assert normalize_email(value) is None
    assert normalize_phone(value) is None


def test_email_is_trimmed_and_its_domain_lower_cased():
    assert normalize_email("  Ann.Lee@Example.COM ") == "Ann.Lee@example.com"


@pytest.mark.parametrize("value", ["ann", "ann@", "@example.com", "ann@example", "a b@example.com"])
def test_invalid_emails_are_refused(value):
    with pytest.raises(ValidationError) as error:
        normalize_email(value)
    assert error.value.code == "invalid_email"


@pytest.mark.parametrize(
    "typed",
    ["+44 20 7946 0958", "+442079460958", "442079460958", "+44 (20) 7946-0958", "44.20.7946.0958"],
)
def test_phone_spellings_normalise_to_the_same_e164_digits(typed):
    assert normalize_phone(typed) == "442079460958"


def test_a_national_trunk_zero_after_the_country_code_is_dropped():
    assert normalize_phone("+61 0412 345 678") == "61412345678"


@pytest.mark.parametrize(
    "value", ["+1 555", "phone", "+44 20 7946 0958 ext 2", "12", "+999 1234567"]
)
def test_invalid_phones_are_refused(value):
    with pytest.raises(ValidationError) as error:
        normalize_phone(value)
    assert error.value.code == "invalid_phone"


def test_stored_phones_are_shown_in_international_format():
    assert format_phone("442079460958") == "+44 20 7946 0958"
    assert format_phone(None) == ""
