"""Template helpers of the detection pages: the score bar and the status badge of the tables."""

from django import template

from gridcheck.detection import tables

register = template.Library()


@register.simple_tag(name="score_bar")
def score_bar_tag(score):
    return tables.score_bar(float(score))


@register.simple_tag(name="status_badge")
def status_badge_tag(suspect):
    return tables.status_badge(suspect)
