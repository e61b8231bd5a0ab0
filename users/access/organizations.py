"""The verbs on organizations, organization roles and a user's memberships."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.recorder import Origin, field_changes, record, record_many
from users import profile_rules
from users.access.common import (
    NAMED,
    camel_keys,
    clean_fields,
    create_named,
    existing_scopes,
    given,
    name_ref,
    update_named,
)
from users.models import Membership, Organization, OrganizationRole, Scope, User
from users.services import guard_staff_target, lock_batch, lock_for_change


def _org_values(values: dict) -> dict:
    cleaned = clean_fields(values, NAMED)
    if "custom_data" in values:
        cleaned["custom_data"] = profile_rules.clean_custom_data(values["custom_data"] or {})
    return cleaned


def create_organization(
    *, origin: Origin, name: str, description: str = "", custom_data: dict | None = None
) -> Organization:
    values = _org_values({"name": name, "description": description, "custom_data": custom_data})
    with transaction.atomic():
        organization = Organization.objects.create(**values)
        record(
            "Organization.Create",
            origin=origin,
            payload={"organization": {"id": organization.pk, **camel_keys(values)}},
        )
    return organization


def update_organization(
    organization: Organization,
    *,
    origin: Origin,
    name: str | None = None,
    description: str | None = None,
    custom_data: dict | None = None,
) -> Organization:
    values = _org_values(given(name=name, description=description, custom_data=custom_data))
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        changes = field_changes(organization, values)
        if not changes:
            return organization
        for field, change in changes.items():
            setattr(organization, field, change["new"])
        organization.save(update_fields=list(changes))
        record(
            "Organization.Update",
            origin=origin,
            payload={"organization": name_ref(organization), "changes": camel_keys(changes)},
        )
    return organization


def delete_organization(organization: Organization, *, origin: Origin) -> int:
    """Delete an organization and its memberships (members keep their accounts)."""
    return _delete_counting_memberships(
        organization, "Organization.Delete", "organization", "removedMembers", origin=origin
    )


def _delete_counting_memberships(thing, action: str, key: str, counted: str, *, origin) -> int:
    """Delete an organization or an organization role; the audit row (`action`) names it under
    `key` and says under `counted` how many memberships it was in. Returns that number."""
    with transaction.atomic():
        thing = type(thing).objects.select_for_update().get(pk=thing.pk)
        count = thing.memberships.count()
        payload = {key: name_ref(thing), counted: count}
        thing.delete()
        record(action, origin=origin, payload=payload)
    return count


def create_organization_role(
    *, origin: Origin, name: str, description: str = "", scopes: Iterable[Scope] = ()
) -> OrganizationRole:
    values = clean_fields({"name": name, "description": description}, NAMED)
    scopes = existing_scopes(scopes)
    return create_named(
        OrganizationRole(**values),
        "OrganizationRole.Create",
        origin=origin,
        scopes=scopes,
        payload=values,
    )


def update_organization_role(
    role: OrganizationRole,
    *,
    origin: Origin,
    name: str | None = None,
    description: str | None = None,
    scopes: Iterable[Scope] | None = None,
) -> OrganizationRole:
    values = given(name=name, description=description)
    return update_named(
        OrganizationRole,
        role,
        "OrganizationRole.Update",
        origin=origin,
        values=values,
        scopes=scopes,
    )


def delete_organization_role(role: OrganizationRole, *, origin: Origin) -> int:
    """Delete an organization role; members who held it keep their memberships without it."""
    return _delete_counting_memberships(
        role, "OrganizationRole.Delete", "role", "removedFromMembers", origin=origin
    )


# --- A user's memberships ----------------------------------------------------------------


def _lock_membership(user: User, organization: Organization, origin: Origin):
    """Lock the user for a change of their memberships (a staff account only by a superuser);
    their membership of `organization`, or None."""
    user, actor = lock_for_change(user, origin)
    guard_staff_target(actor, user)
    return user, Membership.objects.filter(user=user, organization=organization).first()


def _membership_payload(organization, old_roles, new_roles) -> dict:
    return {
        "organization": name_ref(organization),
        "roles": {
            "old": sorted(r.name for r in old_roles),
            "new": sorted(r.name for r in new_roles),
        },
    }


def add_membership(
    user: User,
    organization: Organization,
    roles: Iterable[OrganizationRole] = (),
    *,
    origin: Origin,
) -> Membership:
    """Make the user a member with these roles; for a member already, add the roles missing."""
    roles = list(dict.fromkeys(roles))
    with transaction.atomic():
        user, membership = _lock_membership(user, organization, origin)
        if membership is None:
            try:
                with transaction.atomic():
                    membership = Membership.objects.create(user=user, organization=organization)
            except IntegrityError:
                raise ValidationError(
                    "This organization was just deleted. Reload and try again.", code="stale"
                ) from None
            old = []
            action = "User.Organizations.Add"
        else:
            old = list(membership.roles.all())
            action = "User.Organizations.Roles.Update"
        missing = [r for r in roles if r not in old]
        if action != "User.Organizations.Add" and not missing:
            return membership
        membership.roles.add(*missing)
        record(
            action,
            origin=origin,
            user=user,
            payload=_membership_payload(organization, old, old + missing),
        )
    return membership


def set_membership_roles(
    user: User, organization: Organization, roles: Iterable[OrganizationRole], *, origin: Origin
) -> Membership:
    """Make the member's organization roles exactly these."""
    roles = list(dict.fromkeys(roles))
    with transaction.atomic():
        user, membership = _lock_membership(user, organization, origin)
        if membership is None:
            raise ValidationError(
                "The user is not a member of this organization.", code="not_member"
            )
        old = list(membership.roles.all())
        if {r.pk for r in old} == {r.pk for r in roles}:
            return membership
        membership.roles.set(roles)
        record(
            "User.Organizations.Roles.Update",
            origin=origin,
            user=user,
            payload=_membership_payload(organization, old, roles),
        )
    return membership


