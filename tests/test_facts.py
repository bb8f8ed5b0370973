import json
import pickle
import re
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unitynlp.convert import convert
from unitynlp.errors import InputError
from unitynlp.facts import FACT_COLUMNS, extract_facts, fact_rows, facts, summary_line
from unitynlp.facts.formulas import formula_re, formula_spans, numeral_surfaces
from unitynlp.lexicon import Lexicon, default_lexicon

DATA = Path(__file__).parent / "data"
GOLD = DATA / "gold"
FLOORS = {"precision": 0.95, "recall": 0.95, "value_unit": 0.97, "qualifier": 0.95, "subject": 0.85}


def only(text: str) -> dict:
    rows = extract_facts(text)
    assert len(rows) == 1, [r["text"] for r in rows]
    return rows[0]


# ---- values, units, kinds, qualifiers ------------------------------------------------------

@pytest.mark.parametrize("text, span, value, unit, kind, qualifier", [
    ("现有干部职工738人", "738人", 738, "人", "count", "exact"),
    ("城镇新增就业48.81万人", "48.81万人", 488_100, "人", "count", "exact"),
    ("地区生产总值达13.7万亿元", "13.7万亿元", 13.7e12, "元", "money", "exact"),
    ("城市低保金32.17萬元", "32.17萬元", 321_700, "元", "money", "exact"),
    ("农村低保金788.94萬元", "788.94萬元", 7_889_400, "元", "money", "exact"),
    ("捐赠壹萬伍仟元", "壹萬伍仟元", 15_000, "元", "money", "exact"),
    ("学费八千多元", "八千多元", 8000, "元", "money", "more_than"),
    ("新增十二万余人", "十二万余人", 120_000, "人", "count", "more_than"),
    ("总人口1,234,567人", "1,234,567人", 1_234_567, "人", "count", "exact"),
    ("全镇转移就业１２３人", "１２３人", 123, "人", "count", "exact"),
    ("森林覆盖率53.2%", "53.2%", 53.2, "%", "percent", "exact"),
    ("贫困发生率降到0.016%", "0.016%", 0.016, "%", "percent", "exact"),
    ("增长5.8％", "5.8％", 5.8, "%", "percent", "exact"),
    ("递增百分之三十六點九", "百分之三十六點九", 36.9, "%", "percent", "exact"),
    ("研发投入强度提高0.1个百分点", "0.1个百分点", 0.1, "百分点", "percent", "exact"),
    ("重污染天数下降超过五成", "超过五成", 5, "成", "percent", "more_than"),
    ("城乡居民收入比缩小至2.04∶1", "2.04∶1", 2.04, "", "ratio", "exact"),
    ("出口增长1.5倍", "1.5倍", 1.5, "倍", "ratio", "exact"),
    ("居民收入翻一番", "一番", 1, "番", "ratio", "exact"),
    ("企业开办时间缩短三分之一以上", "三分之一以上", 1 / 3, "", "ratio", "more_than"),
    ("粮食产量280.76亿斤", "280.76亿斤", 28_076_000_000, "斤", "measure", "exact"),
    ("装机容量达18000KW", "18000KW", 18_000, "千瓦", "measure", "exact"),
    ("新增风电装机477万千瓦", "477万千瓦", 4_770_000, "千瓦", "measure", "exact"),
    ("集装箱吞吐量突破1000万标准箱", "突破1000万标准箱", 10_000_000, "标准箱", "measure", "more_than"),
    ("治理水土流失1720平方公里", "1720平方公里", 1720, "平方公里", "measure", "exact"),
    ("总面积163.97平方千米", "163.97平方千米", 163.97, "平方千米", "measure", "exact"),
    ("林地面积8897公頃", "8897公頃", 8897, "公顷", "measure", "exact"),
    ("营造林174万亩", "174万亩", 1_740_000, "亩", "measure", "exact"),
    ("日均产气30萬立方", "30萬立方", 300_000, "立方米", "measure", "exact"),
    ("林业年均伐木約16824方", "約16824方", 16_824, "立方米", "measure", "approx"),
    ("竹业采伐2400噸", "2400噸", 2400, "吨", "measure", "exact"),
    ("旅客吞吐量1700万人次", "1700万人次", 17_000_000, "人次", "count", "exact"),
    ("连续被评为文明单位15年", "15年", 15, "年", "measure", "exact"),
    ("24小時应急值班", "24小時", 24, "小时", "measure", "exact"),
    ("捐款近3萬元", "近3萬元", 30_000, "元", "money", "approx"),
    ("年均产值約1681萬元", "約1681萬元", 16_810_000, "元", "money", "approx"),
    ("新建足球场不少于300個", "不少于300個", 300, "个", "count", "more_than"),
    ("儿童教师100多名", "100多名", 100, "名", "count", "more_than"),
    ("衣物1200余件", "1200余件", 1200, "件", "count", "more_than"),
    ("维稳经费15萬余元", "15萬余元", 150_000, "元", "money", "more_than"),
    ("解决20戶以下自然村", "20戶以下", 20, "户", "count", "less_than"),
    ("比例占50%以上的村民小组", "50%以上", 50, "%", "percent", "more_than"),
    ("地区生产总值增长5%左右", "5%左右", 5, "%", "percent", "approx"),
    ("技术合同成交额超过百亿元", "超过百亿元", 1e10, "元", "money", "more_than"),
    ("惠及近万家企业", "近万家", 10_000, "家", "count", "approx"),
    ("新增企业逾200家", "逾200家", 200, "家", "count", "more_than"),
    ("经济总量不足百亿元", "不足百亿元", 1e10, "元", "money", "less_than"),
    ("建档立卡贫困户1272戶、5111貧困人口", None, None, None, None, None),
])
def test_quantities(text, span, value, unit, kind, qualifier):
    if span is None:  # several facts: checked elsewhere
        assert [r["text"] for r in extract_facts(text)] == ["1272戶", "5111"]
        return
    row = only(text)
    assert row["text"] == span
    assert row["value"] == pytest.approx(value)
    assert (row["unit"], row["kind"], row["qualifier"]) == (unit, kind, qualifier)


