import factory
from django.utils import timezone

from users.models import Application, User
from users.staff import EDITOR, VIEWER, role_group

PASSWORD = "correct-horse-battery-staple"


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    name = factory.Sequence(lambda n: f"App {n}")
    type = Application.Type.TRADITIONAL
    client_type = Application.CLIENT_CONFIDENTIAL
    authorization_grant_type = Application.GRANT_AUTHORIZATION_CODE
    client_secret = ""


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user_{n}")
    primary_email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    created_at = factory.LazyFunction(timezone.now)

    # Hashing costs ~25 ms: only users that sign in get a usable password (hashed when given).
    password = factory.django.Password(None)


class SuperuserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"admin_{n}")
    # Not a Faker name: a test's search for a common surname must not find the signed-in admin.
    name = factory.Sequence(lambda n: f"Admin {n}")
    is_staff = True
    is_superuser = True
    staff_since = factory.LazyFunction(timezone.now)
    password = factory.django.Password(PASSWORD)


class ViewerFactory(UserFactory):
    """A staff admin who may only look: a member of the "Viewer" group (view permissions)."""

    class Meta:
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"viewer_{n}")
    name = factory.Sequence(lambda n: f"Viewer {n}")
    is_staff = True
    staff_since = factory.LazyFunction(timezone.now)
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def permissions(self, create, extracted, **kwargs):
        if create:
            self.groups.add(role_group(VIEWER))


class EditorFactory(ViewerFactory):
    """A staff admin who manages users, their roles and memberships: the "Editor" group."""

    username = factory.Sequence(lambda n: f"editor_{n}")
    name = factory.Sequence(lambda n: f"Editor {n}")

    @factory.post_generation
    def permissions(self, create, extracted, **kwargs):
        if create:
            self.groups.add(role_group(EDITOR))
