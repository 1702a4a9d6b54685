"""Category texts as rosters and ledgers write them → the category table.

The mapping table (CategoryMapping, editable in the admin, seeded with the common ledger texts)
first, then the category's own Chinese name, then the same without a trailing 纠纷.
"""

from __future__ import annotations

import unicodedata

from incidents.models import Category
from onboarding.models import CategoryMapping


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


class CategoryMatcher:
    """Looks texts up in the mapping and the category table (loaded once per import)."""

    def __init__(self) -> None:
        categories = list(Category.objects.all())
        self.by_id = {c.pk: c for c in categories}
        self.by_code = {c.code: c for c in categories}
        self.table: dict[str, Category] = {}
        for category in categories:
            self.table.setdefault(_key(category.name), category)
            self.table.setdefault(_key(category.name).removesuffix("纠纷"), category)
        for text, category_id in CategoryMapping.objects.values_list("text", "category_id"):
            self.table[_key(text)] = self.by_id[category_id]

    def find(self, text: str) -> Category | None:
        """The category for ``text``, or None when neither the mapping nor a name knows it."""
        key = _key(text)
        if not key:
            return None
        return self.table.get(key) or self.table.get(key.removesuffix("纠纷"))