@pytest.mark.parametrize("text, span, value, value_max, unit, kind", [
    ("新建足球场周期2015-2017年", "2015-2017年", 2015, 2017, "年", "date"),
    ("2024年至2027年", "2024年至2027年", 2024, 2027, "年", "date"),
    ("预期增长5%-6%", "5%-6%", 5, 6, "%", "percent"),
    ("预期增长5-6%", "5-6%", 5, 6, "%", "percent"),
    ("用3至5年时间", "3至5年", 3, 5, "年", "measure"),
    ("新建2—3个园区", "2—3个", 2, 3, "个", "count"),
    ("投资3-5万元", "3-5万元", 30_000, 50_000, "元", "money"),
    ("投资3万元-5万元", "3万元-5万元", 30_000, 50_000, "元", "money"),
    ("用三至五年时间", "三至五年", 3, 5, "年", "measure"),
    ("1-11月规上工业增加值", "1-11月", 1, 11, "月", "date"),
])
def test_ranges(text, span, value, value_max, unit, kind):
    row = only(text)
    assert (row["text"], row["unit"], row["kind"]) == (span, unit, kind)
    assert (row["value"], row["value_max"]) == (pytest.approx(value), pytest.approx(value_max))


@pytest.mark.parametrize("text, span, value, unit, date", [
    ("公司组建于1958年7月", "1958年7月", 1958, "年", "1958-07"),
    ("2024年1月15日在省人代会上", "2024年1月15日", 2024, "年", "2024-01-15"),
    ("6月23日,记者获悉", "6月23日", 6, "月", "--06-23"),
    ("每年9月确定为宣传月", "9月", 9, "月", "--09"),
    ("利用每年的三月开展宣传", "三月", 3, "月", "--03"),
    ("2020年新型农村合作医疗", "2020年", 2020, "年", "2020"),
    ("在一九五三年完成", "一九五三年", 1953, "年", "1953"),
    ("二〇三五年远景目标", "二〇三五年", 2035, "年", "2035"),
    ("2024年1-11月", "2024年1-11月", 2024, "年", "2024-01/2024-11"),
])
def test_dates(text, span, value, unit, date):
    row = only(text)
    assert (row["text"], row["value"], row["unit"], row["kind"], row["date"]) == (span, value, unit, "date", date)


@pytest.mark.parametrize("text, span", [
    ("两年来，我们坚持", "两年"),
    ("过去一年，我们", "一年"),
    ("近5年累计投入", "5年"),
])
def test_durations(text, span):
    row = only(text)
    assert (row["text"], row["kind"], row["qualifier"]) == (span, "measure", "exact")


# ---- what is not a fact ----------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "一、2024年工作回顾",  # the year is a fact, the enumerator is not: checked below
    "（一）加强组织领导", "(一)加强组织领导", "1.健全机制", "一是成立了领导小组", "第一篇",
    "第一批高新技术企业", "进一步加强", "统一思想", "一定要", "百姓满意", "队伍建设",
    "零散分布", "双语教育", "四川省叙永县", "实施“十四五”规划", "十二五时期",
    "党的二十届三中全会精神", "按照省委十一届七次、八次、九次全会部署",
    "十四届全国人大三次会议", "“三八”国际劳动妇女节", "“五四”青年节", "“7.5”事件",
    "〔2020〕12号文件", "20xx年工作总结", "***公司", "深入开展“三个离不开”教育",
    "五个一批", "读一本好书", "看一部电影", "几年来", "一批民族团结对子", "一块块",
    "百里林海", "一带一路", "两个维护", "八项规定", "五位一体", "一场四馆", "五人制足球",
    "做强百亿级产业集群", "以千万计", "5G基站", "PM2.5浓度", "实施三年行动计划",
    "是一个苗族、汉族杂居的地方", "作为一项重要的政治任务", "三五年内", "七台河市",
    "五家渠市", "一成不变", "二期工程", "推动三次产业融合", "最多跑一次", "一件事一次办",
])
def test_not_facts(text):
    rows = extract_facts(text)
    assert rows == [] or [r["text"] for r in rows] == ["2024年"]


