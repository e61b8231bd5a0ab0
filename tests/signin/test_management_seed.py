"""Migration 0005 seeds the Management API: resource, scope `all`, "Management API access"."""

import importlib

import pytest
from django.apps import apps

from users.models import ApiResource, Role, Scope

pytestmark = pytest.mark.django_db
seed = importlib.import_module("users.migrations.0008_application_roles").seed_management_api


def test_the_management_api_resource_scope_and_role_exist():
    resource = ApiResource.objects.get(indicator="https://default.logto.app/api")
    scope = Scope.objects.get(resource=resource, name="all")
    role = Role.objects.get(name="Management API access")
    assert role.type == Role.Type.MACHINE_TO_MACHINE
    assert list(role.scopes.all()) == [scope]


def test_seeding_again_changes_nothing():
    before = (ApiResource.objects.count(), Scope.objects.count(), Role.objects.count())
    seed(apps, None)
    assert (ApiResource.objects.count(), Scope.objects.count(), Role.objects.count()) == before


def test_a_user_role_with_the_name_already_does_not_stop_the_seed():
    Role.objects.all().delete()
    Role.objects.create(name="management api ACCESS", type=Role.Type.USER)
    seed(apps, None)
    role = Role.objects.get(type=Role.Type.MACHINE_TO_MACHINE)
    assert role.name == "Management API access (https://default.logto.app/api)"
