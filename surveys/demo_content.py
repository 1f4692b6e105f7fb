"""Wording of the demo questionnaires: per sector, rating items by dimension.

Each sector has four dimensions of three items, a usage question and a
complaint follow-up; ``surveys.demo`` adds the overall rating, NPS, comments
and a demographic section, so every survey has 22 questions.
"""

from __future__ import annotations

from surveys.models.choices import Dimension as D

# sector -> (title, title_en, usage question (zh, en, options), dimensions)
# dimensions: [(dimension, section zh, section en, [(code, zh, en), ...]), ...]
SECTOR_QUESTIONS: dict[str, dict] = {
    "education": {
        "title": (
            "嘉兴市教育服务满意度调查",
            "Jiaxing education services satisfaction survey",
        ),
        "usage": (
            "您是以什么身份回答本问卷？",
            "In what role are you answering?",
            [
                ("parent", "学生家长", "Parent of a pupil"),
                ("student", "学生（16岁及以上）", "Student (16 or over)"),
                ("other", "其他", "Other"),
            ],
        ),
        "dimensions": [
            (
                D.RELIABILITY,
                "教学质量",
                "Teaching quality",
                [
                    ("teaching_quality", "教师的教学水平", "The teachers' teaching"),
                    ("homework_load", "作业负担合理", "A reasonable homework load"),
                    (
                        "progress_info",
                        "学校及时告知孩子的学习情况",
                        "Being told how the pupil is doing",
                    ),
                ],
            ),
            (
                D.ENVIRONMENT,
                "校园环境与安全",
                "School environment and safety",
                [
                    (
                        "campus_facilities",
                        "校舍和教学设施",
                        "Buildings and teaching facilities",
                    ),
                    (
                        "canteen",
                        "食堂饭菜的质量与卫生",
                        "Quality and hygiene of school meals",
                    ),
                    (
                        "campus_safety",
                        "上下学和校园安全",
                        "Safety at school and on the way",
                    ),
                ],
            ),
            (
                D.STAFF_ATTITUDE,
                "教师与家校沟通",
                "Teachers and home-school contact",
                [
                    (
                        "teacher_care",
                        "教师关心每一位学生",
                        "Teachers caring about every pupil",
                    ),
                    (
                        "teacher_reachable",
                        "需要时能联系到老师",
                        "Reaching a teacher when needed",
                    ),
                    (
                        "fair_treatment",
                        "学生受到公平对待",
                        "Pupils being treated fairly",
                    ),
                ],
            ),
            (
                D.COST,
                "费用与课后服务",
                "Costs and after-school care",
                [
                    ("fees_clear", "收费项目公开透明", "Charges being open and clear"),
                    (
                        "after_school",
                        "课后服务满足需要",
                        "After-school care meeting needs",
                    ),
                    (
                        "extra_cost",
                        "课外负担（补习等）",
                        "Extra costs such as private tutoring",
                    ),
                ],
            ),
        ],
    },
    "public-transport": {
        "title": (
            "嘉兴市公共交通服务满意度调查",
            "Jiaxing public transport satisfaction survey",
        ),
        "usage": (
            "您乘坐公交的频率是？",
            "How often do you take the bus?",
            [
                ("daily", "几乎每天", "Almost every day"),
                ("weekly", "每周几次", "A few times a week"),
                ("rarely", "偶尔", "Now and then"),
            ],
        ),
        "dimensions": [
            (
                D.RELIABILITY,
                "准点与班次",
                "Punctuality and frequency",
                [
                    ("on_time", "公交准点到站", "Buses arriving on time"),
                    ("frequency", "发车间隔合理", "Buses running often enough"),
                    (
                        "route_coverage",
                        "线路覆盖您要去的地方",
                        "Routes reaching where you go",
                    ),
                ],
            ),
            (
                D.ENVIRONMENT,
                "车辆与站点",
                "Vehicles and stops",
                [
                    ("vehicle_clean", "车厢整洁", "Clean vehicles"),
                    ("stop_shelter", "候车亭和站牌", "Shelters and signs at stops"),
                    ("crowding", "车内不拥挤", "Buses not overcrowded"),
                ],
            ),
            (
                D.STAFF_ATTITUDE,
                "驾驶员服务",
                "Drivers",
                [
                    ("driver_courtesy", "驾驶员态度友善", "Friendly drivers"),
                    ("driving_smooth", "驾驶平稳安全", "Smooth, safe driving"),
                    (
                        "help_elderly",
                        "对老人和残障乘客的照顾",
                        "Help for older and disabled passengers",
                    ),
                ],
            ),
            (
                D.INFORMATION,
                "信息与支付",
                "Information and payment",
                [
                    (
                        "realtime_info",
                        "实时到站信息准确",
                        "Accurate real-time arrival information",
                    ),
                    (
                        "payment_easy",
                        "支付方便（扫码、公交卡）",
                        "Easy payment (QR code, card)",
                    ),
                    ("fare_fair", "票价合理", "Fair fares"),
                ],
            ),
        ],
    },
    "medical": {
        "title": (
            "嘉兴市医疗卫生服务满意度调查",
            "Jiaxing medical services satisfaction survey",
        ),
        "usage": (
            "您此次就诊的类型是？",
            "What kind of visit was this?",
            [
                ("outpatient", "门诊", "Outpatient"),
                ("inpatient", "住院", "Inpatient"),
                ("emergency", "急诊", "Emergency"),
            ],
        ),
        "dimensions": [
            (
                D.RESPONSIVENESS,
                "挂号与等候",
                "Appointments and waiting",
                [
                    ("booking_easy", "预约挂号方便", "Booking an appointment easily"),
                    ("waiting_time", "候诊时间", "Time spent waiting"),
                    ("tests_quick", "检查和取报告的速度", "Speed of tests and results"),
                ],
            ),
            (
                D.STAFF_ATTITUDE,
                "医护人员",
                "Doctors and nurses",
                [
                    (
                        "doctor_explain",
                        "医生清楚解释病情和治疗",
                        "Doctors explaining clearly",
                    ),
                    ("nurse_care", "护士耐心细致", "Patient, careful nurses"),
                    ("privacy_respect", "尊重您的隐私", "Respect for your privacy"),
                ],
            ),
            (
                D.ENVIRONMENT,
                "就医环境",
                "Surroundings",
                [
                    ("clean_wards", "诊室和病房清洁", "Clean rooms and wards"),
                    ("signage", "院内指引清楚", "Clear signs inside the hospital"),
                    ("parking", "停车和交通便利", "Parking and getting there"),
                ],
            ),
            (
                D.COST,
                "费用",
                "Costs",
                [
                    ("cost_clear", "收费清楚", "Clear charges"),
                    (
                        "insurance_easy",
                        "医保结算方便",
                        "Easy health-insurance settlement",
                    ),
                    ("cost_reasonable", "费用合理", "Reasonable costs"),
                ],
            ),
        ],
    },
    "elderly-care": {
        "title": (
            "嘉兴市养老服务满意度调查",
            "Jiaxing elderly care satisfaction survey",
        ),
        "usage": (
            "您使用的是哪类养老服务？",
            "Which elderly care service do you use?",
            [
                ("residential", "养老机构入住", "Residential care home"),
                ("day_centre", "日间照料中心", "Day centre"),
                ("home_care", "居家上门服务", "Care at home"),
            ],
        ),
        "dimensions": [
            (
                D.STAFF_ATTITUDE,
                "护理人员",
                "Carers",
                [
                    ("carer_kind", "护理人员态度亲切", "Kind carers"),
                    ("carer_skill", "护理技能专业", "Skilled care"),
                    ("carer_time", "护理人员有足够时间", "Carers having enough time"),
                ],
            ),
            (
                D.SAFETY,
                "安全与健康",
                "Safety and health",
                [
                    (
                        "safe_facility",
                        "设施安全（防滑、呼叫）",
                        "Safe facilities (non-slip, call buttons)",
                    ),
                    ("health_checks", "定期健康检查", "Regular health checks"),
                    ("medicine_help", "按时协助服药", "Help taking medicine on time"),
                ],
            ),
            (
                D.ENVIRONMENT,
                "生活与活动",
                "Daily life and activities",
                [
                    ("meals", "饭菜合口味", "Meals you like"),
                    ("activities", "文体活动丰富", "Enough activities"),
                    ("room_comfort", "居住环境舒适", "Comfortable rooms"),
                ],
            ),
            (
                D.COST,
                "费用与信息",
                "Costs and information",
                [
                    ("fees_reasonable", "收费合理", "Reasonable fees"),
                    (
                        "subsidy_info",
                        "了解政府补贴政策",
                        "Knowing about government subsidies",
                    ),
                    ("family_informed", "家属能及时了解情况", "Family kept informed"),
                ],
            ),
        ],
    },
    "tourism": {
        "title": ("嘉兴市旅游服务满意度调查", "Jiaxing tourism satisfaction survey"),
        "usage": (
            "您这次是从哪里来的游客？",
            "Where are you visiting from?",
            [
                ("jiaxing", "嘉兴本地", "Jiaxing"),
                ("zhejiang", "浙江省内其他城市", "Elsewhere in Zhejiang"),
                ("other_china", "其他省市", "Another province"),
                ("abroad", "境外", "Outside mainland China"),
            ],
        ),
        "dimensions": [
            (
                D.ENVIRONMENT,
                "景区环境",
                "The scenic area",
                [
                    ("scenery_kept", "景观保护与维护", "Scenery well kept"),
                    ("toilets", "公共厕所清洁", "Clean public toilets"),
                    ("crowd_managed", "游客量控制得当", "Crowds well managed"),
                ],
            ),
            (
                D.INFORMATION,
                "信息与指引",
                "Information and signs",
                [
                    (
                        "signs_bilingual",
                        "标识清楚（含外文）",
                        "Clear signs (including English)",
                    ),
                    ("visitor_centre", "游客中心咨询服务", "Visitor centre help"),
                    ("online_booking", "网上预约购票方便", "Easy online booking"),
                ],
            ),
            (
                D.STAFF_ATTITUDE,
                "服务人员",
                "Staff",
                [
                    ("staff_friendly", "工作人员热情", "Friendly staff"),
                    ("guide_quality", "导游讲解水平", "Quality of guides"),
                    (
                        "complaint_handling",
                        "投诉处理及时",
                        "Complaints dealt with promptly",
                    ),
                ],
            ),
            (
                D.COST,
                "价格与诚信",
                "Prices and honesty",
                [
                    ("ticket_price", "门票价格合理", "Fair ticket prices"),
                    (
                        "shops_honest",
                        "商户明码标价、不欺客",
                        "Honest shops with marked prices",
                    ),
                    ("food_value", "餐饮物有所值", "Food worth the money"),
                ],
            ),
        ],
    },
    "finance": {
        "title": (
            "嘉兴市金融服务企业满意度调查",
            "Jiaxing financial services business survey",
        ),
        "producer": True,
        "usage": (
            "贵企业主要使用哪类金融服务？",
            "Which financial service does your business mainly use?",
            [
                ("loans", "贷款融资", "Loans and credit"),
                ("settlement", "结算与账户", "Payments and accounts"),
                ("investment", "股权与基金投资", "Equity and fund investment"),
            ],
        ),
        "dimensions": [
            (
                D.RESPONSIVENESS,
                "审批效率",
                "Speed of decisions",
                [
                    ("loan_speed", "贷款审批速度", "Speed of loan approval"),
                    ("paperwork", "材料要求简便", "Simple paperwork"),
                    ("online_service", "线上办理便利", "Doing business online"),
                ],
            ),
            (
                D.COST,
                "融资成本",
                "Cost of finance",
                [
                    ("interest_rate", "利率水平", "Interest rates"),
                    ("fees_transparent", "收费透明", "Transparent fees"),
                    ("collateral", "担保抵押要求合理", "Reasonable collateral demands"),
                ],
            ),
            (
                D.STAFF_ATTITUDE,
                "客户经理",
                "Relationship managers",
                [
                    ("manager_expertise", "客户经理专业能力", "Managers' expertise"),
                    (
                        "manager_reachable",
                        "联系方便、响应及时",
                        "Managers easy to reach",
                    ),
                    ("advice_useful", "提供的建议有用", "Useful advice"),
                ],
            ),
            (
                D.RELIABILITY,
                "产品与稳定",
                "Products and reliability",
                [
                    ("products_fit", "产品符合企业需要", "Products fitting your needs"),
                    (
                        "credit_stable",
                        "不抽贷、不断贷",
                        "Credit not withdrawn unexpectedly",
                    ),
                    (
                        "policy_access",
                        "政策性金融支持可获得",
                        "Access to policy-backed finance",
                    ),
                ],
            ),
        ],
    },
    "logistics": {
        "title": (
            "嘉兴市物流服务企业满意度调查",
            "Jiaxing logistics services business survey",
        ),
        "producer": True,
        "usage": (
            "贵企业主要使用哪类物流服务？",
            "Which logistics service does your business mainly use?",
            [
                ("freight", "干线货运", "Long-haul freight"),
                ("warehousing", "仓储", "Warehousing"),
                ("port", "港口与多式联运", "Port and multimodal transport"),
            ],
        ),
        "dimensions": [
            (
                D.RELIABILITY,
                "时效与可靠",
                "Timeliness and reliability",
                [
                    ("on_time_delivery", "按时送达", "On-time delivery"),
                    ("goods_intact", "货物完好无损", "Goods arriving undamaged"),
                    ("capacity", "旺季运力有保障", "Capacity in peak season"),
                ],
            ),
            (
                D.INFORMATION,
                "信息化",
                "Tracking and information",
                [
                    ("tracking", "货物跟踪信息准确", "Accurate tracking"),
                    ("systems_link", "系统对接方便", "Easy systems integration"),
                    ("customs_info", "通关信息及时", "Timely customs information"),
                ],
            ),
            (
                D.COST,
                "价格",
                "Prices",
                [
                    ("freight_rate", "运价合理", "Reasonable freight rates"),
                    ("surcharges", "附加费透明", "Transparent surcharges"),
                    ("claims", "理赔公平及时", "Fair, quick claims"),
                ],
            ),
            (
                D.RESPONSIVENESS,
                "服务响应",
                "Responsiveness",
                [
                    ("problem_solving", "问题处理及时", "Problems solved quickly"),
                    ("staff_pro", "业务人员专业", "Professional staff"),
                    ("custom_solutions", "能提供定制方案", "Tailored solutions"),
                ],
            ),
        ],
    },
}

AGE_BANDS = [
    ("18-29", "18-29岁", "18-29"),
    ("30-44", "30-44岁", "30-44"),
    ("45-59", "45-59岁", "45-59"),
    ("60-74", "60-74岁", "60-74"),
    ("75+", "75岁及以上", "75 or over"),
]
GENDERS = [("female", "女", "Female"), ("male", "男", "Male")]
EDUCATION = [
    ("primary", "小学及以下", "Primary or less"),
    ("secondary", "初中或高中", "Secondary"),
    ("tertiary", "大专及以上", "College or university"),
]
FIRM_SIZES = [
    ("micro", "微型（10人以下）", "Micro (under 10 staff)"),
    ("small", "小型（10-99人）", "Small (10-99)"),
    ("medium", "中型（100-999人）", "Medium (100-999)"),
    ("large", "大型（1000人及以上）", "Large (1,000 or more)"),
]
INDUSTRIES = [
    ("manufacturing", "制造业", "Manufacturing"),
    ("trade", "批发零售", "Wholesale and retail"),
    ("services", "服务业", "Services"),
    ("agriculture", "农业", "Agriculture"),
]
