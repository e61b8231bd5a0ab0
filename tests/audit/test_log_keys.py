"""Human titles for log keys: Logto's keys by table, ours built from their parts."""

import pytest

from audit import keys


@pytest.mark.parametrize(
    ("key", "title"),
    [
        ("Interaction.SignIn.Submit", "Submit sign-in interaction"),
        ("ExchangeTokenBy.RefreshToken", "Exchange token by refresh token"),
        ("Console.User.Suspend", "Suspend user"),
        ("Console.User.Password.Reset", "Reset user password"),
        ("Console.User.MfaFactor.Remove", "Remove user MFA factor"),
        ("Console.User.PersonalAccessToken.Create", "Create user personal access token"),
        ("ManagementApi.User.Delete", "Delete user (Management API)"),
        ("System.User.Create", "Create user (system)"),
        ("Interaction.Register.Identifier.Submit", "Submit identifier (registration)"),
        ("SomethingNew", "Something new"),
    ],
)
def test_every_key_gets_a_readable_title(key, title):
    assert keys.title(key) == title


def test_every_menu_entry_is_a_valid_filter_value():
    for value, label in keys.event_choices():
        assert keys.KEY_PATTERN.match(value) and label


@pytest.mark.parametrize("value", ["interaction", "A..B", "A.*.B", "A b", "A.", "*", "A.b*"])
def test_malformed_keys_are_not_filter_values(value):
    assert not keys.KEY_PATTERN.match(value)
