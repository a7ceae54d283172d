"""Password guessing: what django-axes counts, and the admin's password-change form, which it does not watch.

Two rules, both over the cool-off (`AXES_COOLOFF_TIME`):

- `AXES_FAILURE_LIMIT` wrong passwords for one username from one address lock that pair
  (`AXES_LOCKOUT_PARAMETERS`): someone guessing an editor's name elsewhere does not lock the editor out;
- `AXES_ADDRESS_FAILURE_LIMIT` wrong passwords from one address, whatever the usernames, lock the address:
  guessing across many usernames is stopped too. It is higher, so that one office behind one address is not
  locked out by a few colleagues' typing mistakes.

django-axes compares one count with one limit (the largest count over its lockout parameters), so the
address's rule, with its own limit, lives in `AxesHandler.get_failures`. A successful sign-in clears its own
username's failures on that address only (`AXES_RESET_ON_SUCCESS` with the pair as the lockout parameter):
signing in to an account one owns does not clear the failures against everyone else's.

The admin's password form checks the old password without `authenticate()`, so django-axes never hears of a
wrong one: `password_change` reports each as a failed sign-in (`user_login_failed`) and refuses a locked-out
pair or address before checking anything.
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_failure_limit, get_lockout_response
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminPasswordChangeForm
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters


class AxesHandler(AxesDatabaseHandler):  # type: ignore[misc]  # django-axes ships no types
    """django-axes' database handler, with the address's own, higher limit beside the pair's."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """The failures counted against `AXES_FAILURE_LIMIT`: the pair's, or the limit once the address is over its."""
        failures: int = super().get_failures(request, credentials)
        if address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            request.axes_address_locked = True  # type: ignore[attr-defined]  # read by the lock-out page
            limit: int = get_failure_limit(request, credentials)
            return max(failures, limit)
        return failures


def address_failures(request: HttpRequest) -> int:
    """Failed sign-ins from the request's address within the cool-off, whatever the username."""
    attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)  # type: ignore[attr-defined]
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    total: int | None = attempts.aggregate(total=Sum("failures_since_start"))["total"]
    return total or 0


class GuardedPasswordChangeForm(AdminPasswordChangeForm):
    """The admin's password form: a wrong old password is a failed sign-in of the signed-in user."""

    def __init__(self, user: Any, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self) -> str:
        try:
            old: str = super().clean_old_password()
        except ValidationError:
            # django-axes records it (per username and address, and per address) and locks out at the limit;
            # its middleware then answers with the lock-out page.
            user_login_failed.send(
                sender=type(self), credentials={"username": self.user.get_username()}, request=self.request
            )
            raise
        return old


class GuardedPasswordChangeView(PasswordChangeView):
    """Django's password-change view, handing the request to the form."""

    form_class = GuardedPasswordChangeForm

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().get_form_kwargs()
        kwargs["request"] = self.request
        return kwargs


@sensitive_post_parameters()
def password_change(request: HttpRequest) -> HttpResponseBase:
    """The admin's "change password", as `AdminSite.password_change`, with the old password counted by django-axes."""
    credentials = {"username": request.user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        locked: HttpResponseBase = get_lockout_response(request, credentials=credentials)
        return locked
    site = admin.site
    request.current_app = site.name
    options: dict[str, Any] = {
        "success_url": reverse("admin:password_change_done", current_app=site.name),
        "extra_context": site.each_context(request),
    }
    if site.password_change_template is not None:
        options["template_name"] = site.password_change_template
    return GuardedPasswordChangeView.as_view(**options)(request)
