"""Ledger category texts seeded into the editable mapping (data only; the migration reads it).

Texts as county ledgers write them (矛盾纠纷排查调处台账, 信访台账) → category codes of
incidents.seed.CATEGORIES. A category's own name (婚姻家庭, 邻里纠纷 …) needs no entry.
"""

CATEGORY_TEXTS: tuple[tuple[str, str], ...] = (
    ("婚姻家庭纠纷", "marriage-family"),
    ("婚姻纠纷", "marriage-family"),
    ("家庭纠纷", "marriage-family"),
    ("赡养纠纷", "marriage-family"),
    ("抚养纠纷", "marriage-family"),
    ("继承纠纷", "marriage-family"),
    ("邻里关系纠纷", "neighbours"),
    ("相邻关系纠纷", "neighbours"),
    ("土地承包纠纷", "land-forest"),
    ("山林水利纠纷", "land-forest"),
    ("山林纠纷", "land-forest"),
    ("林权纠纷", "land-forest"),
    ("土地纠纷", "land-forest"),
    ("水利纠纷", "land-forest"),
    ("土地权属纠纷", "land-forest"),
    ("宅基地纠纷", "homestead-housing"),
    ("房屋纠纷", "homestead-housing"),
    ("房屋宅基地纠纷", "homestead-housing"),
    ("劳资纠纷", "labour-wages"),
    ("劳动争议", "labour-wages"),
    ("拖欠工资", "labour-wages"),
    ("欠薪纠纷", "labour-wages"),
    ("征地拆迁纠纷", "land-acquisition"),
    ("拆迁纠纷", "land-acquisition"),
    ("医患纠纷", "medical"),
    ("借贷纠纷", "contracts"),
    ("债务纠纷", "contracts"),
    ("买卖纠纷", "contracts"),
    ("合同纠纷", "contracts"),
    ("损害赔偿纠纷", "damages"),
    ("人身损害赔偿纠纷", "damages"),
    ("交通事故纠纷", "damages"),
    ("道路交通事故纠纷", "damages"),
    ("其他", "dispute-other"),
    ("其它纠纷", "dispute-other"),
)
