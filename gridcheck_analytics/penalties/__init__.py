"""Case calculations: stolen energy, back-billing, penalty charges, violations, late fees, metering refunds.

Every function is pure: it takes the case facts (keyword-only), reads every regulated number from the
versioned rule table (``gridcheck_analytics.regulations``) under the rule in force on the case date, and
returns a :class:`Calculation`: an itemised list in which each figure shows its formula, its inputs, its
value, its unit and the article it follows, plus review warnings (a ``U`` row was used) and flags (transfer
to the police). Money is :class:`~decimal.Decimal`, rounded as the ``rounding.*`` rows say (energy to whole
kWh, money to 0.01 元, half up, by default).

Inputs are coerced at this boundary (numbers from ``str``/``int``/``float``, dates from ISO strings); a bad
input raises :class:`CalcInputError` naming the field. Sign convention of metering corrections: positive is
energy or money the customer owes (补收), negative is a refund (退还).

The package has one module per section: :mod:`.inputs` (the input boundary), :mod:`.builder` (the
itemised :class:`Calculation`), :mod:`.theft_cases`, :mod:`.criminal`, :mod:`.violations`,
:mod:`.late_fees` (with :mod:`.late_fee_practice`, the practice variants, and :mod:`.late_fees_bulk`, the
nightly accrual of many bills) and :mod:`.meter_errors` (with :mod:`.wiring`, the correction factor of a per-phase fault), :mod:`.settings` (the
named settings a calculation may choose) and :mod:`.stacking` (one case total of several sanctions). Every public name is importable from the package
itself.
"""

from gridcheck_analytics.penalties.builder import Calculation, CaseBuilder, Flag, Item
from gridcheck_analytics.penalties.criminal import criminal_referral
from gridcheck_analytics.penalties.inputs import CalcInputError
from gridcheck_analytics.penalties.late_fee_practice import (
    LateFeePractice,
    as_practice,
    default_practice,
    describe_practice,
)
from gridcheck_analytics.penalties.late_fees import late_fee, late_fees_for_payment
from gridcheck_analytics.penalties.late_fees_bulk import BulkLateFees, late_fees_bulk
from gridcheck_analytics.penalties.meter_errors import (
    ACCURACY_CLASSES,
    METER_CLASSES,
    METER_ERROR_CAUSES,
    TOU_PERIODS,
    meter_error,
)
from gridcheck_analytics.penalties.settings import SETTINGS, Setting, parse_settings
from gridcheck_analytics.penalties.stacking import case_total
from gridcheck_analytics.penalties.theft_cases import (
    CUSTOMER_CLASSES,
    SQRT3,
    TARIFF_CATEGORIES,
    THEFT_BASES,
    THEFT_TYPES,
    theft,
)
from gridcheck_analytics.penalties.violations import (
    VIOLATION_TYPES,
    VIOLATIONS,
    violation,
    violation_category_change,
    violation_excess_capacity,
    violation_meter_interference,
    violation_over_allocation,
    violation_sealed_equipment,
    violation_unauthorised_source,
)
from gridcheck_analytics.penalties.wiring import METER_TYPES, Fault

__all__ = [
    "ACCURACY_CLASSES",
    "METER_TYPES",
    "SETTINGS",
    "TOU_PERIODS",
    "Fault",
    "Setting",
    "case_total",
    "parse_settings",
    "CUSTOMER_CLASSES",
    "METER_CLASSES",
    "METER_ERROR_CAUSES",
    "SQRT3",
    "TARIFF_CATEGORIES",
    "THEFT_BASES",
    "THEFT_TYPES",
    "VIOLATIONS",
    "VIOLATION_TYPES",
    "BulkLateFees",
    "CalcInputError",
    "Calculation",
    "CaseBuilder",
    "Flag",
    "Item",
    "LateFeePractice",
    "as_practice",
    "criminal_referral",
    "default_practice",
    "describe_practice",
    "late_fee",
    "late_fees_bulk",
    "late_fees_for_payment",
    "meter_error",
    "theft",
    "violation",
    "violation_category_change",
    "violation_excess_capacity",
    "violation_meter_interference",
    "violation_over_allocation",
    "violation_sealed_equipment",
    "violation_unauthorised_source",
]