@pytest.mark.parametrize("text, expected", [
    ("分别高4.2和0.7个百分点", [("4.2", 4.2, "百分点"), ("0.7个百分点", 0.7, "百分点")]),
    ("7651所学校受益", [("7651所", 7651, "所")]),
    ("涉及５３００多个税目", [("５３００多个", 5300, "个")]),
    ("离１９９９年１２月２０日", [("１９９９年１２月２０日", 1999, "年")]),
    ("1 9 9 7 年钢产量达到1 亿吨以上", [("1 9 9 7 年", 1997, "年"), ("1 亿吨以上", 1e8, "吨")]),
    ("零售总额实际增长1 0 ．3 ％", [("1 0 ．3 ％", 10.3, "%")]),
    ("收入为１４，３２８，１４４，０００元", [("１４，３２８，１４４，０００元", 14_328_144_000, "元")]),
    ("低保标准提高到740元/月", [("740元/月", 740, "元/月")]),
    ("PM2.5浓度12微克/立方米", [("12微克/立方米", 12, "微克/立方米")]),
    ("占全国1/3", [("1/3", 1 / 3, "")]),
    ("获得第1、2名", []),
    ("斩获12金8银4铜", [("12金", 12, "金"), ("8银", 8, "银"), ("4铜", 4, "铜")]),
])
def test_lists_and_layouts(text, expected):
    rows = extract_facts(text)
    assert [(r["text"], r["unit"]) for r in rows] == [(t, u) for t, _, u in expected]
    assert [r["value"] for r in rows] == [pytest.approx(v) for _, v, _ in expected]


def test_stray_list_number_before_a_duration():
    """1兩年來 in seed-4: the 1 is a list number, 两年 is the fact."""
    assert [r["text"] for r in extract_facts("1兩年來,我們")] == ["兩年"]


def test_decimal_is_not_a_list_number():
    assert [r["text"] for r in extract_facts("慰问金3.8萬元,占12.92%")] == ["3.8萬元", "12.92%"]


def test_year_like_head_count():
    row = only("在校小學生2011人")
    assert (row["value"], row["unit"], row["kind"]) == (2011, "人", "count")


def test_one_in_a_parallel_list_is_a_count():
    rows = extract_facts("每个区县建设五人制足球场地10片、七人制2片、标准足球场地一片")
    assert [r["text"] for r in rows] == ["10片", "2片", "一片"]
    assert extract_facts("建设一片绿地") == []


def test_formula_spans():
    text = "深入开展“三个离不开”教育，落实五个一批"
    spans = [text[s:e] for s, e in formula_spans(text, default_lexicon())]
    assert "三个离不开" in spans and "五个一批" in spans


# ---- formulas come from the lexicon in use --------------------------------------------------

SIX_MUSTS = "坚持六个必须，完成3个项目。"


@pytest.fixture
def six_musts_lexicon(tmp_path):
    path = tmp_path / "user.tsv"
    path.write_text("canonical\tcategory\tvariants\n六个必须\tnumbered_formula\t\n", encoding="utf-8")
    return Lexicon.load([path])


def test_a_user_formula_is_not_a_fact(six_musts_lexicon):
    assert [r["text"] for r in extract_facts(SIX_MUSTS)] == ["六个", "3个"]  # not in the shipped lexicon
    assert [r["text"] for r in extract_facts(SIX_MUSTS, lexicon=six_musts_lexicon)] == ["3个"]


def test_facts_and_fact_rows_take_the_lexicon(six_musts_lexicon):
    docs = pd.DataFrame({"doc_id": ["a", "b"], "text": [SIX_MUSTS, "堅持六個必須"]})
    assert facts(docs)["text"].tolist() == ["六个", "3个", "六個"]
    assert facts(docs, lexicon=six_musts_lexicon)["text"].tolist() == ["3个"]
    rows = list(fact_rows(convert(SIX_MUSTS), "a", None, six_musts_lexicon))
    assert [r[3] for r in rows] == ["3个"]


def test_without_the_shipped_lexicon_its_formulas_are_counted():
    bare = Lexicon.load(include_default=False)
    assert [r["text"] for r in extract_facts("落实两个确立，两个维护")] == []
    assert [r["text"] for r in extract_facts("落实两个确立，两个维护", lexicon=bare)] == ["两个", "两个"]
    assert [r["text"] for r in extract_facts("途经三门峡", lexicon=bare)] == []  # numeral_names.txt still holds


