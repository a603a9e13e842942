"""Choices of collection (收): payments, receivables, reversals, dunning, disconnection, receipt stock."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PaymentChannel(models.TextChoices):
    """How a payment came in (缴费渠道)."""

    COUNTER = "counter", _("Counter")
    BANK_AGENT = "bank_agent", _("Bank agent")
    BANK_WITHHOLDING = "bank_withholding", _("Bank withholding")
    ONLINE = "online", _("Online")
    AGENT_POINT = "agent_point", _("Agent point")
    RURAL_ELECTRICIAN = "rural_electrician", _("Rural electrician")


class PaymentKind(models.TextChoices):
    """What a payment is for: bills (and their late fees), or a top-up of a prepaid account."""

    BILLS = "bills", _("Bills")
    TOP_UP = "top_up", _("Prepaid top-up")


class PaymentStatus(models.TextChoices):
    POSTED = "posted", _("Posted")
    REVERSAL_PENDING = "reversal_pending", _("Reversal awaiting approval")
    REVERSED = "reversed", _("Reversed")


class ReceivableStatus(models.TextChoices):
    """A bill's receivable: open until its balance is paid (or refunded to credit)."""

    OPEN = "open", _("Unpaid")
    PAID = "paid", _("Paid")


class DecisionStatus(models.TextChoices):
    """An application that needs a decision: reversals, cancellations, destructions."""

    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class YearEndRule(models.TextChoices):
    """How a late fee treats arrears that cross into a later year (named company practice)."""

    SPLIT = "split", _("Split at 31 December")
    WHOLE = "whole", _("Whole arrears at the earlier-year rate")


class DunningChannel(models.TextChoices):
    PAPER = "paper", _("Paper notice (delivered by the area electrician)")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")


class DunningStatus(models.TextChoices):
    ISSUED = "issued", pgettext_lazy("dunning notice", "Issued")
    DELIVERED = "delivered", _("Delivered")
    SENT = "sent", _("Sent")
    SETTLED = "settled", _("Settled (paid)")


class DisconnectionStatus(models.TextChoices):
    """Disconnection for arrears (欠费停电): proposed > approved > executed > reconnected."""

    PROPOSED = "proposed", _("Proposed")
    COUNTY_PENDING = "county_pending", _("Awaiting county approval")
    APPROVED = "approved", _("Approved, notice served")
    EXECUTED = "executed", _("Disconnected")
    RECONNECT_ORDERED = "reconnect_ordered", _("Reconnection ordered")
    RECONNECTED = "reconnected", _("Reconnected")
    CANCELLED = "cancelled", _("Cancelled (paid before cutting)")
    REJECTED = "rejected", _("Rejected")


class StockKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt book")
    INVOICE = "invoice", _("Invoice stock")


class StockStatus(models.TextChoices):
    """A receipt book or invoice stock issued to a collector."""

    ISSUED = "issued", _("Issued to collector")
    RETURNED = "returned", _("Returned and checked")
    DESTROY_PENDING = "destroy_pending", _("Destruction awaiting approval")
    DESTROYED = "destroyed", _("Destroyed")


class RemittanceStatus(models.TextChoices):
    DEPOSITED = "deposited", _("Deposited")
    REMITTED = "remitted", _("Remitted upward")
