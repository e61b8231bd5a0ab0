from django.urls import path

from users import views

app_name = "users"
urlpatterns = [
    path("users", views.user_list, name="list"),
    path("users/new", views.user_new, name="new"),
    path("users/<str:user_id>", views.user_detail, name="detail"),
]
