"""Collection services (they change state): one module per part of the work.

``common`` (helpers), ``receivables`` (issued bills become receivables), and the modules of payments,
bank files, reversals and month close, late fees, dunning and disconnection, receipt stock and deposits.
"""
