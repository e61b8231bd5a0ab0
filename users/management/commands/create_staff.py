from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from audit.recorder import Origin
from users import staff

OPTIONS = {"primary_email": "email", "username": "username", "name": "name", "role": "role"}


class Command(BaseCommand):
    help = (
        "Create a console member (admin, editor or viewer) with a generated password, printed once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--role", required=True, choices=staff.ROLES)
        parser.add_argument("--email", help="the member signs in with it (or with --username)")
        parser.add_argument("--username")
        parser.add_argument("--name", default="")

    def handle(self, *args, role, email, username, name, **options):
        if not email and not username:
            raise CommandError("Give --email or --username: members sign in with one of them.")
        try:
            created = staff.create_staff(
                origin=Origin.system("create_staff"),
                role=role,
                primary_email=email,
                username=username,
                name=name,
            )
        except ValidationError as error:
            raise CommandError(" ".join(_messages(error))) from None
        user = created.user
        bar = "=" * 64
        self.stdout.write(
            f"{bar}\nNew console {role}: sign in at /console/sign-in\n"
            f"  {'username' if user.username else 'email'}: "
            f"{user.username or user.primary_email}\n"
            f"  password: {created.password}\n"
            f"This password is shown once and not stored anywhere in plain text.\n{bar}"
        )


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [
            f"--{OPTIONS.get(field, field)}: {m}"
            for field, ms in error.message_dict.items()
            for m in ms
        ]
    return error.messages
