import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from audit.recorder import Origin
from signin.management import grant_management_access
from users.access.applications import create_application
from users.models import Application


class Command(BaseCommand):
    help = (
        "Create a machine-to-machine application with Management API access. Prints one JSON "
        'object, {"clientId": ..., "clientSecret": ...}, on stdout and nothing else; the secret '
        "is shown this once and stored only hashed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="The application's name.")
        parser.add_argument("--description", default="")

    def handle(self, *args, name, description, **options):
        origin = Origin.system("create_m2m_app")
        try:
            app = create_application(
                origin=origin,
                name=name,
                description=description,
                type=Application.Type.MACHINE_TO_MACHINE,
            )
            grant_management_access(app, origin=origin)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stderr.write(f"Created “{app.name}” with Management API access.")
        self.stdout.write(
            json.dumps({"clientId": app.client_id, "clientSecret": app.new_client_secret})
        )
