from django.apps import AppConfig


class SigninConfig(AppConfig):
    name = "signin"
    verbose_name = "Sign-in (OpenID provider)"

    def ready(self):
        # Connects the receiver that ends end-user sessions when users.services says so.
        from signin import sessions  # noqa: F401
