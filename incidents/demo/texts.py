"""Invented titles, descriptions and notes of the demo's matters (templates, Chinese).

Outcomes, per category, are in ``incidents.demo.outcomes``.
"""

from __future__ import annotations

import numpy as np

# category → (titles, descriptions). {village} is the village/community, {place} a spot in it.
TEXTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "marriage-family": (
        (
            "{village}夫妻因家务琐事多次争吵",
            "{village}老人赡养费分担纠纷",
            "{village}离婚后子女抚养纠纷",
        ),
        (
            "双方矛盾持续，{place}邻居多次劝解未果，申请调解。",
            "家庭成员间就赡养、抚养问题意见不一，需介入调解。",
        ),
    ),
    "neighbours": (
        (
            "{village}邻里因排水沟发生争执",
            "{village}两户因院墙界线争吵",
            "{village}楼上漏水引发邻里矛盾",
        ),
        (
            "{place}两户因生活琐事积怨，近日发生口角，需及时化解。",
            "邻里间因通行、排水问题多次争执，申请调解。",
        ),
    ),
    "land-forest": (
        ("{village}承包地边界纠纷", "{village}春耕地界争议", "{village}林地权属争议"),
        (
            "春耕时双方对地埂位置各执一词，{place}发生争执。",
            "两户对承包地（林地）边界认定不一，影响耕种。",
        ),
    ),
    "homestead-housing": (
        (
            "{village}宅基地界址纠纷",
            "{village}建房占用通道引发争议",
            "{village}旧房翻建影响邻户采光",
        ),
        (
            "{place}一户翻建房屋，邻户认为占用其宅基地。",
            "双方就宅基地四至界限发生争议，需现场勘界调解。",
        ),
    ),
    "labour-wages": (
        ("{village}务工人员讨要工资", "{village}工地拖欠农民工工资", "{village}劳务报酬结算纠纷"),
        (
            "多名务工人员反映{place}工程款未结，工资被拖欠。",
            "年底结算时双方对工资数额有争议，申请协调。",
        ),
    ),
    "land-acquisition": (
        ("{village}征地补偿款分配争议", "{village}拆迁安置诉求", "{village}项目用地青苗补偿争议"),
        (
            "群众对{place}征地补偿标准有异议，多次反映。",
            "涉及项目用地补偿与安置，部分农户未签协议。",
        ),
    ),
    "medical": (
        ("{village}患者家属对诊疗结果有异议", "{village}医疗费用纠纷"),
        (
            "患者家属认为诊疗存在过错，要求赔偿，情绪激动。",
            "就医疗费用及后续治疗发生争议，申请调解。",
        ),
    ),
    "contracts": (
        ("{village}房屋租赁合同纠纷", "{village}农资买卖合同纠纷", "{village}承包工程合同争议"),
        ("双方就合同履行及款项支付发生争议。", "{place}租赁到期后押金退还产生分歧。"),
    ),
    "damages": (
        (
            "{village}交通事故损害赔偿纠纷",
            "{village}牲畜毁坏庄稼赔偿纠纷",
            "{village}施工损坏房屋赔偿争议",
        ),
        ("事故（损害）已发生，双方对赔偿数额协商不成。", "{place}财产受损，当事人要求对方赔偿。"),
    ),
    "dispute-other": (
        ("{village}其他民间纠纷", "{village}债务纠纷"),
        ("当事人之间发生纠纷，申请综治中心协调处理。",),
    ),
    "fire": (
        ("{village}电动车楼道充电隐患", "{village}私拉乱接电线", "{village}柴草堆放靠近住房"),
        ("{place}存在火灾隐患，需督促整改。", "入户排查发现用火用电不规范，存在安全隐患。"),
    ),
    "traffic": (
        ("{village}路口视线遮挡易发事故", "{village}路段护栏损坏", "{village}农用车违规载人"),
        (
            "{place}道路存在交通安全隐患，需设置警示或维修。",
            "群众反映该路段车速快，行人通行不安全。",
        ),
    ),
    "geological": (
        ("{village}山体裂缝隐患", "{village}边坡滑塌风险", "{village}沟道泥石流隐患"),
        ("降雨后{place}坡体出现裂缝，威胁附近住户。", "巡查发现边坡有滑塌迹象，需监测并转移群众。"),
    ),
    "buildings": (
        ("{village}危旧房屋安全隐患", "{village}围墙倾斜存在倒塌风险", "{village}自建房加层隐患"),
        ("{place}房屋墙体开裂，存在安全隐患。", "排查发现建筑结构存在风险，需鉴定并整改。"),
    ),
    "gas": (
        ("{village}燃气管道老化", "{village}液化气瓶违规存放", "{village}燃气热水器安装不规范"),
        ("{place}闻到燃气味，疑似泄漏。", "入户检查发现燃气设施存在安全隐患。"),
    ),
    "public-order": (
        ("{village}夜间聚集噪音扰民", "{village}路灯损坏存在治安隐患", "{village}可疑人员出入"),
        ("{place}存在治安隐患，群众要求加强巡逻。", "群众反映近期治安问题，需加强防范。"),
    ),
    "food-safety": (
        ("{village}流动摊贩食品来源不明", "{village}餐馆卫生条件差", "{village}过期食品销售"),
        ("{place}存在食品安全隐患，需市场监管介入。", "群众反映所购食品存在质量问题。"),
    ),
    "hazard-other": (
        ("{village}井盖缺失", "{village}废弃水窖未封闭"),
        ("{place}存在安全隐患，需尽快处置。",),
    ),
    "petition-letter": (
        ("{village}群众来信反映问题", "{village}来信反映补贴发放问题"),
        ("来信人反映相关问题，要求依法处理并答复。",),
    ),
    "petition-visit": (
        ("{village}群众来访反映诉求", "{village}集体来访反映问题"),
        ("来访群众反映相关问题，要求给予解决。",),
    ),
    "petition-online": (
        ("{village}网上信访事项", "{village}网上反映问题"),
        ("通过网上信访平台反映问题，要求按期答复。",),
    ),
    "request-livelihood": (
        ("{village}低保申请咨询", "{village}养老保险待遇诉求", "{village}冬季取暖诉求"),
        ("群众就民生保障问题提出诉求。",),
    ),
    "request-services": (
        ("{village}子女入学咨询", "{village}公交线路调整诉求", "{village}饮水设施维修诉求"),
        ("群众反映公共服务问题，请求协调解决。",),
    ),
    "request-environment": (
        ("{village}垃圾清运不及时", "{village}污水外溢", "{village}路边柴草乱堆乱放"),
        ("{place}环境卫生问题影响群众生活。",),
    ),
}

