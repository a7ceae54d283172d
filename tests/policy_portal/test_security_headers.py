"""The security headers and who is believed about HTTPS (docs/reliability.md, "Security headers").

The production cases run in a fresh interpreter with a clean environment, as in test_settings.py: settings are read
once per process. The policy itself is checked under the test settings, which serve the same one (base.py), so that
the browser tests prove it.
"""

from __future__ import annotations

import json
import re
from base64 import b64encode
from hashlib import sha256
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.policy_portal.test_settings import BASE_DIR, run_python, skip_if_dotenv_sets

# A key as `check --deploy` wants one: 50 characters or more, many different ones.
SECRET_KEY = "probe-Zq8XkW3vN7rT2yB5mC9dF4hJ6gL1sP0aE-uI8oR2wQ5tY7"
HOST = "portal.example.org"
# Asks the production stack the questions these tests have; never touches a database (a JSON 404 of the API).
PROBE = f"""
import json
import django
django.setup()
from django.test import Client, RequestFactory
client = Client(HTTP_HOST="{HOST}")
forwarded = RequestFactory().get("/", HTTP_X_FORWARDED_PROTO="https")
plain = client.get("/api/v1/no-such-list/")
proxied = client.get("/api/v1/no-such-list/", HTTP_X_FORWARDED_PROTO="https")
secure = client.get("/api/v1/no-such-list/", secure=True)
print(json.dumps({{
    "forwarded_is_secure": forwarded.is_secure(),
    "plain": [plain.status_code, plain.get("Location")],
    "proxied": [proxied.status_code, proxied.get("Strict-Transport-Security")],
    "secure": dict(secure.headers),
}}))
"""


def probe(**env: str) -> dict[str, Any]:
    skip_if_dotenv_sets("DJANGO_TRUSTED_PROXY_COUNT", "DJANGO_SECURE_SSL_REDIRECT", "DJANGO_SECURE_HSTS_SECONDS")
    result = run_python(
        PROBE,
        DJANGO_SETTINGS_MODULE="policy_portal.settings.production",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS=HOST,
        **env,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def directives(policy: str) -> dict[str, list[str]]:
    """`"a x y; b z"` -> `{"a": ["x", "y"], "b": ["z"]}`."""
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in parts}


# --- Who says the request came over HTTPS (issue 11, item 16) ------------------------------------------------


def test_production_ignores_x_forwarded_proto_when_no_proxy_is_declared() -> None:
    values = probe()

    assert values["forwarded_is_secure"] is False
    # A forged header neither dodges the redirect to HTTPS nor earns an HSTS header.
    assert values["proxied"] == [301, None]


def test_production_believes_x_forwarded_proto_from_a_declared_proxy() -> None:
    values = probe(DJANGO_TRUSTED_PROXY_COUNT="1")

    assert values["forwarded_is_secure"] is True
    assert values["proxied"] == [404, "max-age=31536000; includeSubDomains; preload"]


# --- The headers production sends (issue 11, item 17) --------------------------------------------------------


def test_production_redirects_plain_http_to_https_unless_told_not_to() -> None:
    assert probe()["plain"] == [301, f"https://{HOST}/api/v1/no-such-list/"]
    assert probe(DJANGO_SECURE_SSL_REDIRECT="False")["plain"] == [404, None]


def test_production_sends_every_security_header_on_https() -> None:
    headers = probe()["secure"]

    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Permissions-Policy"].startswith("accelerometer=(), camera=(), geolocation=()")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = directives(headers["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_production_headers_are_overridden_from_the_environment() -> None:
    headers = probe(
        DJANGO_SECURE_HSTS_SECONDS="3600",
        DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="False",
        DJANGO_SECURE_HSTS_PRELOAD="False",
        DJANGO_SECURE_REFERRER_POLICY="strict-origin-when-cross-origin",
        DJANGO_PERMISSIONS_POLICY="camera=(), microphone=()",
        DJANGO_CSP_REPORT_URI="https://reports.example.org/csp",
    )["secure"]

    assert headers["Strict-Transport-Security"] == "max-age=3600"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["Permissions-Policy"] == "camera=(), microphone=()"
    assert directives(headers["Content-Security-Policy"])["report-uri"] == ["https://reports.example.org/csp"]


def test_production_headers_are_turned_off_from_the_environment() -> None:
    headers = probe(DJANGO_SECURE_HSTS_SECONDS="0", DJANGO_PERMISSIONS_POLICY="")["secure"]

    assert "Strict-Transport-Security" not in headers
    assert "Permissions-Policy" not in headers
    assert "report-uri" not in directives(headers["Content-Security-Policy"])


