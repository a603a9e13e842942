"""What the collection benchmarks share: a benchmark database recreated and migrated, and a synthetic
county written straight in SQL (``generate_series``) — one company and station, areas of 200 customers
(every fifth commercial), one reading book and cycle, one issued bill per customer. Each benchmark adds
its own receivables on top (``COUNTY_SQL`` takes ``n``, ``areas`` and ``reader``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def recreate(url: str) -> None:
    """Drop and create the database of ``url`` (its name must contain ``bench``), then migrate it."""
    import psycopg

    parsed = urllib.parse.urlparse(url)
    name = parsed.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to drop {name!r}: the benchmark database's name must contain 'bench'")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)


COUNTY_SQL = """
INSERT INTO archive_company (created_at, updated_at, code, name) VALUES (now(), now(), 'B01', '基准县公司');
INSERT INTO archive_station (created_at, updated_at, code, name, address, phone, company_id)
  SELECT now(), now(), 'BS1', '基准供电所', '', '', id FROM archive_company;
INSERT INTO archive_line (created_at, updated_at, code, name, voltage_kv, substation, station_id)
  SELECT now(), now(), 'BL1', '基准10kV线', 10, '', id FROM archive_station;
INSERT INTO archive_area (created_at, updated_at, code, name, capacity_kva, address, line_id, station_id)
  SELECT now(), now(), 'BA' || g, '台区' || g, 400, '', l.id, l.station_id
  FROM generate_series(1, %(areas)s) g, archive_line l;
INSERT INTO archive_customer (created_at, updated_at, account_number, name, address, phone, category,
    voltage_level, contracted_capacity_kva, tariff_code, inspection_class, is_high_risk, is_important,
    status, area_id, station_id)
  SELECT now(), now(), lpad(g::text, 10, '0'), '客户' || g, '', '',
    CASE WHEN g %% 5 = 0 THEN 'commercial' ELSE 'residential' END, '220V', 8, 'RES-1', 'C', false, false,
    'active', a.id, a.station_id
  FROM generate_series(1, %(n)s) g JOIN archive_area a ON a.code = 'BA' || ((g - 1) / 200 + 1);
INSERT INTO billing_readingbook (created_at, updated_at, code, name, reading_day, cycle_months, reader_id,
    station_id)
  SELECT now(), now(), 'BB1', '基准抄表册', 5, 1, %(reader)s, id FROM archive_station;
INSERT INTO billing_readingcycle (created_at, updated_at, period, reading_date, previous_reading_date, status,
    book_id, station_id)
  SELECT now(), now(), '2025-01-01', '2025-02-05', '2025-01-05', 'closed', id, station_id
  FROM billing_readingbook;
INSERT INTO billing_bill (created_at, updated_at, number, period, period_start, period_end, tariff_code,
    tariff_name, energy_kwh, energy_charge_yuan, basic_charge_yuan, power_factor_yuan, funds_yuan,
    total_yuan, inputs, calculation, review_flags, status, area_id, customer_id, station_id, cycle_id)
  SELECT now(), now(), 'B' || c.account_number, '2025-01-01', '2025-01-05', '2025-02-05', 'RES-1', '居民',
    (c.id %% 900) + 20, ((c.id %% 900) + 20) * 0.56, 0, 0, 0, ((c.id %% 900) + 20) * 0.56, '{}', '{}', '[]',
    'issued', c.area_id, c.id, c.station_id, y.id
  FROM archive_customer c, billing_readingcycle y;
"""
