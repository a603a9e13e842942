"""Collection pages: one module per part of the work (payments, dunning, cash, reports)."""
