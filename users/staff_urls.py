"""The Members page: console staff and their roles (admins only)."""

from django.urls import include, path

from users.views import members

app_name = "members"

# One member's dialogs, below members/<id>/ (as a user's pages in users/urls.py).
one_member = [
    path("role", members.MemberRole.as_view(), name="role"),
    path("remove", members.MemberRemove.as_view(), name="remove"),
]

urlpatterns = [
    path("members", members.member_list, name="list"),
    path("members/new", members.member_new, name="new"),
    path("members/grant", members.MemberGrant.as_view(), name="grant"),
    path("members/<id:user_id>/", include(one_member)),
]
