from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "console"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.urls import register_converter

        from console.converters import IdConverter
        from console.middleware import mark_signed_in

        user_logged_in.connect(mark_signed_in, dispatch_uid="console.mark_signed_in")
        # `<id:...>` in every console URL (users/urls.py, users/access/urls.py, audit/urls.py).
        register_converter(IdConverter, "id")
