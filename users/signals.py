"""Signals the user services send, so apps above `users` can react without `users` importing them."""

from django.dispatch import Signal

# Sent inside the transaction of every verb that ends a user's sessions and tokens (suspend,
# password reset or set, lock-down), with `user`. Receivers end what they track (signin ends the
# end-user sessions and grants) and return how many they ended.
sessions_must_end = Signal()

# The same for many users at once (the set-based verbs: a batch of a bulk job), with `user_ids`
# and `reason` ("suspended"); receivers end what they track with a statement per kind, not per user.
users_sessions_must_end = Signal()
