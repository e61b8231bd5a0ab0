"""manage.py generate_oidc_key [--output PATH] [--if-missing]

A new RSA key (2048-bit, PKCS#8 PEM) for signing ID tokens: to stdout, or to PATH (mode 0600).
Give it to Gatehouse as OIDC_RSA_PRIVATE_KEY or as the file OIDC_RSA_PRIVATE_KEY_FILE names.
"""

import os
from pathlib import Path

from django.core.management.base import BaseCommand

from signin.keys import generate_private_key_pem


class Command(BaseCommand):
    help = "Generate the RSA key that signs ID tokens (OIDC_RSA_PRIVATE_KEY)."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="Write the key to this file (0600) instead of stdout.")
        parser.add_argument(
            "--if-missing", action="store_true", help="Do nothing when --output already exists."
        )

    def handle(self, *args, **options):
        output = options["output"]
        if output and options["if_missing"] and Path(output).exists():
            return
        pem = generate_private_key_pem()
        if not output:
            self.stdout.write(pem, ending="")
            return
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(pem)
        self.stderr.write(f"Wrote a new ID-token signing key to {output}.")
