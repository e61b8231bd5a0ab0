from django.core.management.base import BaseCommand

from audit.recorder import Origin
from users import mfa, services


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored TOTP secret with the first key of MFA_ENCRYPTION_KEY (after "
        "putting a new key first); --new-key prints a fresh key and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--new-key", action="store_true", help="print a new Fernet key")

    def handle(self, *args, new_key=False, **options):
        if new_key:
            self.stdout.write(mfa.new_encryption_key())
            return
        result = services.reencrypt_mfa_secrets(origin=Origin.system("rotate_mfa_secrets"))
        if options["verbosity"]:
            self.stdout.write(
                f"Re-encrypted {result['reencrypted']} TOTP secrets; "
                f"{result['unreadable']} could not be opened with any configured key."
            )