@pytest.mark.parametrize("text", ["坚持一个中心、两个基本点", "坚持一个中心，两个基本点", "坚持一个中心,两个基本点"])
def test_formulas_match_across_punctuation_variants_as_terms_do(text):
    assert default_lexicon().find(text)[0][2] == "一个中心、两个基本点"
    assert extract_facts(text) == []


def test_the_formula_pattern_is_built_once_per_lexicon_content(six_musts_lexicon):
    shipped = default_lexicon()
    assert formula_re(shipped) is formula_re(pickle.loads(pickle.dumps(shipped)))  # a worker's copy
    assert formula_re(six_musts_lexicon) is not formula_re(shipped)
    assert "六个必须" in numeral_surfaces(six_musts_lexicon) and "六个必须" not in numeral_surfaces(shipped)
    assert "五个一批" in numeral_surfaces(shipped) and "乡村振兴" not in numeral_surfaces(shipped)


# ---- subject, base, change -------------------------------------------------------------------

@pytest.mark.parametrize("text, span, subject", [
    ("现有干部职工738人", "738人", "干部职工"),
    ("森林覆盖率53.2%,素有美誉", "53.2%", "森林覆盖率"),
    ("城镇新增就业48.81万人", "48.81万人", "城镇新增就业"),
    ("全镇有9个医疗机构,医务人员99人", "9个", "医疗机构"),
    ("全镇有9个医疗机构,医务人员99人", "99人", "医务人员"),
    ("水资源的丰富使我镇建成了5座中小型水电站", "5座", "中小型水电站"),
    ("2024年地区生产总值达13.7万亿元、增长5.8%", "5.8%", "地区生产总值"),
    ("规上工业增加值增长7.7％", "7.7％", "规上工业增加值"),
])
def test_subject(text, span, subject):
    row = next(r for r in extract_facts(text) if r["text"] == span)
    assert row["subject"] == subject


@pytest.mark.parametrize("text, span, qualifier, qualifier_text", [
    ("节约1000万元", "1000万元", "exact", ""),
    ("最近3年", "3年", "exact", ""),
    ("近5年累计", "5年", "exact", ""),
    ("普通高中录取率近70%", "近70%", "approx", "近"),
    ("签约达100亿元", "100亿元", "exact", ""),
    ("总投资约为100万元", "100万元", "approx", "约"),
    ("服务业贡献率接近60%", "接近60%", "approx", "接近"),
    ("经济总量不足百亿元", "不足百亿元", "less_than", "不足"),
    ("集装箱吞吐量突破1000万标准箱", "突破1000万标准箱", "more_than", "突破"),
    ("至少1所薄弱医院", "至少1所", "more_than", "至少"),
    ("3岁以下婴幼儿", "3岁以下", "less_than", "以下"),
    ("经济总量跨越3000亿元", "跨越3000亿元", "more_than", "跨越"),
])
def test_qualifiers(text, span, qualifier, qualifier_text):
    row = only(text)
    assert (row["text"], row["qualifier"], row["qualifier_text"]) == (span, qualifier, qualifier_text)


def test_share_base_and_separated_qualifier():
    rows = extract_facts("其中少數民族員工68人,約占公司員工總數的9%。")
    share = rows[-1]
    assert (share["text"], share["qualifier"], share["qualifier_text"]) == ("9%", "approx", "約")
    assert (share["subject"], share["base"]) == ("少数民族员工", "公司员工总数")


@pytest.mark.parametrize("text, change", [
    ("一般公共预算收入增长5.2%", "increase"),
    ("居民消费价格下降3.6%", "decrease"),
    ("研发投入强度提高0.1个百分点", "increase"),
    ("比上年增加3万人", "increase"),
    ("单位能耗降低2.5%", "decrease"),
    ("提高到100个", ""),
    ("森林覆盖率53.2%", ""),
    ("城镇新增就业48.81万人", ""),
])
def test_change(text, change):
    assert only(text)["change"] == change


# ---- government work reports: subjects, lists, units (regression rows) -----------------------

def _row(text: str, span: str) -> dict:
    return next(r for r in extract_facts(text) if r["text"] == span)


