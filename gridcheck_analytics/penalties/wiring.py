"""The correction factor (更正系数) of a metering fault described per phase, from phasor sums.

A three-phase meter sums the power of its elements: a three-phase four-wire meter (``3p4w``) has three
elements U_a·I_a, U_b·I_b, U_c·I_c; a three-phase three-wire meter (``3p3w``, two-element) has U_ab·I_a and
U_cb·I_c. With a balanced load of power factor cos φ (lagging unless ``leading``) the correct power is
``P = 3·U_ph·I·cos φ = √3·U·I·cos φ``. A fault changes what the elements see:

* ``phase_ct_ratio``: the CT actually fitted on a phase (``{"c": "200/5"}``) while the bill multiplies by
  ``billed_ct_ratio``: that element's current is ``billed / actual`` of the true one (a wrong or mixed CT,
  or a CT changed to steal);
* ``reversed``: the phases whose CT polarity is reversed (current −I);
* ``voltage_open``: the phases whose voltage lead is open. 4-wire: that element sees no voltage. 3-wire:
  an open ``a`` (``c``) lead leaves element 1 (2) without voltage; an open ``b`` lead puts the two
  voltage coils in series across U_ac, each seeing half of it.

``K = P_correct / P_wrong`` (rounded as ``rounding.correction_factor``), the correction rate
``ε = (K − 1) × 100 %`` and the energy to add ``ΔW = W_recorded × (K − 1)``
(《供电营业规则》（1996）第八十一条). The phasor sums are computed in floating point on unit phasors; K
is then a Decimal rounded to the setting's unit. When K depends on the load angle and no power factor is
given, the input is refused (field ``wiring.power_factor``).
"""

from __future__ import annotations

import cmath
import math
from collections.abc import Mapping
from decimal import Decimal

from gridcheck_analytics.penalties.inputs import CalcInputError, as_bool, as_choice, as_decimal

METER_TYPES = ("3p3w", "3p4w")
PHASES = ("a", "b", "c")
FAULT_KEYS = (
    "meter",
    "billed_ct_ratio",
    "phase_ct_ratio",
    "reversed",
    "voltage_open",
    "power_factor",
    "leading",
)
_ANGLE = {"a": 0.0, "b": -120.0, "c": 120.0}


def as_ratio(value: object, name: str) -> Decimal:
    """A CT or PT ratio: a number (30) or a ``primary/secondary`` text (``"150/5"``)."""
    if isinstance(value, str) and "/" in value:
        primary, _, secondary = value.partition("/")
        return as_decimal(primary.strip(), name, positive=True) / as_decimal(
            secondary.strip(), name, positive=True
        )
    return as_decimal(value, name, positive=True)


