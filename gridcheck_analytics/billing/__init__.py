"""Billing calculations: the power-factor adjustment, the itemised bill and the line-loss balance.

Pure functions like those of :mod:`gridcheck_analytics.penalties`, whose :class:`Calculation` they return:
every line shows its formula, its inputs, its value, its unit and the rule-table row it applies. Every
regulated number (the power-factor tables, the standards, the rounding) and every demo tariff value is a
row of the versioned rule table; bad input raises :class:`CalcInputError` naming the field.

Modules: :mod:`.power_factor`, :mod:`.line_loss`, :mod:`.meters` (registers, multipliers, rollover, meter
changes), :mod:`.tariffs` (pricing lines) and :mod:`.bills` (the bill that sequences them).
"""

from gridcheck_analytics.billing.bills import bill
from gridcheck_analytics.billing.line_loss import line_loss_balance
from gridcheck_analytics.billing.power_factor import power_factor_adjustment

__all__ = ["bill", "line_loss_balance", "power_factor_adjustment"]