@pytest.mark.parametrize("text, span, subject", [
    # a quoted name belongs to the subject, before or after the number
    ("全球“灯塔工厂”3家、国家级智能制造示范工厂14家。", "3家", "全球“灯塔工厂”"),
    ("积极争取国债资金支持，216个“两重”项目全部开工建设。", "216个", "“两重”项目"),
    ("接续出台稳增长“18条”。", "18条", "接续出台稳增长"),
    # a date inside the clause does not end it (由一九七八年的…)
    ("积累率由一九七八年的百分之三十六点五调整到百分之二十九。", "百分之三十六点五", "积累率"),
    ("积累率由一九七八年的百分之三十六点五调整到百分之二十九。", "百分之二十九", "积累率"),
    ("农业所占比重由一九七八年的百分之二十七点八提高到一九八二年的百分之三十三点六。", "百分之三十三点六", "农业所占比重"),
    ("城镇居民人均可支配收入由2002年7703元增加到2007年13786元。", "13786元", "城镇居民人均可支配收入"),
    # full-width years and comparisons are not the metric
    ("１９５５年全国工业总产值比１９５４年增长８％。", "８％", "工业总产值"),
    ("赤字规模4.06万亿元，比上年年初预算增加1800亿元。", "1800亿元", "赤字规模"),
    ("全国工农业总产值达到八千二百九十一亿元，平均每年增长百分之七点三。", "百分之七点三", "工农业总产值"),
    # durations keep the running metric and a verb after them is not a subject
    ("粮食总产量1344亿斤，连续8年稳定在1300亿斤以上。", "8年", "粮食总产量"),
    ("粮食总产量1344亿斤，连续8年稳定在1300亿斤以上。", "1300亿斤以上", "粮食总产量"),
    ("耕地面积连续4年净增累计超过170万亩。", "超过170万亩", "耕地面积"),
    # money after 的 names the noun that follows
    ("用足用好国家下达的90亿元消费品以旧换新资金。", "90亿元", "消费品以旧换新资金"),
    # a list of subjects before a single number stays whole
    ("原煤、原油产量达到100万吨。", "100万吨", "原煤、原油产量"),
    ("首批103个重点项目加快推进、总投资350亿元。", "350亿元", "总投资"),
    # misc: 年度 is a noun, circled list numbers and trailing verbs go
    ("30件年度民生实事全面完成。", "30件", "年度民生实事"),
    ("⑥建成农村寄递物流综合服务站1.9万个。", "1.9万个", "建成农村寄递物流综合服务站"),
    ("86个重大项目已开工74个。", "86个", "重大项目"),
    ("4家国家区域医疗中心全面开工。", "4家", "国家区域医疗中心"),
    ("实现所有乡镇和90%以上行政村通硬化路。", "90%以上", "行政村通硬化路"),
    ("川渝通办事项扩展至355项。", "355项", "川渝通办事项"),
    # comparison words and leading verbs are not part of the metric
    ("一般公共预算收入完成3200亿元，同口径增长4.1%。", "4.1%", "一般公共预算收入"),
    ("全年居民消费价格上涨0.3%。", "0.3%", "居民消费价格"),
    ("全省实现地区生产总值5.2万亿元、增长5.5%。", "5.5%", "地区生产总值"),
    ("预计全年完成投资1.2万亿元，增长6%左右。", "6%左右", "投资"),
    ("投资完成率129.6%。", "129.6%", "投资完成率"),
    # a figure-free clause before names the metric (糖的产量，比上一年增加…)
    ("糖的产量，比上一年增加十七万三千吨，增长百分之二十点六。", "十七万三千吨", "糖的产量"),
    ("糖的产量，比上一年增加十七万三千吨，增长百分之二十点六。", "百分之二十点六", "糖的产量"),
    # adverbials of price basis and thresholds after the figure are not the metric
    ("国内生产总值达到43800亿元，按可比价格计算，比上年增长11.8%。", "11.8%", "国内生产总值"),
    ("农村居民人均纯收入达到1220元，扣除物价因素比上年增长5%。", "5%", "农村居民人均纯收入"),
    ("全疆地区生产总值同比增长6.1%、突破2万亿元大关。", "突破2万亿元", "地区生产总值"),
    ("投资增长幅度由上年的58.6%回落到27.8%。", "27.8%", "投资增长幅度"),
    ("统筹用好中央149.2亿元乡村振兴补助资金。", "149.2亿元", "乡村振兴补助资金"),
    # enumerators (八是), 有序/共建 and compound verbs (压降) stay whole or go whole
    ("八是推动粮食作物完全成本保险覆盖率达到60%以上。", "60%以上", "推动粮食作物完全成本保险覆盖率"),
    ("融资平台压降94户、下降35.9%。", "35.9%", "融资平台"),
    ("有序推进第二轮土地承包到期后再延长30年试点。", "30年", "有序推进第二轮土地承包到期后再延长"),
    ("共建产业园区115个。", "115个", "共建产业园区"),
    # 实际增长: 实际 is an adverb; after a change verb a noun after the figure is what changed
    ("全国居民人均可支配收入实际增长8%。", "8%", "居民人均可支配收入"),
    ("本届政府减少1/3行政审批事项的目标提前实现。", "1/3", "行政审批事项"),
    ("赤字率拟按3%安排。", "3%", "赤字率"),
    # a verb phrase running into the next figure is not the subject
    ("涉农贷款余额从2007年末的6.12万亿元增加到2012年末的17.63万亿元。", "6.12万亿元", "涉农贷款余额"),
    ("涉农贷款余额从2007年末的6.12万亿元增加到2012年末的17.63万亿元。", "17.63万亿元", "涉农贷款余额"),
    ("水泥四百七十三万吨，等于一九四九年的七点二倍。", "七点二倍", "水泥"),
    ("60岁以上老年人平均每年新增1000万人。", "60岁以上", "老年人平均每年新增"),
    ("力争开发区亩均工业增加值增长10%左右。", "10%左右", "开发区亩均工业增加值"),
    ("国家财政用于科技的投入累计2500亿元，比前五年增长一倍多。", "一倍多", "国家财政用于科技的投入"),
    ("并同近两年平均经济增速以及规划目标相衔接。", "两年", "平均经济增速"),
    ("全年人均增加1680元。", "1680元", "人均"),
    ("一、过去一年和五年工作回顾", "一年", "过去"),
    # N%的X: a share of X, unless X describes the rate itself (的速度)
    ("公共服务扩面提质，86%的县建成紧密型医共体。", "86%", "县"),
    ("全国农业总产值仍以每年平均递增7.5%的速度前进。", "7.5%", "农业总产值"),
    # a clause without figures before a duration is not its subject
    ("落实最严格水资源管理制度，连续3年在国务院考核中获优秀。", "3年", ""),
    # counts of places name the places before them
    ("卓尼、临潭2县新通高速公路。", "2县", "卓尼、临潭"),
    # a date followed by the metric and its figure: the metric, not the figure
    ("一九八二年全国工农业总产值达到八千二百九十一亿元。", "一九八二年", "工农业总产值"),
    # a note in brackets inside the metric is left out
    ("天然气（页岩气）产量562亿立方米。", "562亿立方米", "天然气产量"),
    # a comparison phrase (比…决算数) is not the metric: the one named before is
    ("各项税收为９，９７０，０００，０００元，比１９５５年决算数增长１４．２６％。", "１４．２６％", "各项税收"),
    # a dimension word before a length: the thing measured follows 的
    ("长达4000公里的西气东输管道建成投运。", "4000公里", "西气东输管道"),
    # two counts written together share the noun after them
    ("12类55件民生实事完成。", "12类", "民生实事"),
    # 占比 names the metric, it is not a share of a named whole
    ("产业项目占比超过60％。", "超过60％", "产业项目占比"),
    # a bare head (总量, 总产) after a figure of the same metric takes that metric
    ("国内生产总值增长6.6%，总量突破90万亿元。", "突破90万亿元", "国内生产总值总量"),
    ("粮食增产42.2亿斤，总产466亿斤。", "466亿斤", "粮食总产"),
    # but not after a figure of another unit (播种面积 is not what 总产 measures)
    ("粮食播种面积1570.5万亩、总产130亿斤。", "130亿斤", "总产"),
])
def test_report_subjects(text, span, subject):
    assert _row(text, span)["subject"] == subject


