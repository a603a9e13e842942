"""Known audit anomalies injected into the demo county (the ground truth of ``gridcheck audit
evaluate``): importing this package registers one injector per rule (``engine.audit_injector``)."""

from gridcheck.audit.injections import business, contract, inspection, metering, tariff  # noqa: F401
