"""A tiny relying party on 127.0.0.1 that signs a user in through Gatehouse's real OpenID Connect
flow and shows the ID token's claims (`manage.py oidc_demo_client`, `make demo-client`; the browser
tests use it too). It uses Authlib (a certified RP library) for the protocol: discovery, the
authorization code flow with PKCE S256, the token request and userinfo; the ID token is checked with
joserfc (signature against the JWKS, issuer, audience, expiry, nonce).

A development tool: its state (pending sign-ins) lives in this process only.
"""

import html
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

DEMO_APP_NAME = "Gatehouse demo client"
SCOPE = "openid profile email phone offline_access"


def ensure_demo_app(port: int):
    """The demo client's application (native: a public client, PKCE, loopback redirect): found by
    name, registered if missing. Returns (application, created)."""
    from audit.recorder import Origin
    from users.access.applications import (
        create_application,
        set_application_sign_in_options,
        update_application,
    )
    from users.models import Application

    redirect_uri = f"http://127.0.0.1:{port}/callback"
    app = Application.objects.filter(name=DEMO_APP_NAME).first()
    if app is not None:
        if redirect_uri not in app.redirect_uris.split():
            app = update_application(
                app,
                origin=Origin.system("oidc_demo_client"),
                redirect_uris=f"{app.redirect_uris} {redirect_uri}",
            )
        return app, False
    origin = Origin.system("oidc_demo_client")
    app = create_application(
        origin=origin, name=DEMO_APP_NAME, type=Application.Type.NATIVE, redirect_uris=redirect_uri
    )
    set_application_sign_in_options(
        app, origin=origin, post_logout_redirect_uris=f"http://127.0.0.1:{port}/"
    )
    return app, True


class DemoClient:
    def __init__(self, *, issuer: str, client_id: str, client_secret: str = "", port: int):
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.base = f"http://127.0.0.1:{port}"
        self.redirect_uri = f"{self.base}/callback"
        self.pending = {}  # state -> (code_verifier, nonce)
        self.lock = threading.Lock()
        self._metadata = None

    def metadata(self) -> dict:
        if self._metadata is None:
            import requests

            url = f"{self.issuer}/.well-known/openid-configuration"
            self._metadata = requests.get(url, timeout=10).json()
        return self._metadata

    def session(self):
        from authlib.integrations.requests_client import OAuth2Session

        return OAuth2Session(
            self.client_id,
            self.client_secret or None,
            scope=SCOPE,
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_basic" if self.client_secret else "none",
        )

    def start(self) -> str:
        """The authorization URL to send the browser to."""
        from authlib.common.security import generate_token

        verifier = generate_token(48)
        nonce = secrets.token_urlsafe(16)
        url, state = self.session().create_authorization_url(
            self.metadata()["authorization_endpoint"], code_verifier=verifier, nonce=nonce
        )
        with self.lock:
            self.pending[state] = (verifier, nonce)
        return url

    def finish(self, callback_url: str) -> dict:
        """Redeem the code of the callback; returns the verified ID token claims and userinfo."""
        from joserfc import jwt
        from joserfc.jwk import KeySet

        params = {k: v[0] for k, v in parse_qs(urlsplit(callback_url).query).items()}
        if "error" in params:
            raise ValueError(f"{params['error']}: {params.get('error_description', '')}")
        with self.lock:
            verifier, nonce = self.pending.pop(params.get("state", ""), (None, None))
        if verifier is None:
            raise ValueError("Unknown or reused state.")
        if params.get("iss") != self.issuer:
            raise ValueError("The response's issuer is not the one we asked.")
        meta = self.metadata()
        session = self.session()
        token = session.fetch_token(
            meta["token_endpoint"], authorization_response=callback_url, code_verifier=verifier
        )
        import requests

        keys = KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
        decoded = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.client_id},
            nonce={"essential": True, "value": nonce},
            exp={"essential": True},
        ).validate(decoded.claims)
        userinfo = session.get(meta["userinfo_endpoint"]).json()
        return {"claims": decoded.claims, "userinfo": userinfo, "token": token}


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Gatehouse demo client</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:720px;margin:40px auto;padding:0 16px}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:4px 10px;text-align:left}}</style>
</head><body><h1>Gatehouse demo client</h1>{body}</body></html>"""


def _table(data: dict, caption: str, table_id: str) -> str:
    rows = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(json.dumps(v) if not isinstance(v, str) else v)}</td></tr>"
        for k, v in sorted(data.items())
    )
    return f'<table id="{table_id}"><caption>{html.escape(caption)}</caption>{rows}</table>'


def make_handler(client: DemoClient):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):  # quiet: the browser tests run it in-process
            pass

        def _send(self, status, body="", location=None):
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            content = PAGE.format(body=body).encode()
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def do_GET(self):
            path = urlsplit(self.path).path
            if path == "/":
                self._send(200, '<p><a id="sign-in" href="/login">Sign in with Gatehouse</a></p>')
            elif path == "/login":
                self._send(302, location=client.start())
            elif path == "/callback":
                try:
                    result = client.finish(client.base + self.path)
                except Exception as error:  # shown to the person trying the demo
                    self._send(
                        400,
                        f'<p id="error">Sign-in failed: {html.escape(str(error))}</p>'
                        '<p><a href="/">Start again</a></p>',
                    )
                    return
                body = (
                    f'<p id="signed-in">Signed in as <strong>{html.escape(str(result["claims"].get("sub")))}</strong>.</p>'
                    + _table(result["claims"], "ID token claims (verified)", "claims")
                    + _table(result["userinfo"], "Userinfo", "userinfo")
                    + f"<p>Refresh token issued: {'yes' if 'refresh_token' in result['token'] else 'no'}</p>"
                    + '<p><a href="/">Start again</a></p>'
                )
                self._send(200, body)
            else:
                self._send(404, "<p>Not found</p>")

    return Handler


def serve(*, issuer: str, client_id: str, client_secret: str = "", port: int = 8001):
    """A ThreadingHTTPServer bound to 127.0.0.1:port (0: any free port); call serve_forever()."""
    server = ThreadingHTTPServer(("127.0.0.1", port), None)
    actual_port = server.server_address[1]
    client = DemoClient(
        issuer=issuer, client_id=client_id, client_secret=client_secret, port=actual_port
    )
    server.RequestHandlerClass = make_handler(client)
    server.demo_client = client
    return server