@pytest.mark.parametrize("text, subjects", [
    ("原煤、原油、天然气产量达到6640.8万吨、1253.6万吨、9.1亿立方米，分别增长9.3%、7.3%、21.2%。",
     ["原煤", "原油", "天然气产量"] * 2),
    ("家电、新能源汽车零售额分别增长23.9%、35.8%。", ["家电", "新能源汽车零售额"]),
    ("交通、能源、水利分别完成投资3252亿元、2140亿元、748亿元。", ["交通", "能源", "水利"]),
    ("战略性新兴产业、高技术产业增加值分别增长7%和4.9%。", ["战略性新兴产业", "高技术产业增加值"]),
    ("城乡居民人均可支配收入分别增长4.3%、6.1%。", ["城乡居民人均可支配收入"] * 2),
    ("接待游客2.73亿人次、实现收入4140亿元，增长18.6%和23.4%。", ["接待游客", "收入"] * 2),
    # 分别 opening a clause pairs the figures with those of the clauses before
    ("城镇居民收入9422元，农村居民收入2936元，分别增长7.7%和6.8%。", ["城镇居民收入", "农村居民收入"] * 2),
])
def test_parallel_lists_pair_subjects_with_numbers(text, subjects):
    assert [r["subject"] for r in extract_facts(text)] == subjects


@pytest.mark.parametrize("text, changes", [
    ("地区生产总值同比增长6.1%、突破2万亿元大关。", ["increase", ""]),  # 突破: a level, not a second change
    ("经营主体净增98万户、突破1900万户。", ["increase", ""]),
    ("分别净减少10.6万、3.8万、3.3万平方公里。", ["decrease"] * 3),
    ("粮食总产量4445亿公斤，比上年减产120亿公斤。", ["", "decrease"]),
    ("粮食产量1.37万亿斤，增产74亿斤。", ["", "increase"]),
    ("带动群众增收8.5亿元。", ["increase"]),
])
def test_report_changes(text, changes):
    assert [r["change"] for r in extract_facts(text)] == changes


