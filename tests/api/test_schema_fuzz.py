"""Schemathesis over the whole OpenAPI schema: no operation answers a server error, whatever it is sent.

Every operation of the schema is called with generated parameters and bodies (valid and invalid) as a
county administrator and as a station head, authenticated by API token, on the small test county. The
checks are that no response is a 5xx and that every documented response matches its own schema. CI runs ``GRIDCHECK_FUZZ_EXAMPLES`` examples per operation and user
(default 10, derandomized); ``GRIDCHECK_FUZZ_EXAMPLES=200`` is the long profile.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

EXAMPLES = int(os.environ.get("GRIDCHECK_FUZZ_EXAMPLES", "10"))

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Schemathesis calls the WSGI application itself, which closes "old" connections at each request's
    start and end; inside the test's transaction that would close PostgreSQL's connection under the test.
    Django's own test client disconnects the same handler for the same reason."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _schema():
    from django.core.wsgi import get_wsgi_application
    from drf_spectacular.generators import SchemaGenerator

    spec = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(spec)
    schema.app = get_wsgi_application()
    return schema


def _token(user) -> str:
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=user)[0].key


def _caller(operation, token, calls):
    """A Hypothesis test of ``operation``: generated requests with ``token``, no 5xx allowed."""
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # report, don't shrink
        suppress_health_check=list(HealthCheck),
    )
    def call(case):
        calls["n"] += 1
        case.headers = {**(case.headers or {}), "Authorization": f"Token {token}"}
        case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])

    return call


def test_no_operation_answers_a_server_error(county):
    schema = _schema()
    tokens = {name: _token(county.users[name]) for name in ("admin", "head_east")}
    failures, calls = [], {"n": 0}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50  # the whole API, not a corner of it
    for operation in operations:
        for username, token in tokens.items():
            call = _caller(operation, token, calls)
            try:
                call()
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - every failing operation is reported
                lines = [line.strip(" |") for line in str(exc).splitlines()]
                why = [
                    line
                    for line in lines
                    if "Schema at" in line or "is not" in line or "Server error" in line
                ]
                failures.append(f"{operation.label} as {username}: {' / '.join(why[:3]) or lines[:2]}")
    print(f"schemathesis: {len(operations)} operations, {calls['n']} requests, {len(failures)} failing")
    assert failures == [], "\n".join(failures)
