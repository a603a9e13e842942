"""Moments sent with an offset arrive in the station's time zone, within the record years."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django import forms

from gridcheck.core.fields import LocalDateTimeField, LocalIsoDateTimeField

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("field_class", [LocalDateTimeField, LocalIsoDateTimeField])
def test_an_offset_is_converted_to_shanghai(field_class):
    moment = field_class().clean("2026-11-30T20:00:00+17:16")
    assert moment.utcoffset() == datetime.timedelta(hours=8)
    assert moment == datetime.datetime(
        2026, 11, 30, 20, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=17, minutes=16))
    )
    assert moment.astimezone(SHANGHAI).hour == 10 and moment.minute == 44


@pytest.mark.parametrize("text", ["0654-03-23T11:44:25+08:00", "2101-01-01T00:00:00", "1999-12-31 23:00"])
def test_a_year_outside_the_records_is_a_form_error(text):
    with pytest.raises(forms.ValidationError):
        LocalIsoDateTimeField().clean(text)


def test_a_naive_time_is_read_as_shanghai_time():
    moment = LocalDateTimeField().clean("2026-11-30 20:00")
    assert moment.utcoffset() == datetime.timedelta(hours=8) and moment.hour == 20