def test_date_before_a_figure_takes_the_metric_not_the_figure():
    rows = extract_facts("积累率由一九七八年的百分之三十六点五调整到百分之二十九。")
    assert (rows[0]["text"], rows[0]["subject"]) == ("一九七八年", "积累率")


@pytest.mark.parametrize("text, span, value, unit, kind", [
    ("棉花产量达到３，０３６万担。", "３，０３６万担", 30_360_000, "担", "measure"),
    ("完成土方１４亿多公方。", "１４亿多公方", 1.4e9, "立方米", "measure"),
    ("水库蓄水三十八亿立方公尺以上。", "三十八亿立方公尺以上", 3.8e9, "立方米", "measure"),
    ("货运量一千二百一十亿吨公里。", "一千二百一十亿吨公里", 1.21e11, "吨公里", "measure"),
    ("发电量４４５５亿千瓦小时。", "４４５５亿千瓦小时", 4.455e11, "千瓦时", "measure"),
    ("解决了9748万农村人口饮水困难。", "9748万", 97_480_000, "人", "count"),
    ("6600多万纳税人受益。", "6600多万", 66_000_000, "人", "count"),
    ("78万农牧户发展庭院经济。", "78万", 780_000, "户", "count"),
    ("分别高于全省2.2个和3.7个百分点。", "2.2个", 2.2, "百分点", "percent"),
    ("分别高于全省2.2个和3.7个百分点。", "3.7个百分点", 3.7, "百分点", "percent"),
    ("电话交换机近1900万门。", "近1900万门", 19_000_000, "门", "count"),
    ("比前五年增长一倍多。", "一倍多", 1, "倍", "ratio"),
    ("卓尼、临潭2县新通高速公路。", "2县", 2, "县", "count"),
    ("打造8市州多业态融合。", "8市州", 8, "市州", "count"),
    ("为358万居家老年人提供服务。", "358万", 3_580_000, "人", "count"),
    ("港口吞吐量达到350万标箱。", "350万标箱", 3_500_000, "标准箱", "measure"),
])
def test_report_units(text, span, value, unit, kind):
    row = _row(text, span)
    assert (row["value"], row["unit"], row["kind"]) == (pytest.approx(value), unit, kind)


@pytest.mark.parametrize("text", [
    "城区“15分钟健身圈”基本建成。",
    "实施“2小时重庆”交通圈补短板工程。",
    "实施第三轮爱国卫生“7个专项行动”。",
    "推动“3个70%”等举措精准落地。",
])
def test_quoted_names_with_numbers_are_not_facts(text):
    assert extract_facts(text) == []


def test_list_number_before_a_count_at_a_line_start():
    rows = extract_facts("7.“两新”：是指设备更新。\n8.6个重大科技专项：聚焦重点领域")
    assert [(r["text"], r["value"], r["unit"]) for r in rows] == [("6个", 6, "个")]
    assert [r["value"] for r in extract_facts("共有8.6个")] == [8.6]  # not at a line start: left as written


def test_a_quoted_count_alone_is_still_a_fact():
    assert [r["text"] for r in extract_facts("出台“33条”增量政策。")] == ["33条"]


@pytest.mark.parametrize("text, span, unit", [
    ("PM2.5年均浓度降至38微克／立方米以下。", "38微克／立方米以下", "微克/立方米"),
    ("年均浓度为每立方米20微克。", "20微克", "微克"),
])
def test_concentration_units(text, span, unit):
    assert (_row(text, span)["unit"]) == unit


def test_unit_words_that_are_not_units():
    assert [r["text"] for r in extract_facts("承担3项任务，担任组长。")] == ["3项"]


# ---- offsets, columns, frames ----------------------------------------------------------------

def test_offsets_index_the_original_traditional_text():
    text = "全鎮總戶數9762戶,總人口31844人。"
    rows = extract_facts(text, doc_id="d")
    assert [(r["start"], r["end"], r["text"]) for r in rows] == [(5, 10, "9762戶"), (14, 20, "31844人")]
    assert all(text[r["start"]:r["end"]] == r["text"] for r in rows)
    assert rows[0]["sentence"] == text and rows[0]["doc_id"] == "d"
    assert set(rows[0]) == set(FACT_COLUMNS)


