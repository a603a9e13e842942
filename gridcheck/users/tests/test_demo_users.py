"""``demo_users_ensure``: one usable login per role for the demo, chosen among the staff; idempotent."""

import pytest

from gridcheck.core.roles import Role
from gridcheck.users.models import Qualification, User
from gridcheck.users.services import demo_users_ensure


def test_demo_users_ensure_picks_station_one_and_is_idempotent(county):
    logins = demo_users_ensure(password="demo-pass-123")
    picked = {login.role: login.user.username for login in logins}
    assert picked == {
        Role.STATION_HEAD: "head_east",
        Role.INSPECTOR: "inspector2_east",  # both east inspectors are qualified: first by username
        Role.METER_READER: "reader_east",
        Role.AUDITOR: "auditor_east",
        Role.AREA_MANAGER: "manager_east",
        Role.GOVERNMENT_LIAISON: "liaison",
        Role.ADMINISTRATOR: "admin",
    }
    assert all(login.changed for login in logins)
    history = User.history.count()
    again = demo_users_ensure(password="demo-pass-123")
    assert not any(login.changed for login in again)
    assert User.history.count() == history
    assert User.objects.get(username="admin").is_superuser


def test_demo_users_ensure_prefers_a_qualified_inspector(county):
    Qualification.objects.filter(user__username="inspector2_east").update(expires_on="2025-01-01")
    logins = demo_users_ensure(password="demo-pass-123")
    assert {login.role: login.user.username for login in logins}[Role.INSPECTOR] == "inspector_east"


@pytest.mark.django_db
def test_demo_users_ensure_needs_staff():
    with pytest.raises(ValueError):
        demo_users_ensure(password="demo-pass-123")
