from django.urls import path

from audit import views

app_name = "audit"
urlpatterns = [
    path("audit-logs", views.log_list, name="list"),
    path("audit-logs/<id:log_id>", views.log_detail, name="detail"),
]
