"""What MFA costs: `python -m bench.mfa` (`make bench-mfa`).

Builds a throw-away test database (Django's test-database machinery, on whatever DATABASE_URL
names: SQLite by default), then times in this process, with django.test.Client:
- POST /api/users/:id/mfa-verifications {type: Totp} (secret, encryption, otpauth URI, PNG QR),
  and {type: BackupCode} (ten codes, ten keyed hashes);
- the sign-in's second step, POST /sign-in/mfa with a right TOTP code and with a backup code
  (the code check, the factor update, login(), the session row, two audit rows);
- users.services.verify_mfa_code alone, and users.mfa.qr_data_uri alone.
Reports median and p95 in ms (wall clock and this process's CPU time).
"""

import argparse
import os
import statistics
import sys
import time


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.mfa", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="timed runs per case")
    return parser.parse_args(argv)


def timed(function, runs):
    wall, cpu = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        function()
        wall.append((time.perf_counter() - w) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return wall, cpu


def p95(values):
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    os.environ.setdefault("GATEHOUSE_LOCAL", "true")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.END_USER_SIGN_IN_MAX_PER_ACCOUNT = settings.END_USER_SIGN_IN_MAX_PER_IP = 10**9
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        for line in run(args.runs):
            print(line)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(runs):
    from django.test import Client

    from audit.recorder import Origin
    from signin.management import grant_management_access, issue_access_token
    from users import mfa, services
    from users.access import applications as application_services
    from users.models import Application, MfaFactor, User

    system = Origin.system("bench")
    app = application_services.create_application(
        origin=system, name="bench", type=Application.Type.MACHINE_TO_MACHINE
    )
    grant_management_access(app, origin=system)
    token, _ = issue_access_token(app)
    api = Client(headers={"Authorization": f"Bearer {token}"})
    password = "bench-end-user-password-7"
    made = []

    def new_user():
        user = User(username=f"bench_{len(made)}", name="Bench User")
        user.set_password(password)
        user.save()
        made.append(user)
        return user

    for _ in range(runs):
        new_user()  # untimed: a password hash costs ~25 ms

    def enrol_totp():
        user = made[enrol_totp.done]
        enrol_totp.done += 1
        response = api.post(
            f"/api/users/{user.pk}/mfa-verifications",
            {"type": "Totp"},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content

    def enrol_codes():
        user = made[len(made) - 1 - enrol_codes.done]
        enrol_codes.done += 1
        response = api.post(
            f"/api/users/{user.pk}/mfa-verifications",
            {"type": "BackupCode"},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content

    enrol_totp.done = enrol_codes.done = 0
    lines = []

    def report(name, result):
        wall, cpu = result
        lines.append(
            f"{name:<44} wall median {statistics.median(wall):7.1f}  p95 {p95(wall):7.1f}   "
            f"cpu median {statistics.median(cpu):7.1f}"
        )

    report("POST mfa-verifications Totp", timed(enrol_totp, runs))
    report("POST mfa-verifications BackupCode", timed(enrol_codes, runs))

    # The second step: sign in with the password (untimed), then time the code's POST.
    secrets_by_user = {}
    for user in made:
        factor = MfaFactor.objects.get(user=user, type="Totp")
        secrets_by_user[user.pk] = mfa.decrypt_secret(factor.secret)
    codes_by_user = {}
    for user in made:
        MfaFactor.objects.filter(user=user, type="BackupCode").delete()
        codes_by_user[user.pk] = services.enrol_backup_codes(user, origin=system).codes

    def second_step(code_for):
        def one():
            user = made[one.index % len(made)]
            one.index += 1
            client = Client()
            response = client.post("/sign-in", {"identifier": user.username, "password": password})
            assert response["Location"] == "/sign-in/mfa", response
            code = code_for(user)
            start_wall, start_cpu = time.perf_counter(), time.process_time()
            response = client.post("/sign-in/mfa", {"code": code})
            one.samples.append(
                (
                    (time.perf_counter() - start_wall) * 1000,
                    (time.process_time() - start_cpu) * 1000,
                )
            )
            assert response.status_code == 302, response.content

        one.index, one.samples = 0, []
        return one

    # A TOTP code works once per time step: reset the replay guard between runs (bench only).
    def totp_code(user):
        MfaFactor.objects.filter(user=user, type="Totp").update(details={})
        return mfa.totp(secrets_by_user[user.pk]).now()

    step = second_step(totp_code)
    for _ in range(runs):
        step()
    report("POST /sign-in/mfa (TOTP code)", tuple(zip(*step.samples, strict=True)))

    step = second_step(lambda user: codes_by_user[user.pk].pop())
    for _ in range(min(runs, 10 * len(made))):
        step()
    report("POST /sign-in/mfa (backup code)", tuple(zip(*step.samples, strict=True)))

    origin = Origin(channel="Interaction")
    user = made[0]

    def verify_only():
        MfaFactor.objects.filter(user=user, type="Totp").update(details={})
        assert services.verify_mfa_code(user, totp_code(user), origin=origin)

    report("services.verify_mfa_code (TOTP)", timed(verify_only, runs))
    uri = mfa.otpauth_uri(mfa.generate_totp_secret(), label="Bench User", issuer="example.com")
    report("mfa.qr_data_uri", timed(lambda: mfa.qr_data_uri(uri), runs))
    return lines


if __name__ == "__main__":
    main()
