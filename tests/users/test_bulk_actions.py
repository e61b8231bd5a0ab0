"""Each bulk action goes through the user's service verb: the change, one audit row per user,
and one for the job; a user it does not apply to is skipped with the reason."""

import pytest

from audit.models import Log
from tests.access.factories import MembershipFactory, OrganizationFactory, RoleFactory
from tests.factories import UserFactory
from tests.users.bulk_jobs import run, start
from users.models import BulkJob, BulkJobItem, Membership, User, UserRole

pytestmark = pytest.mark.django_db


def outcomes(job):
    return dict(job.items.values_list("user_id", "outcome"))


def test_suspending_many_users_suspends_each_with_one_audit_row(admin_user):
    users = UserFactory.create_batch(5)
    job = run(start(admin_user, users), batch_size=2)
    assert (job.state, job.total, job.done, job.skipped, job.failed) == ("done", 5, 5, 0, 0)
    assert User.objects.filter(pk__in=[u.pk for u in users], is_suspended=True).count() == 5
    for user in users:
        assert Log.objects.filter(key="Console.User.Suspend", user_ref=user.pk).count() == 1
    assert set(outcomes(job).values()) == {"done"}


def test_the_job_writes_one_audit_row_of_its_own_with_its_counts(admin_user):
    users = UserFactory.create_batch(3)
    job = run(start(admin_user, users))
    row = Log.objects.get(key="Console.Users.BulkJob.Finish")
    assert row.actor == admin_user
    assert row.payload["job"] == job.pk
    assert (row.payload["total"], row.payload["done"], row.payload["state"]) == (3, 3, "done")


def test_an_already_suspended_user_is_skipped_not_audited_again(admin_user):
    suspended = UserFactory(is_suspended=True)
    active = UserFactory()
    job = run(start(admin_user, [suspended, active]))
    assert (job.done, job.skipped) == (1, 1)
    item = job.items.get(user_id=suspended.pk)
    assert (item.outcome, item.reason) == ("skipped", "Already suspended.")
    assert not Log.objects.filter(key="Console.User.Suspend", user_ref=suspended.pk).exists()


def test_reactivating_reactivates_the_suspended_and_skips_the_others(admin_user):
    suspended, active = UserFactory(is_suspended=True), UserFactory()
    job = run(start(admin_user, [suspended, active], action="reactivate"))
    suspended.refresh_from_db()
    assert not suspended.is_suspended
    assert outcomes(job) == {suspended.pk: "done", active.pk: "skipped"}
    assert Log.objects.filter(key="Console.User.Reactivate").count() == 1


def test_assigning_a_role_gives_it_to_those_without_it(admin_user):
    role = RoleFactory()
    has_it, lacks_it = UserFactory(), UserFactory()
    UserRole.objects.create(user=has_it, role=role)
    job = run(start(admin_user, [has_it, lacks_it], action="assign_role", role=role.pk))
    assert UserRole.objects.filter(role=role).count() == 2
    assert outcomes(job) == {has_it.pk: "skipped", lacks_it.pk: "done"}
    assert Log.objects.filter(key="Console.User.Roles.Assign", user_ref=lacks_it.pk).count() == 1


def test_removing_a_role_takes_it_from_those_with_it(admin_user):
    role = RoleFactory()
    has_it, lacks_it = UserFactory(), UserFactory()
    UserRole.objects.create(user=has_it, role=role)
    job = run(start(admin_user, [has_it, lacks_it], action="remove_role", role=role.pk))
    assert not UserRole.objects.filter(role=role).exists()
    assert outcomes(job) == {has_it.pk: "done", lacks_it.pk: "skipped"}
    assert job.items.get(user_id=lacks_it.pk).reason == "Does not have this role."


def test_adding_to_an_organization_makes_members(admin_user):
    organization = OrganizationFactory()
    member, other = UserFactory(), UserFactory()
    MembershipFactory(user=member, organization=organization)
    job = run(
        start(admin_user, [member, other], action="add_organization", organization=organization.pk)
    )
    assert Membership.objects.filter(organization=organization).count() == 2
    assert outcomes(job) == {member.pk: "skipped", other.pk: "done"}


def test_removing_from_an_organization_ends_memberships(admin_user):
    organization = OrganizationFactory()
    member, other = UserFactory(), UserFactory()
    MembershipFactory(user=member, organization=organization)
    job = run(
        start(
            admin_user, [member, other], action="remove_organization", organization=organization.pk
        )
    )
    assert not Membership.objects.filter(organization=organization).exists()
    assert outcomes(job) == {member.pk: "done", other.pk: "skipped"}


def test_expiring_passwords_marks_them_expired(admin_user):
    users = UserFactory.create_batch(3)
    job = run(start(admin_user, users, action="expire_password"))
    assert job.done == 3
    assert User.objects.filter(is_password_expired=True).count() == 3
    assert Log.objects.filter(key="Console.User.Password.Expire").count() == 3


def test_deleting_deletes_and_keeps_the_report_rows(admin_user):
    users = UserFactory.create_batch(3)
    ids = [u.pk for u in users]
    job = run(start(admin_user, users, action="delete"))
    assert job.done == 3 and not User.objects.filter(pk__in=ids).exists()
    assert BulkJobItem.objects.filter(job=job, user_id__in=ids).count() == 3
    assert Log.objects.filter(key="Console.User.Delete", user_ref__in=ids).count() == 3


def test_a_user_deleted_after_the_job_was_created_is_skipped(admin_user):
    gone, here = UserFactory(), UserFactory()
    job = start(admin_user, [gone, here])
    gone_id = gone.pk
    gone.delete()
    job = run(job)
    assert (job.done, job.skipped) == (1, 1)
    assert job.items.get(user_id=gone_id).reason == "The user no longer exists."


def test_a_role_deleted_before_the_job_runs_fails_the_job_with_nothing_done(admin_user):
    role = RoleFactory()
    users = UserFactory.create_batch(2)
    job = start(admin_user, users, action="assign_role", role=role.pk)
    role.delete()
    job = run(job)
    assert job.state == BulkJob.State.FAILED and "deleted" in job.error
    assert job.reported == 0 and job.items.filter(outcome="pending").count() == 2
