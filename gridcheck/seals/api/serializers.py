"""Serializers of the seals API (read-only representations; changes go through the services)."""

from rest_framework import serializers

from gridcheck.seals.models import Seal


class SealSerializer(serializers.ModelSerializer):
    class Meta:
        model = Seal
        fields = ["id", "number", "station", "status", "holder", "meter"]
        read_only_fields = fields
