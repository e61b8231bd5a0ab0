import factory

from users.models import (
    ApiResource,
    Membership,
    Organization,
    OrganizationRole,
    Role,
    Scope,
    UserRole,
)


class ApiResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApiResource

    name = factory.Sequence(lambda n: f"API {n}")
    indicator = factory.Sequence(lambda n: f"https://api{n}.example.com")


class ScopeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scope

    resource = factory.SubFactory(ApiResourceFactory)
    name = factory.Sequence(lambda n: f"read:things{n}")
    description = factory.Sequence(lambda n: f"Read things {n}")


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Role {n}")
    description = factory.Sequence(lambda n: f"What role {n} may do")
    type = Role.Type.USER

    @factory.post_generation
    def scopes(self, create, extracted, **kwargs):
        if create and extracted:
            self.scopes.set(extracted)


class MachineRoleFactory(RoleFactory):
    name = factory.Sequence(lambda n: f"Machine role {n}")
    type = Role.Type.MACHINE_TO_MACHINE


class UserRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserRole

    user = factory.SubFactory("tests.factories.UserFactory")
    role = factory.SubFactory(RoleFactory)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    description = factory.Sequence(lambda n: f"Customer number {n}")


class OrganizationRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganizationRole
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Org role {n}")
    description = "Inside an organization"

    @factory.post_generation
    def scopes(self, create, extracted, **kwargs):
        if create and extracted:
            self.scopes.set(extracted)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory("tests.factories.UserFactory")
    organization = factory.SubFactory(OrganizationFactory)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.roles.set(extracted)
