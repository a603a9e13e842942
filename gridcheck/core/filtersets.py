"""django-filter's filters safe to read from a FilterSet class.

A filter builds its form field once and keeps it (``Filter.field``).  Read from the class's
``base_filters``, as the OpenAPI schema (drf-spectacular) does for every API list, a filter has no model
yet, so the field it keeps has no label; every FilterSet made afterwards in that process copies the
filters with that field, and a page's filter form then showed ``pretty_name`` of the field's name
("Voltage level", "Category") instead of its model field's verbose name in the reader's language, from
the first time anyone opened the API docs until the worker restarted.  Each FilterSet's own filters now
build their fields again, after the model and the FilterSet are set on them.
"""

import django_filters

_init = django_filters.FilterSet.__init__


def _init_with_own_fields(self, *args, **kwargs):
    _init(self, *args, **kwargs)
    for filter_ in self.filters.values():
        filter_.__dict__.pop("_field", None)  # a field copied from the class's filter, made without a label


django_filters.FilterSet.__init__ = _init_with_own_fields