def test_facts_frame_has_the_schema_even_when_empty():
    empty = facts(pd.DataFrame({"doc_id": ["a"], "text": ["没有数字的句子"]}))
    assert list(empty.columns) == FACT_COLUMNS and empty.empty
    frame = facts(pd.DataFrame({"doc_id": ["a", "b"], "text": ["增长5.2%", "2024年完成3个项目"]}))
    assert list(frame.columns) == FACT_COLUMNS
    assert frame["doc_id"].tolist() == ["a", "b", "b"]
    assert frame["value_max"].isna().all()


def test_summary_line():
    frame = facts(pd.DataFrame({"doc_id": ["b"], "text": ["2024年完成3个项目,增长5%、6%"]}))
    assert summary_line(frame) == "4 facts in 1 documents: 1 count, 2 percent, 1 date"
    assert summary_line(frame.iloc[:0]) == "0 facts in 0 documents"


def test_kinds_filter():
    frame = facts(pd.DataFrame({"doc_id": ["b"], "text": ["2024年完成3个项目,增长5%"]}), kinds=["percent"])
    assert frame["text"].tolist() == ["5%"]


def test_unknown_kind_is_a_clear_error():
    with pytest.raises(InputError, match="choose from count, money"):
        extract_facts("增长5%", kinds=["percentage"])


def test_missing_text_gives_no_rows():
    assert extract_facts("") == [] and extract_facts(None) == []


# ---- the seed gold, scored by the reference scorer --------------------------------------------

def _predict_seed(seed_text, path):
    docs = [json.loads(line) for line in (GOLD / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    with path.open("w", encoding="utf-8") as fh:
        for d in docs:
            for row in extract_facts(seed_text[d["start"]:d["end"]], doc_id=d["doc_id"]):
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return docs


def test_seed_gold_scores_above_the_floors(seed_text, tmp_path):
    pred = tmp_path / "pred.jsonl"
    _predict_seed(seed_text, pred)
    out = subprocess.run([sys.executable, str(DATA / "score_facts.py"), str(GOLD / "facts.jsonl"), str(pred),
                          "--docs", str(GOLD / "documents.jsonl")], capture_output=True, text=True, check=True)
    scores = dict(re.findall(r"(\w+)=([0-9.]+|nan)", out.stdout.strip().splitlines()[-1]))
    for name, floor in FLOORS.items():
        assert float(scores[name]) >= floor, out.stdout


def test_no_prediction_overlaps_a_not_fact(seed_text, tmp_path):
    pred = tmp_path / "pred.jsonl"
    docs = {d["doc_id"]: d["start"] for d in _predict_seed(seed_text, pred)}
    rows = [json.loads(line) for line in pred.read_text(encoding="utf-8").splitlines()]
    bad = []
    for line in (GOLD / "not_facts.jsonl").read_text(encoding="utf-8").splitlines():
        nf = json.loads(line)
        start, end = nf["start"] - docs[nf["doc_id"]], nf["end"] - docs[nf["doc_id"]]
        bad += [(nf["category"], nf["text"], r["text"]) for r in rows
                if r["doc_id"] == nf["doc_id"] and r["start"] < end and r["end"] > start]
    assert bad == []


# ---- robustness ---------------------------------------------------------------------------------

NUMERALISH = "0123456789０１２３４５６７８９.,，%％∶:-—至到一二两三四五六七八九十百千万亿零〇壹贰萬億点年月日个人元亩吨多余约近超以上下左右占的第每“”、。\n "
soup = st.text(alphabet=NUMERALISH, max_size=300)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=300), soup))
def test_no_exception_on_arbitrary_text(text):
    rows = extract_facts(text)
    for r in rows:
        assert 0 <= r["start"] < r["end"] <= len(text)
        assert text[r["start"]:r["end"]] == r["text"]
        assert r["kind"] in ("count", "money", "percent", "measure", "date", "ratio", "other")


@settings(max_examples=20, deadline=None)
@given(st.text(alphabet="0123456789", min_size=1, max_size=5000))
def test_long_digit_runs(text):
    extract_facts(text + "万元")


def _best_time(text, repeat=5):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        extract_facts(text)
        best = min(best, time.perf_counter() - t)
    return best


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=NUMERALISH, min_size=2000, max_size=2000))
def test_time_is_linear_in_the_input(chunk):
    small, large = chunk * 10, chunk * 80  # n and 8n characters (n ~ 20,000: a pause cannot dominate)
    ratio = _best_time(large) / max(_best_time(small), 1e-4)
    assert ratio < 8 * 4, ratio  # linear with generous slack; quadratic would be ~64


@pytest.mark.parametrize("soup_text", ["1" * 100_000, "一" * 100_000, "1." * 50_000, "5%-" * 30_000,
                                       "年" * 100_000, "万" * 100_000, "1,000" * 20_000])
def test_pathological_inputs_finish_quickly(soup_text):
    t = time.perf_counter()
    extract_facts(soup_text)
    assert time.perf_counter() - t < 60  # a generous bound: quadratic work on 100,000 characters takes minutes
