"""expect_one_log(): assert that a block writes exactly one audit row, with its key, actor and user."""

from contextlib import contextmanager
from types import SimpleNamespace

from audit.models import Log


@contextmanager
def expect_one_log(key: str, *, actor=None, actor_label=None, user=None, result="Success"):
    """Yields a box whose `.log` is the row written; `user` may be given after the block as
    `box.log.user_ref` when the block creates the user."""
    before = set(Log.objects.values_list("pk", flat=True))
    box = SimpleNamespace(log=None)
    yield box
    new = list(Log.objects.exclude(pk__in=before))
    assert len(new) == 1, f"expected one audit row, got {[log.key for log in new]}"
    log = box.log = new[0]
    assert log.key == key
    assert log.result == result
    if actor is not None:
        assert log.actor_id == actor.pk
    if actor_label is not None:
        assert log.actor_label == actor_label
    if user is not None:
        assert log.user_ref == user.pk
