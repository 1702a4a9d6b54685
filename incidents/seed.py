"""The seeded category code table and the county's departments (data only, no models).

Migrations import CATEGORIES, so entries are never removed here: retire one in the admin
(``active`` off) so old matters keep their category.
"""

from __future__ import annotations

# (code, kind, Chinese name, English name)
CATEGORIES: tuple[tuple[str, str, str, str], ...] = (
    ("marriage-family", "dispute", "婚姻家庭", "Marriage and family"),
    ("neighbours", "dispute", "邻里纠纷", "Neighbours"),
    ("land-forest", "dispute", "山林土地", "Land and forest"),
    ("homestead-housing", "dispute", "宅基地及房屋", "Homestead and housing"),
    ("labour-wages", "dispute", "劳资及欠薪", "Labour and wages"),
    ("land-acquisition", "dispute", "征地拆迁", "Land acquisition"),
    ("medical", "dispute", "医疗纠纷", "Medical"),
    ("contracts", "dispute", "合同纠纷", "Contracts"),
    ("damages", "dispute", "损害赔偿", "Damages"),
    ("dispute-other", "dispute", "其他纠纷", "Other dispute"),
    ("fire", "hazard", "消防安全", "Fire"),
    ("traffic", "hazard", "道路交通", "Traffic"),
    ("geological", "hazard", "地质灾害", "Geological"),
    ("buildings", "hazard", "房屋建筑", "Buildings"),
    ("gas", "hazard", "燃气安全", "Gas"),
    ("public-order", "hazard", "治安隐患", "Public order"),
    ("food-safety", "hazard", "食品安全", "Food safety"),
    ("hazard-other", "hazard", "其他隐患", "Other hazard"),
    ("petition-letter", "petition", "来信", "Letter"),
    ("petition-visit", "petition", "来访", "Visit"),
    ("petition-online", "petition", "网上信访", "Online petition"),
    ("request-livelihood", "request", "民生诉求", "Livelihood"),
    ("request-services", "request", "公共服务", "Public services"),
    ("request-environment", "request", "环境卫生", "Environment and sanitation"),
)

# Departments of a county (code, Chinese name, mode). Stationed at the county center: handle on
# site; window units: on site or take back and report; the others receive transfers and report back.
DEPARTMENTS: tuple[tuple[str, str, str], ...] = (
    ("petitions", "县信访局", "on_site"),
    ("legal-services", "县公共法律服务中心", "on_site"),
    ("notary", "县公证处", "on_site"),
    ("labour-inspection", "县劳动保障监察大队", "on_site"),
    ("court-window", "县人民法院诉讼服务窗口", "window"),
    ("police-window", "县公安局窗口", "window"),
    ("human-resources-window", "县人社局窗口", "window"),
    ("education", "县教育局", "report_back"),
    ("housing-construction", "县住房和城乡建设局", "report_back"),
    ("natural-resources", "县自然资源局", "report_back"),
    ("health", "县卫生健康局", "report_back"),
    ("emergency", "县应急管理局", "report_back"),
    ("market-regulation", "县市场监督管理局", "report_back"),
    ("agriculture", "县农业农村局", "report_back"),
)
