"""The demo county simulator: a realistic, deterministic archive of one county supply company.

:func:`simulate_county` returns one frame per archive import entity (stations, staff, qualifications,
lines, areas, tariffs, customers, metering points, meters) with the canonical English column names of
:data:`COLUMNS`; :func:`write_county` writes them as CSV files that the archive import reads.

Everything is drawn from ``numpy.random.Generator`` streams spawned from the seed, and every date is
relative to :data:`REFERENCE_DATE`: the same seed gives the same frames on every machine, whatever the
wall clock. Customers, metering points and meters are generated with vectorised numpy and pandas, so a
county of a million customers takes seconds, not minutes.

Sizes
-----
``n_customers``, ``n_stations``, ``n_lines`` and ``n_areas`` are parameters. A county with few customers
gets fewer areas and lines than asked, so that areas keep a sensible number of customers
(see :func:`county_sizes`):

* areas = ``min(n_areas, max(n_stations, n_customers // CUSTOMERS_PER_AREA_MIN))``: at least
  :data:`CUSTOMERS_PER_AREA_MIN` customers per area on average, and at least one area per station;
* lines = ``max(n_stations, min(n_lines, round(areas x n_lines / n_areas)))``: the asked ratio of areas to
  lines is kept, with at least one line per station (and never more lines than areas).

With the defaults (60,000 customers) nothing is scaled: 8 stations, 120 lines, 400 areas; 500 customers
give 10 areas on 8 lines; 300 customers give 8 areas on 8 lines. Sizes are never scaled *up*: a million
customers on the default 400 areas makes crowded areas (fine for a load benchmark); pass
``n_areas=n_customers // 150`` and ``n_lines=n_areas * 3 // 10`` for areas of a realistic size.

Metering rules
--------------
A customer of at least :data:`CT_MIN_CAPACITY_KVA` or supplied at 10 kV or 35 kV is metered through
current transformers (CT); their CT is chosen so that the load current at contracted capacity
(:func:`load_current_a`) lies within 30 % to 100 % of the CT's rated primary current, except for a few
(about :data:`CT_MISSIZED_SHARE`) deliberately mis-sized ones (load below 20 % or above 120 % of the CT
rating) that the marketing audit should find. 10 kV customers get a PT of ``10000/100``, 35 kV customers
``35000/100``.

Modules
-------
:mod:`.parameters` (entities, columns, sizes, mixes, metering rules), :mod:`.draws` (name pools and
shared random draws), :mod:`.grid`, :mod:`.staff`, :mod:`.tariffs`, :mod:`.customers`, :mod:`.metering`
and :mod:`.county` (:func:`simulate_county`, :func:`write_county`). Every public name is importable from
the package itself.

References
----------
.. [1] Station rules (``shared/domain/workflows.md``): CT choice 30 % to 100 % of rated primary current;
   inspection classes A (enterprises, large users, every three-phase CT-metered customer), B, C
   (residents and small shops).
"""

from gridcheck_analytics.datasets.county import (
    county_sizes,
    simulate_county,
    write_county,
)
from gridcheck_analytics.datasets.customers import (
    BUSINESS_TYPES,
    CAPACITY_LADDERS,
    BusinessType,
)
from gridcheck_analytics.datasets.draws import (
    BRANDS,
    COMPANY_CODE,
    COMPANY_NAME,
    COUNTY,
    GIVEN_ONE,
    GIVEN_TWO,
    MANUFACTURERS,
    MOBILE_PREFIXES,
    PLACE_FIRST,
    PLACE_SECOND,
    STREETS,
    SURNAMES,
    TOWNSHIPS,
)
from gridcheck_analytics.datasets.metering import (
    load_current_a,
    standard_ct_primary_a,
)
from gridcheck_analytics.datasets.parameters import (
    AREA_CAPACITIES_KVA,
    AREA_CAPACITY_WEIGHTS,
    CATEGORY_SHARES,
    COLUMNS,
    CT_LOAD_MAX_FRACTION,
    CT_LOAD_MIN_FRACTION,
    CT_MIN_CAPACITY_KVA,
    CT_MISSIZED_SHARE,
    CT_PRIMARIES_A,
    CUSTOMERS_PER_AREA_MIN,
    ENTITIES,
    EXPIRING_SOON_DAYS,
    QUALIFICATION_YEARS,
    REFERENCE_DATE,
    SMALL_SHOP_MAX_KVA,
    VOLTAGE_KV,
)
from gridcheck_analytics.datasets.tariffs import (
    TARIFF_VERSIONS,
    TARIFFS,
    TariffVersion,
)

__all__ = [
    "AREA_CAPACITIES_KVA",
    "AREA_CAPACITY_WEIGHTS",
    "BRANDS",
    "BUSINESS_TYPES",
    "BusinessType",
    "CAPACITY_LADDERS",
    "CATEGORY_SHARES",
    "COLUMNS",
    "COMPANY_CODE",
    "COMPANY_NAME",
    "COUNTY",
    "CT_LOAD_MAX_FRACTION",
    "CT_LOAD_MIN_FRACTION",
    "CT_MIN_CAPACITY_KVA",
    "CT_MISSIZED_SHARE",
    "CT_PRIMARIES_A",
    "CUSTOMERS_PER_AREA_MIN",
    "ENTITIES",
    "EXPIRING_SOON_DAYS",
    "GIVEN_ONE",
    "GIVEN_TWO",
    "MANUFACTURERS",
    "MOBILE_PREFIXES",
    "PLACE_FIRST",
    "PLACE_SECOND",
    "QUALIFICATION_YEARS",
    "REFERENCE_DATE",
    "SMALL_SHOP_MAX_KVA",
    "STREETS",
    "SURNAMES",
    "TARIFFS",
    "TARIFF_VERSIONS",
    "TOWNSHIPS",
    "TariffVersion",
    "VOLTAGE_KV",
    "county_sizes",
    "load_current_a",
    "simulate_county",
    "standard_ct_primary_a",
    "write_county",
]
