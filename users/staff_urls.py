"""The Members page: console staff and their roles (admins only)."""

from django.urls import include, path

from users.views import members

app_name = "members"

# One member's dialogs, below members/<id>/ (as a user's pages in users/urls.py).
one_member = [
    path("role", members.member_role, name="role"),
    path("remove", members.member_remove, name="remove"),
]

urlpatterns = [
    path("members", members.member_list, name="list"),
    path("members/new", members.member_new, name="new"),
    path("members/grant", members.member_grant, name="grant"),
    path("members/<id:user_id>/", include(one_member)),
]
