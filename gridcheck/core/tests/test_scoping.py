from gridcheck.archive.models import Area, Company, Customer, Line, Meter, MeteringPoint, Station
from gridcheck.core.scoping import scope_queryset, user_can_see


def codes(queryset, field="code"):
    return sorted(queryset.values_list(field, flat=True))


def test_station_staff_see_only_their_station(county):
    user = county.users["inspector_east"]
    assert codes(scope_queryset(Station.objects.all(), user)) == ["S01"]
    assert codes(scope_queryset(Line.objects.all(), user)) == ["S01-L1"]
    assert codes(scope_queryset(Area.objects.all(), user)) == ["S01-A1", "S01-A2"]
    customers = scope_queryset(Customer.objects.all(), user)
    assert customers.count() == 4
    assert set(customers.values_list("station__code", flat=True)) == {"S01"}
    assert scope_queryset(Meter.objects.all(), user).count() == 4
    assert scope_queryset(MeteringPoint.objects.all(), user).count() == 4
    assert codes(scope_queryset(Company.objects.all(), user)) == ["C01"]
    assert not user_can_see(user, county.customers["west11"])
    assert user_can_see(user, county.customers["east11"])


def test_area_manager_sees_only_owned_areas(county):
    user = county.users["manager_east"]
    assert codes(scope_queryset(Area.objects.all(), user)) == ["S01-A1"]
    assert codes(scope_queryset(Customer.objects.all(), user), "area__code") == ["S01-A1", "S01-A1"]
    assert codes(scope_queryset(Line.objects.all(), user)) == ["S01-L1"]
    assert codes(scope_queryset(Station.objects.all(), user)) == ["S01"]
    assert scope_queryset(Meter.objects.all(), user).count() == 2
    assert not user_can_see(user, county.customers["east21"])


def test_county_level_users_see_everything(county):
    for username in ("liaison", "admin"):
        user = county.users[username]
        assert scope_queryset(Customer.objects.all(), user).count() == 8
        assert codes(scope_queryset(Station.objects.all(), user)) == ["S01", "S02"]


def test_anonymous_sees_nothing(county):
    from django.contrib.auth.models import AnonymousUser

    assert scope_queryset(Customer.objects.all(), AnonymousUser()).count() == 0


def test_multiplier_is_ct_times_pt(county):
    point = MeteringPoint.objects.get(code="MP1100000002")
    assert point.multiplier == 40
    point.pt_ratio = 100
    point.save()
    point.refresh_from_db()
    assert point.multiplier == 4000


def test_customer_portal_login_sees_nothing_of_the_archive(county):
    from gridcheck.core.roles import VIEW, Role, has_capability
    from gridcheck.users.models import User

    user = User.objects.create_user(username="portal", password="x-portal-pw-123", role=Role.CUSTOMER)
    assert scope_queryset(Customer.objects.all(), user).count() == 0
    assert scope_queryset(Station.objects.all(), user).count() == 0
    assert not has_capability(user, VIEW)
