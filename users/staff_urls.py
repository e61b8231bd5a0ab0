"""The Members page: console staff and their roles (admins only)."""

from django.urls import path

from users.views import members

app_name = "members"
urlpatterns = [
    path("members", members.member_list, name="list"),
    path("members/new", members.member_new, name="new"),
    path("members/grant", members.member_grant, name="grant"),
    path("members/<id:user_id>/role", members.member_role, name="role"),
    path("members/<id:user_id>/remove", members.member_remove, name="remove"),
]
