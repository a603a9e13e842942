from gridcheck.lineloss.tests.conftest import data_dir, meter_data  # noqa: F401 - shared fixtures