def remove_membership(user: User, organization: Organization, *, origin: Origin) -> bool:
    """Take the user out of the organization (and its roles); False if they were not in it."""
    with transaction.atomic():
        user, membership = _lock_membership(user, organization, origin)
        if membership is None:
            return False
        old = list(membership.roles.all())
        membership.delete()
        record(
            "User.Organizations.Remove",
            origin=origin,
            user=user,
            payload=_membership_payload(organization, old, []),
        )
    return True


# --- The same on a batch of users (a bulk job's batch; see services.lock_batch) ------------------


def add_users_to_organization(user_ids, organization: Organization, *, origin: Origin):
    """add_membership(user, organization) for each of these users who is not a member yet, in one
    transaction of a few statements: the same guards, rows and audit rows as one call per user.
    Returns a services.BatchOutcome (members already: skipped)."""
    member = "Already a member."

    def one(user, *, origin):
        if Membership.objects.filter(user=user, organization=organization).exists():
            return member
        add_membership(user, organization, origin=origin)

    with transaction.atomic():
        outcome, plain = lock_batch(user_ids, origin, single=one)
        members = set(
            Membership.objects.filter(user__in=plain, organization=organization).values_list(
                "user_id", flat=True
            )
        )
        plain = outcome.skip(plain, lambda user: user.pk in members and member)
        if plain:
            try:
                with transaction.atomic():
                    Membership.objects.bulk_create(
                        [Membership(user=user, organization=organization) for user in plain]
                    )
            except IntegrityError:
                raise ValidationError(
                    "This organization was just deleted. Reload and try again.", code="stale"
                ) from None
            payload = _membership_payload(organization, [], [])
            record_many("User.Organizations.Add", origin=origin, users=plain, payload=payload)
            outcome.done.extend(user.pk for user in plain)
    return outcome


def remove_users_from_organization(user_ids, organization: Organization, *, origin: Origin):
    """remove_membership(user, organization) for each of these users, set-based (see
    add_users_to_organization); those not members are skipped."""
    not_member = "Not a member."

    def one(user, *, origin):
        return None if remove_membership(user, organization, origin=origin) else not_member

    with transaction.atomic():
        outcome, plain = lock_batch(user_ids, origin, single=one)
        memberships = {
            m.user_id: m
            for m in Membership.objects.filter(
                user__in=plain, organization=organization
            ).prefetch_related("roles")
        }
        plain = outcome.skip(plain, lambda user: user.pk not in memberships and not_member)
        if plain:
            Membership.objects.filter(pk__in=[memberships[u.pk].pk for u in plain]).delete()
            record_many(
                "User.Organizations.Remove",
                origin=origin,
                users=plain,
                payload=lambda user: _membership_payload(
                    organization, list(memberships[user.pk].roles.all()), []
                ),
            )
            outcome.done.extend(user.pk for user in plain)
    return outcome
