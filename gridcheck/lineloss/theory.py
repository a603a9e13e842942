"""The theoretical loss of a transformer area (台区理论线损), simplified from DL/T 686-2018
《电力网电能损耗计算导则》: the equivalent-resistance method (等值电阻法) for the 0.4 kV network, the
transformer's no-load and load losses where the area's supply is metered on its high-voltage side, and the
meters' own consumption.

With ``A`` the area's supply over ``T`` hours [kWh], ``cosφ`` the power factor, ``K`` the load-curve shape
factor (形状系数), ``U`` the nominal low-voltage [kV], ``R`` the network's equivalent resistance [Ω],
``S_N`` the transformer capacity [kVA], ``P0`` / ``Pk`` its no-load / load loss [kW], ``n`` the meters
and ``w`` one meter's own consumption [W]::

    P_avg = A / T                    average load [kW]
    S_avg = P_avg / cosφ             average apparent load [kVA]
    β     = S_avg / S_N              load factor of the transformer
    I_avg = S_avg / (√3 · U)         average current [A]
    ΔA_line  = 3 · (K · I_avg)² · R · T / 1000              [kWh]
    ΔA_trans = (P0 + Pk · K² · β²) · T                        [kWh] (0 when P0 = Pk = 0)
    ΔA_meter = n · w · T / 1000                               [kWh]
    rate  = (ΔA_line + ΔA_trans + ΔA_meter) / A · 100         [%]

``cosφ``, ``K``, ``U`` and ``w`` default to the rule table's ``lineloss.theory_*`` rows in force on the
calculation date. Pure Python: no database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class TheoryInput:
    supply_kwh: float
    hours: float
    capacity_kva: float
    resistance_ohm: float
    meters: int
    power_factor: float
    shape_factor: float
    voltage_kv: float
    meter_loss_w: float
    no_load_loss_kw: float = 0.0
    load_loss_kw: float = 0.0


@dataclass(frozen=True)
class TheoryResult:
    load_factor: float
    line_kwh: float
    transformer_kwh: float
    meter_kwh: float
    loss_kwh: float
    loss_rate_percent: Decimal


def theoretical_loss(p: TheoryInput) -> TheoryResult:
    """The area's theoretical loss under the formula of the module; raises ``ValueError`` for a supply,
    period, capacity, power factor or voltage that is not positive."""
    for name in ("supply_kwh", "hours", "capacity_kva", "power_factor", "voltage_kv"):
        if getattr(p, name) <= 0:
            raise ValueError(name)
    p_avg = p.supply_kwh / p.hours
    s_avg = p_avg / p.power_factor
    beta = s_avg / p.capacity_kva
    i_avg = s_avg / (math.sqrt(3) * p.voltage_kv)
    line = 3 * (p.shape_factor * i_avg) ** 2 * p.resistance_ohm * p.hours / 1000
    transformer = (p.no_load_loss_kw + p.load_loss_kw * p.shape_factor**2 * beta**2) * p.hours
    meter = p.meters * p.meter_loss_w * p.hours / 1000
    loss = line + transformer + meter
    rate = Decimal(str(loss / p.supply_kwh * 100)).quantize(Decimal("0.001"), ROUND_HALF_UP)
    return TheoryResult(
        load_factor=round(beta, 4),
        line_kwh=round(line, 3),
        transformer_kwh=round(transformer, 3),
        meter_kwh=round(meter, 3),
        loss_kwh=round(loss, 3),
        loss_rate_percent=rate,
    )
