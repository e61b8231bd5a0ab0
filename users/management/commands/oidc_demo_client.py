"""manage.py oidc_demo_client [--issuer URL] [--port 8001] [--client-id ID [--client-secret S]]
[--register-only]

Runs a tiny relying party on 127.0.0.1:PORT that signs a user in through Gatehouse's real
OpenID Connect flow and shows the ID token's claims (signin/demo_client.py). Without --client-id
it uses the "Gatehouse demo client" application, registering it first if needed.
"""

import os

from django.core.management.base import BaseCommand

from signin.demo_client import ensure_demo_app, serve


class Command(BaseCommand):
    help = "Run a tiny OpenID Connect relying party on 127.0.0.1 against this Gatehouse."

    def add_arguments(self, parser):
        parser.add_argument(
            "--issuer",
            default=os.environ.get("OIDC_DEMO_ISSUER", "http://127.0.0.1:8000/oidc"),
            help="Gatehouse's issuer (default: http://127.0.0.1:8000/oidc).",
        )
        parser.add_argument("--port", type=int, default=int(os.environ.get("DEMO_PORT", 8001)))
        parser.add_argument("--client-id", default="")
        parser.add_argument("--client-secret", default="")
        parser.add_argument(
            "--register-only",
            action="store_true",
            help="Register the demo application if missing, say how to try it, and exit.",
        )

    def handle(self, *args, **options):
        port = options["port"]
        client_id = options["client_id"]
        if not client_id:
            app, created = ensure_demo_app(port)
            client_id = app.client_id
            if created:
                self.stdout.write(f'Registered the application "{app.name}" ({client_id}).')
        if options["register_only"]:
            self.stdout.write(
                "Try end-user sign-in: run `make demo-client` in another terminal, open "
                f"http://127.0.0.1:{port}/ and sign in as any user with a password "
                "(e.g. one you add in the console)."
            )
            return
        server = serve(
            issuer=options["issuer"],
            client_id=client_id,
            client_secret=options["client_secret"],
            port=port,
        )
        self.stdout.write(
            f"Demo client on http://127.0.0.1:{server.server_address[1]}/ "
            f"(issuer {options['issuer']}); Ctrl-C stops it."
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
