"""The code tables of the incidents API (categories, handling units) and its error shape."""

from __future__ import annotations

from rest_framework import serializers

from incidents.models import Category, HandlingUnit


class CategorySerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    name = serializers.CharField(source="label", read_only=True, help_text="in the active language")

    class Meta:
        model = Category
        fields = ["code", "kind", "kind_label", "name"]


class HandlingUnitSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    mode_label = serializers.CharField(source="get_mode_display", read_only=True)
    area_code = serializers.CharField(source="area.code", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = HandlingUnit
        fields = [
            "code",
            "name",
            "kind",
            "kind_label",
            "mode",
            "mode_label",
            "area_code",
            "area_name",
        ]


class ErrorSerializer(serializers.Serializer):
    """Every error of the incidents API."""

    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="field → messages (400 only)",
    )
