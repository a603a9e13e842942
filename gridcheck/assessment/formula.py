"""KPI formulas: a safe arithmetic expression over figure names, checked once and evaluated per subject.

Allowed: numbers, figure names (``figures.FIGURES``), ``+ - * /``, parentheses, ``min(...)``,
``max(...)``, ``abs(...)``. Nothing else parses: no attributes, no subscripts, no calls of other names,
no comparisons. A figure without a value for a subject, or a division by zero, makes the result
``None`` ("no data"), never an error.
"""

import ast
from collections.abc import Callable
from decimal import Decimal, DivisionByZero, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_LENGTH = 500
FUNCTIONS = {"min": min, "max": max, "abs": abs}
_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}


class Formula:
    """A checked formula: ``names`` are the figures it reads; ``evaluate(values)`` its value."""

    def __init__(self, text: str, known: set[str] | dict):
        self.text = (text or "").strip()
        if not self.text:
            raise ValidationError(_("The formula is empty."), code="formula_empty")
        if len(self.text) > MAX_LENGTH:
            raise ValidationError(
                _("The formula is longer than %(n)s characters.") % {"n": MAX_LENGTH}, code="formula_long"
            )
        try:
            tree = ast.parse(self.text, mode="eval")
        except SyntaxError:
            raise ValidationError(
                _("The formula “%(formula)s” is not a valid expression.") % {"formula": self.text},
                code="formula_syntax",
            ) from None
        self.names: set[str] = set()
        self._known = known
        self._fn = self._compile(tree.body)
        unknown = sorted(self.names - set(known))
        if unknown:
            raise ValidationError(
                _("The formula refers to unknown figures: %(names)s.") % {"names": "、".join(unknown)},
                code="formula_unknown",
            )

    def _refuse(self, node) -> ValidationError:
        return ValidationError(
            _(
                "The formula may use only figures, numbers, + − × ÷, parentheses, min, max and abs; “%(part)s” is not allowed."
            )
            % {"part": ast.get_source_segment(self.text, node) or type(node).__name__},
            code="formula_forbidden",
        )

    def _compile(self, node) -> Callable[[dict], Decimal | None]:
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, int | float)
            and not isinstance(node.value, bool)
        ):
            value = Decimal(str(node.value))
            return lambda values: value
        if isinstance(node, ast.Name):
            name = node.id
            self.names.add(name)
            return lambda values: values.get(name)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            inner = self._compile(node.operand)
            sign = -1 if isinstance(node.op, ast.USub) else 1
            return lambda values: None if (v := inner(values)) is None else sign * v
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right, op = self._compile(node.left), self._compile(node.right), _BINARY[type(node.op)]

            def binary(values):
                a, b = left(values), right(values)
                if a is None or b is None:
                    return None
                try:
                    return op(a, b)
                except (DivisionByZero, InvalidOperation, ZeroDivisionError):
                    return None

            return binary
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in FUNCTIONS
            and node.args
            and not node.keywords
        ):
            fn = FUNCTIONS[node.func.id]
            if fn is abs and len(node.args) != 1:
                raise self._refuse(node)
            args = [self._compile(a) for a in node.args]

            def call(values):
                got = [a(values) for a in args]
                return None if any(v is None for v in got) else fn(*got)

            return call
        raise self._refuse(node)

    def evaluate(self, values: dict[str, Decimal]) -> Decimal | None:
        return self._fn(values)


def formula_check(text: str) -> Formula:
    """The checked formula over the registered figures (``ValidationError`` in Chinese otherwise)."""
    from gridcheck.assessment.figures import FIGURES

    return Formula(text, FIGURES)
