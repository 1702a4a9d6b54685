"""Invented names and notes of the demo's responders and their assignments (data, Chinese)."""

from __future__ import annotations

# Every dispute category: what the county's own mediators take.
DISPUTES = (
    "marriage-family",
    "neighbours",
    "land-forest",
    "homestead-housing",
    "labour-wages",
    "land-acquisition",
    "medical",
    "contracts",
    "damages",
    "dispute-other",
)
# Township mediators leave medical disputes to the county's medical committee.
TOWNSHIP_DISPUTES = tuple(code for code in DISPUTES if code != "medical")
# Psychological counsellors: family and neighbourhood quarrels, distressed petitioners.
COUNSELLING = ("marriage-family", "neighbours", "dispute-other", "petition-visit")

# Industry mediation committees at the county: (name, the categories of their trade).
COMMITTEES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("县医疗纠纷人民调解委员会", ("medical",)),
    ("县道路交通事故纠纷人民调解委员会", ("damages",)),
    ("县劳动争议人民调解委员会", ("labour-wages",)),
    ("县婚姻家庭纠纷人民调解委员会", ("marriage-family",)),
    ("县物业纠纷人民调解委员会", ("neighbours", "homestead-housing")),
    ("县消费纠纷人民调解委员会", ("contracts", "damages")),
    ("县农村土地承包经营纠纷调解委员会", ("land-forest",)),
    ("县校园矛盾纠纷人民调解委员会", ("damages", "dispute-other")),
    ("县征地拆迁纠纷人民调解委员会", ("land-acquisition", "homestead-housing")),
    ("县建设工程纠纷人民调解委员会", ("contracts", "labour-wages")),
)

# Township volunteer squads by what they do: (name part, skills). Every township has an emergency
# squad for any hazard but food safety (the market regulator's); village squads are all-round.
EMERGENCY_SQUAD = (
    "应急救援",
    ("geological", "buildings", "fire", "traffic", "gas", "public-order", "hazard-other"),
)
SQUAD_THEMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("平安巡逻", ("public-order", "fire", "gas", "hazard-other", "request-environment")),
    ("交通劝导", ("traffic", "public-order", "hazard-other")),
    ("消防安全", ("fire", "gas", "buildings", "hazard-other")),
    ("护林护河", ("geological", "fire", "hazard-other", "request-environment")),
)
VILLAGE_SQUAD = ("平安", ("public-order", "fire", "geological", "buildings", "hazard-other"))

DECLINE_REASONS = (
    "正在处理另一起纠纷，一时赶不过去。",
    "人在县里开会，距离太远。",
    "身体不适，请改派他人。",
    "车辆故障，无法及时到场。",
    "与当事人有亲属关系，需回避。",
    "队员大多外出务工，人手不足。",
)
CANCEL_NOTES = (
    "当事人已自行协商解决，取消派遣。",
    "中心已电话协调处理，无需到场。",
    "属地派出所已到场处置，取消派遣。",
    "当事人外出，改约时间后另行派遣。",
)
OUTCOMES: dict[str, tuple[str, ...]] = {
    "dispute": (
        "已到场调解，双方达成口头协议，后续由中心跟进回访。",
        "现场了解情况并做疏导，双方情绪平稳，约定择日再调。",
        "组织双方当面协商，达成书面调解协议，已交中心存档。",
        "讲解相关法律规定，当事人表示理解，同意按程序处理。",
        "调解未达成一致，已告知诉讼途径，材料报中心。",
    ),
    "hazard": (
        "已到场查看，设置警示标志并通知相关部门处置。",
        "组织队员清理现场，隐患已初步排除。",
        "现场拍照取证，劝离围观群众，等待主管部门到场。",
        "协助疏导交通，现场恢复正常通行。",
        "已提醒住户注意安全，并登记后续整改情况。",
    ),
}
