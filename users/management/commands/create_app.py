"""manage.py create_app --name NAME --type traditional|spa|native --redirect-uri URI [...]

Registers an application users sign in through and prints ONE JSON object on stdout:
{"clientId": ..., "clientSecret": ...} (no secret for public apps: SPA and native). Nothing else
goes to stdout, so `$(manage.py create_app ...)` can be parsed as it is.
"""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from audit.recorder import Origin
from users.access.applications import create_application, set_application_sign_in_options
from users.models import Application

TYPES = {
    "traditional": Application.Type.TRADITIONAL,
    "spa": Application.Type.SPA,
    "native": Application.Type.NATIVE,
}


class Command(BaseCommand):
    help = (
        "Register an application users sign in through; prints its client id (and secret) as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--type", required=True, choices=sorted(TYPES))
        parser.add_argument(
            "--redirect-uri", action="append", required=True, dest="redirect_uris", metavar="URI"
        )
        parser.add_argument(
            "--post-logout-redirect-uri",
            action="append",
            default=[],
            dest="post_logout_redirect_uris",
            metavar="URI",
        )
        parser.add_argument(
            "--third-party", action="store_true", help="Ask users for consent before signing in."
        )

    def handle(self, *args, **options):
        origin = Origin.system("create_app")
        try:
            app = create_application(
                origin=origin,
                name=options["name"],
                type=TYPES[options["type"]],
                redirect_uris=" ".join(options["redirect_uris"]),
            )
            if options["third_party"] or options["post_logout_redirect_uris"]:
                set_application_sign_in_options(
                    app,
                    origin=origin,
                    is_third_party=options["third_party"],
                    post_logout_redirect_uris=" ".join(options["post_logout_redirect_uris"]),
                )
        except ValidationError as error:
            messages = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" if k else " ".join(v) for k, v in messages.items())
            ) from None
        result = {"clientId": app.client_id}
        if app.new_client_secret:
            result["clientSecret"] = app.new_client_secret
        self.stdout.write(json.dumps(result))