def _phase_list(value: object, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        raise CalcInputError(name, f"must be a list of phases a, b, c, got {value!r}")
    return [as_choice(v, name, PHASES) for v in value]


def _phasor(magnitude: float, degrees: float) -> complex:
    return cmath.rect(magnitude, math.radians(degrees))


class Fault:
    """A per-phase fault description, checked (see the module docstring for the keys)."""

    def __init__(self, wiring: object, field: str = "wiring"):
        if not isinstance(wiring, Mapping):
            raise CalcInputError(field, "must be an object describing the fault per phase")
        for key in wiring:
            if key not in FAULT_KEYS:
                raise CalcInputError(
                    f"{field}.{key}", f"unknown field; expected one of {', '.join(FAULT_KEYS)}"
                )
        self.field = field
        self.meter = as_choice(wiring.get("meter"), f"{field}.meter", METER_TYPES)
        self.reversed = _phase_list(wiring.get("reversed"), f"{field}.reversed")
        self.voltage_open = _phase_list(wiring.get("voltage_open"), f"{field}.voltage_open")
        ratios = wiring.get("phase_ct_ratio") or {}
        if not isinstance(ratios, Mapping):
            raise CalcInputError(f"{field}.phase_ct_ratio", "must be an object phase -> ratio")
        self.phase_ct_ratio = {
            as_choice(p, f"{field}.phase_ct_ratio", PHASES): as_ratio(r, f"{field}.phase_ct_ratio.{p}")
            for p, r in ratios.items()
        }
        self.billed_ct_ratio = None
        if self.phase_ct_ratio:
            self.billed_ct_ratio = as_ratio(wiring.get("billed_ct_ratio"), f"{field}.billed_ct_ratio")
        elif wiring.get("billed_ct_ratio") is not None:
            self.billed_ct_ratio = as_ratio(wiring.get("billed_ct_ratio"), f"{field}.billed_ct_ratio")
        if self.meter == "3p3w":
            for name, phases in (("reversed", self.reversed), ("phase_ct_ratio", list(self.phase_ct_ratio))):
                if "b" in phases:
                    raise CalcInputError(
                        f"{field}.{name}", "a three-phase three-wire meter has no b-phase current element"
                    )
        if not (self.reversed or self.voltage_open or self.phase_ct_ratio):
            raise CalcInputError(field, "describes no fault (reversed, voltage_open or phase_ct_ratio)")
        self.power_factor = None
        if wiring.get("power_factor") is not None:
            pf = as_decimal(wiring["power_factor"], f"{field}.power_factor", positive=True)
            if pf > 1:
                raise CalcInputError(f"{field}.power_factor", f"must be at most 1, got {pf}")
            self.power_factor = pf
        self.leading = as_bool(wiring.get("leading", False), f"{field}.leading")

    def _current_factor(self, phase: str) -> float:
        factor = 1.0
        if phase in self.phase_ct_ratio:
            factor = float(self.billed_ct_ratio / self.phase_ct_ratio[phase])
        if phase in self.reversed:
            factor = -factor
        return factor

    def powers(self, phi_degrees: float) -> tuple[float, float]:
        """(P_correct, P_wrong) in units of U_phase·I for the load angle φ (positive: lagging)."""
        v = {p: _phasor(1.0, _ANGLE[p]) for p in PHASES}
        i = {p: _phasor(1.0, _ANGLE[p] - phi_degrees) for p in PHASES}
        if self.meter == "3p4w":
            elements = [(p, v[p]) for p in PHASES]
        else:
            elements = [("a", v["a"] - v["b"]), ("c", v["c"] - v["b"])]
        correct = sum((volt * i[p].conjugate()).real for p, volt in elements)
        wrong = 0.0
        for p, volt in elements:
            if self.meter == "3p4w":
                seen = 0 if p in self.voltage_open else volt
            elif "b" in self.voltage_open:
                if p in self.voltage_open:
                    seen = 0
                else:
                    seen = (v["a"] - v["c"]) / 2 if p == "a" else (v["c"] - v["a"]) / 2
            else:
                seen = 0 if p in self.voltage_open else volt
            wrong += (seen * (self._current_factor(p) * i[p]).conjugate()).real
        return correct, wrong

    def depends_on_angle(self) -> bool:
        """Whether P_wrong / P_correct changes with the load angle."""
        shares = []
        for phi in (0.0, 25.0, 50.0):
            correct, wrong = self.powers(phi)
            shares.append(wrong / correct)
        return any(abs(x - shares[0]) > 1e-9 for x in shares)

    def angle(self) -> float:
        """The load angle φ in degrees (0 when the factor does not depend on it)."""
        if self.power_factor is None:
            if self.depends_on_angle():
                raise CalcInputError(
                    f"{self.field}.power_factor",
                    "is required: the correction factor of this wiring depends on the load's power factor",
                )
            return 0.0
        phi = math.degrees(math.acos(float(self.power_factor)))
        return -phi if self.leading else phi

    def describe(self) -> str:
        """The fault in Chinese, one phrase per fault."""
        parts = ["三相三线（两元件）" if self.meter == "3p3w" else "三相四线（三元件）"]
        for p, r in sorted(self.phase_ct_ratio.items()):
            parts.append(f"{p.upper()}相CT实际变比{_num(r)}（计费变比{_num(self.billed_ct_ratio)}）")
        for p in self.reversed:
            parts.append(f"{p.upper()}相电流极性反接")
        for p in self.voltage_open:
            parts.append(f"{p.upper()}相电压断线（失压）")
        return "，".join(parts)


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f")


def correction_factor(
    case, wiring: object, article: str, field: str = "wiring"
) -> tuple[Decimal, dict[str, object]]:
    """K = P_correct / P_wrong of a per-phase fault, added as items ``correction_factor`` and
    ``correction_rate_percent`` of ``case`` (a CaseBuilder); returns K and the inputs shown."""
    fault = Fault(wiring, field)
    phi = fault.angle()
    correct, wrong = fault.powers(phi)
    if abs(wrong) < 1e-12:
        raise CalcInputError(
            field, "the meter registers nothing with this fault: use the normal-month comparison"
        )
    quantum = case.value("rounding.correction_factor")
    mode = case.rule("rounding.mode").value
    k = Decimal(repr(correct / wrong)).quantize(quantum, rounding=str(mode))
    inputs: dict[str, object] = {"fault": fault.describe()}
    if fault.power_factor is not None:
        inputs["power_factor"] = fault.power_factor
        inputs["load_angle_deg"] = Decimal(repr(phi)).quantize(Decimal("0.01"))
    inputs["correct_power_ratio"] = Decimal(repr(correct)).quantize(Decimal("0.0001"))
    inputs["wrong_power_ratio"] = Decimal(repr(wrong)).quantize(Decimal("0.0001"))
    formula = (
        "K = P正确 / P错误（各元件电压相量与电流相量之积的实部求和，以相电压×电流为单位；"
        + ("P正确 = 3·U相·I·cosφ" if fault.meter == "3p4w" else "P正确 = √3·U线·I·cosφ")
        + "）"
    )
    case.add(
        "correction_factor",
        "更正系数",
        formula,
        inputs,
        k,
        "1",
        f"{article}；相量计算",
        ["rounding.correction_factor", "rounding.mode"],
    )
    rate = ((k - 1) * 100).quantize(Decimal("0.01"))
    case.add(
        "correction_rate_percent",
        "更正率",
        "ε = (K − 1) × 100%",
        {"correction_factor": k},
        rate,
        "%",
        article,
    )
    return k, inputs
