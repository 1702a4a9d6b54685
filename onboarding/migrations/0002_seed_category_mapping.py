from django.db import migrations

from onboarding.seed import CATEGORY_TEXTS


def seed(apps, schema_editor):
    Category = apps.get_model("incidents", "Category")
    CategoryMapping = apps.get_model("onboarding", "CategoryMapping")
    codes = dict(Category.objects.values_list("code", "id"))
    for text, code in CATEGORY_TEXTS:
        if code in codes:
            CategoryMapping.objects.get_or_create(text=text, defaults={"category_id": codes[code]})


def unseed(apps, schema_editor):
    CategoryMapping = apps.get_model("onboarding", "CategoryMapping")
    CategoryMapping.objects.filter(text__in=[text for text, _code in CATEGORY_TEXTS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("onboarding", "0001_initial_import_records"),
        ("incidents", "0002_seed_categories_and_append_only_trail"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
