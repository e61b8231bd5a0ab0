from django.core.management.base import BaseCommand

from audit.recorder import Origin
from users import services
from users.models import User


class Command(BaseCommand):
    help = "Create the first superuser admin with a generated password, printed once."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000",
            help="Where the console is served (printed with the sign-in).",
        )

    def handle(self, *args, username, url, **options):
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write(
                "An admin exists already; its password was printed when it was created. "
                f"To set a new one: manage.py changepassword {username}"
            )
            return
        created = services.create_user(
            origin=Origin.system("ensure_admin"),
            username=username,
            name="Administrator",
            generate=True,
            is_superuser=True,
        )
        bar = "=" * 64
        self.stdout.write(
            f"{bar}\nSign in at {url.rstrip('/')}/console/sign-in\n"
            f"  username: {created.user.username}\n  password: {created.password}\n"
            f"This password is shown once and not stored anywhere in plain text.\n{bar}"
        )