def test_check_deploy_is_clean_on_the_production_defaults() -> None:
    skip_if_dotenv_sets(
        "DJANGO_SECURE_SSL_REDIRECT", "DJANGO_SECURE_HSTS_SECONDS", "DJANGO_SECURE_HSTS_PRELOAD", "DJANGO_DEBUG"
    )
    result = run_python(
        "from django.core.management import execute_from_command_line\n"
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        DJANGO_SETTINGS_MODULE="policy_portal.settings.production",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS=HOST,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


# --- The policy every environment serves ---------------------------------------------------------------------

# Inline code in a template: a <script> or <style> element with content, an event handler, a style attribute,
# a javascript: address.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b", re.IGNORECASE)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""=\s*["']\s*javascript:""", re.IGNORECASE)
COMMENT = re.compile(r"{% comment %}.*?{% endcomment %}|{#.*?#}", re.DOTALL)
# The templates of others that the portal renders in a browser, under the same policy.
VENDORED_TEMPLATES = [
    "django/contrib/admin/templates",
    "django/forms/templates",
    "rest_framework/templates/rest_framework/base.html",
    "rest_framework/templates/rest_framework/horizontal",
    "rest_framework/templates/rest_framework/vertical",
    "rest_framework/templates/rest_framework/inline",
    "rest_framework/templates/rest_framework/filters",
    "django_filters/templates",
    "simple_history/templates",
    "axes/templates",
]


def _templates(root: Path) -> list[Path]:
    return [root] if root.is_file() else sorted(root.rglob("*.html"))


def test_our_templates_have_no_inline_script_style_or_handler() -> None:
    problems = []
    for template in _templates(BASE_DIR / "templates"):
        text = COMMENT.sub("", template.read_text(encoding="utf-8"))
        for name, pattern in [
            ("inline script", INLINE_SCRIPT),
            ("inline style", INLINE_STYLE),
            ("event handler", HANDLER),
            ("style attribute", STYLE_ATTRIBUTE),
            ("javascript: address", JAVASCRIPT_URL),
        ]:
            problems += [f"{template.relative_to(BASE_DIR)}: {name}: {match}" for match in pattern.findall(text)]

    assert not problems, "\n".join(problems)


def test_vendored_style_attributes_are_the_ones_the_policy_allows() -> None:
    import django

    site_packages = Path(django.__file__).resolve().parents[1]
    found: dict[str, str] = {}
    for entry in VENDORED_TEMPLATES:
        for template in _templates(site_packages / entry):
            for value in STYLE_ATTRIBUTE.findall(template.read_text(encoding="utf-8")):
                if "{" not in value:  # a template variable: nothing of the kind is rendered in the pages above
                    found.setdefault(value, str(template.relative_to(site_packages)))

    unknown = {value: where for value, where in found.items() if value not in settings.CSP_STYLE_ATTRIBUTES}
    assert not unknown, f"add to CSP_STYLE_ATTRIBUTES in base.py (or avoid): {unknown}"


def test_every_page_gets_the_strict_policy(client: Client, db: None) -> None:
    response = client.get("/methodology/")

    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no nonce
    assert policy["style-src"] == ["'self'"]  # the nonce only where a page uses it
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "worker-src" not in policy
    hashes = {
        f"'sha256-{b64encode(sha256(rule.encode()).digest()).decode()}'" for rule in settings.CSP_STYLE_ATTRIBUTES
    }
    assert set(policy["style-src-attr"]) == {"'unsafe-hashes'", *hashes}
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Permissions-Policy"] == settings.PERMISSIONS_POLICY


def test_redoc_alone_gets_its_worker_and_a_nonce_for_its_styles(client: Client, db: None) -> None:
    response = client.get("/api/redoc/")

    policy = directives(response["Content-Security-Policy"])
    nonce = next(value for value in policy["style-src"] if value.startswith("'nonce-"))
    assert f'nonce="{nonce[7:-1]}"' in response.content.decode()
    assert policy["worker-src"] == ["'self'", "blob:"]
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]


def test_swagger_ui_starts_from_a_file(client: Client, db: None) -> None:
    page = client.get("/api/docs/")
    script = client.get("/api/docs/?script=")

    assert directives(page["Content-Security-Policy"])["script-src"] == ["'self'"]
    assert "<script>" not in page.content.decode()
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()


def test_the_browsable_api_has_no_inline_style(client: Client, db: None) -> None:
    response = client.get("/api/v1/targets/", HTTP_ACCEPT="text/html")

    assert response["Content-Type"].startswith("text/html")
    assert "<style" not in response.content.decode()
    assert directives(response["Content-Security-Policy"])["style-src"] == ["'self'"]


def test_the_browsable_api_highlighting_file_is_what_drf_would_write_inline() -> None:
    pytest.importorskip("pygments")
    from rest_framework.compat import pygments_css
    from rest_framework.renderers import BrowsableAPIRenderer

    stored = (BASE_DIR / "static" / "css" / "api-highlight.css").read_text(encoding="utf-8")
    rules = stored.split("*/\n", 1)[1]

    assert rules.strip() == pygments_css(BrowsableAPIRenderer.code_style).strip()
