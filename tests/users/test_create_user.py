import threading

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core.exceptions import ValidationError
from django.db import connection

from audit.models import Log
from audit.recorder import Origin
from users import services
from users.models import User
from users.services import PASSWORD_ALPHABET

ORIGIN = Origin(channel="Console", actor_label="test", ip="127.0.0.1", user_agent="pytest")


def create(**fields):
    return services.create_user(origin=ORIGIN, **fields)


@pytest.mark.django_db
def test_a_user_is_created_with_normalised_identifiers():
    created = create(
        username="ann_lee", primary_email="Ann@Example.COM", primary_phone="+44 20 7946 0958"
    )
    user = User.objects.get(pk=created.user.pk)
    assert (user.username, user.primary_email, user.primary_phone) == (
        "ann_lee",
        "Ann@example.com",
        "442079460958",
    )
    assert len(user.id) == 12 and user.id.isalnum() and user.id == user.id.lower()


@pytest.mark.django_db
def test_at_least_one_identifier_is_required_and_nothing_is_created_without_one():
    with pytest.raises(ValidationError) as error:
        create(name="No Identifiers")
    assert error.value.code == "identifier_required"
    assert not User.objects.exists()
    assert not Log.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "first", "second"),
    [
        ("username", "Ann_Lee", "ann_lee"),
        ("primary_email", "ann@example.com", "ANN@EXAMPLE.COM"),
        ("primary_phone", "+44 20 7946 0958", "442079460958"),
        ("primary_phone", "+61 0412 345 678", "+61412345678"),
    ],
)
def test_identifiers_are_unique_across_case_and_spelling(field, first, second):
    create(**{field: first})
    with pytest.raises(ValidationError) as error:
        create(**{field: second})
    assert field in error.value.error_dict
    assert error.value.error_dict[field][0].code == "unique"
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_case_variant_even_past_the_service():
    from django.db import IntegrityError, transaction

    create(primary_email="ann@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(primary_email="ANN@example.com")


@pytest.mark.django_db
def test_invalid_identifiers_are_reported_per_field_and_nothing_is_created():
    with pytest.raises(ValidationError) as error:
        create(username="9lives", primary_email="not-an-email", primary_phone="12")
    assert set(error.value.error_dict) == {"username", "primary_email", "primary_phone"}
    assert not User.objects.exists()


@pytest.mark.django_db
def test_a_generated_password_is_long_unambiguous_and_only_its_hash_is_stored():
    created = create(primary_email="ann@example.com", generate=True)
    password = created.password
    assert len(password) >= 16
    assert set(password) <= set(PASSWORD_ALPHABET)
    assert not set(password) & set("0O1lI")
    user = User.objects.get(pk=created.user.pk)
    assert password not in user.password
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password(password)
    assert user.password_updated_at is not None


@pytest.mark.django_db
def test_generated_passwords_differ():
    passwords = {services.generate_password() for _ in range(50)}
    assert len(passwords) == 50


@pytest.mark.django_db
def test_a_user_without_a_password_has_an_unusable_one():
    created = create(username="nopass")
    assert created.password is None
    assert not User.objects.get(pk=created.user.pk).has_password


@pytest.mark.django_db
def test_creating_a_user_writes_one_audit_row_without_the_password():
    created = create(primary_email="ann@example.com", generate=True)
    log = Log.objects.get()
    assert log.key == "Console.User.Create"
    assert log.result == "Success"
    assert log.user_ref == created.user.pk
    assert log.user_label == "ann@example.com"
    assert (log.ip, log.user_agent) == ("127.0.0.1", "pytest")
    assert created.password not in str(log.payload)
    assert created.user.password not in str(log.payload)


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_of_one_username_leave_one_user_and_clear_errors():
    results, barrier = [], threading.Barrier(6)

    def attempt():
        try:
            barrier.wait()
            create(username="race_winner")
            results.append("created")
        except ValidationError as error:
            results.append(error.error_dict["username"][0].code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("created") == 1
    assert results.count("unique") == 5
    assert User.objects.filter(username="race_winner").count() == 1
