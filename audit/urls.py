from django.urls import path

from audit import views

app_name = "audit"
urlpatterns = [
    path("audit-logs", views.log_list, name="list"),
]