PLACES = ("村口", "巷道内", "主街旁", "小区内", "学校附近", "集市旁", "路口", "河边")

FOLLOW_UP_NOTES: dict[str, tuple[str, ...]] = {
    "satisfied": ("电话回访，当事人表示满意。", "上门回访，群众满意。"),
    "basically": ("回访时当事人表示基本满意。",),
    "dissatisfied": ("回访时当事人表示不满意，要求重新处理。",),
}
REOPEN_NOTE = "回访不满意，重新办理。"
TRANSFER_NOTE = "属职能部门职责范围，转办。"
PETITION_ROUTE_REASON = "信访事项由驻中心的县信访局受理。"
ESCALATE_NOTE = "逾期未办结，升级至上级综治中心。"
SUPERVISION_NOTE = "事项复杂、群众关注度高，挂牌督办。"
LEADER_NOTE = "领导包案，限期化解。"


def pick(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    """One of ``options``, drawn from ``rng``."""
    return options[int(rng.integers(len(options)))]


def title_and_description(rng: np.random.Generator, category: str, village: str) -> tuple[str, str]:
    """A title and a description for a matter of ``category`` in ``village``."""
    titles, descriptions = TEXTS[category]
    place = pick(rng, PLACES)
    return (
        pick(rng, titles).format(village=village, place=place),
        pick(rng, descriptions).format(village=village, place=place),
    )
