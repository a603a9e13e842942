"""The audit rule library: importing this package registers every rule (``engine.audit_rule``).

One module per business module: ``tariff`` (电费电价), ``metering`` (电能计量), ``inspection``
(用电检查), ``business`` (营业受理) and ``contract`` (its supply contracts and temporary supply);
``census`` (营业普查) holds the findings a census records.
"""

from gridcheck.audit.rules import business, census, contract, inspection, metering, tariff  # noqa: F401
