"""A dropped database connection costs no reader an error (issue 11, 5).

Both halves run on PostgreSQL, whose server really closes the connection
(`pg_terminate_backend`, as a restart or a failover does), and commit for
real, since the connection they break is the test's own.
"""

from __future__ import annotations

import psycopg2
import pytest
from django.db import OperationalError, close_old_connections, connection
from django.test import Client

from pillars.models import Target
from tests.factories import TargetFactory
from tests.postgres import other_connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _terminate_our_connection() -> None:
    """Have the server end this process's connection, from another connection (as a restart would)."""
    pid = connection.connection.info.backend_pid
    with other_connection() as other, other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_a_kept_connection_that_died_between_requests_is_replaced_before_use() -> None:
    """CONN_HEALTH_CHECKS: the next request checks the kept connection and reconnects."""
    TargetFactory()
    assert connection.health_check_enabled
    _terminate_our_connection()

    close_old_connections()  # what every request starts with (`request_started`)
    assert Target.objects.count() == 1  # no OperationalError: the check found the connection dead


def test_without_the_health_check_the_next_query_would_fail() -> None:
    """The control: the same break, with the check off, is the error readers used to get."""
    TargetFactory()
    connection.health_check_enabled = False
    try:
        _terminate_our_connection()
        close_old_connections()
        with pytest.raises(OperationalError):
            Target.objects.count()
    finally:
        connection.close()
        connection.health_check_enabled = True


def test_a_read_whose_connection_drops_mid_request_is_answered_on_a_new_one() -> None:
    """`RetryReadOnLostConnection`: the view runs again on a fresh connection instead of a 500."""
    TargetFactory()
    client = Client()  # the test client skips the request-start connection check, as a mid-request drop would
    assert client.get("/targets/").status_code == 200
    _terminate_our_connection()

    response = client.get("/targets/")

    assert response.status_code == 200
    assert connection.is_usable()


def test_a_write_whose_connection_drops_is_not_retried(admin_client: Client) -> None:
    """A POST may or may not have committed: it is never run twice (the error is the honest answer)."""
    _terminate_our_connection()
    admin_client.raise_request_exception = False

    response = admin_client.post("/admin/logout/")
    connection.close()  # the broken connection, for the teardown

    assert response.status_code == 500


def test_the_drivers_own_error_from_a_server_side_cursor_is_retried_too(rf) -> None:  # type: ignore[no-untyped-def]
    """`.iterator()` fetches through psycopg2 and its error reaches the handler unwrapped (seen in the drill)."""
    from django.http import HttpResponse
    from django.urls import ResolverMatch

    from core.middleware import RetryReadOnLostConnection

    TargetFactory()

    def view(request):  # type: ignore[no-untyped-def]
        return HttpResponse(str(sum(1 for _ in Target.objects.iterator())))

    request = rf.get("/targets/")
    request.resolver_match = ResolverMatch(view, (), {})
    Target.objects.count()  # a connection to break
    _terminate_our_connection()
    middleware = RetryReadOnLostConnection(lambda request: HttpResponse())

    response = middleware.process_exception(request, psycopg2.OperationalError("server closed the connection"))

    assert response is not None and response.content == b"1"
