"""Serializers of the staff API: read-only, and never the password hash."""

from rest_framework import serializers

from gridcheck.users.models import Qualification, User


class QualificationSerializer(serializers.ModelSerializer):
    user_name = serializers.CharField(source="user.__str__", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Qualification
        fields = [
            "id",
            "user",
            "user_name",
            "level",
            "level_display",
            "certificate_number",
            "issued_on",
            "expires_on",
        ]


class NestedQualificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Qualification
        fields = ["id", "level", "certificate_number", "issued_on", "expires_on"]


class UserSerializer(serializers.ModelSerializer):
    """A member of staff. Only these fields are exposed (no password, no permissions)."""

    role_display = serializers.CharField(source="get_role_display", read_only=True)
    station_name = serializers.CharField(source="station.name", read_only=True, default=None, allow_null=True)
    qualifications = NestedQualificationSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "employee_number",
            "phone",
            "role",
            "role_display",
            "station",
            "station_name",
            "is_active",
            "qualifications",
        ]
        read_only_fields = fields
