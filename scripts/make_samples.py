"""Write the sample sheets of docs/samples: a made-up company, 星辰智造科技有限公司, to try the imports with.

- departments-zh.xlsx: its 13 departments (编码, 名称, 上级编码), a tree three levels deep, their codes starting with
  XC- so that they can join an organization that has departments already (the demo company's HQ, SALES, …);
- employees-zh.xlsx: its 50 people (工号, 姓名, 邮箱, 部门编码, 上级工号, 职位, 在职), one chain of managers from the
  CEO down, two of them gone (在职 = 离职);
- department-heads-zh.csv: who heads each department (编码, 负责人工号), as Excel saves "CSV UTF-8" (with a BOM).

Import them in that order: departments first (employees name their department's code), then employees, then the
heads (a head is an employee, so only now can they be named; the file has no 名称 column, and a column a file leaves
out stays as it is). The files are the same bytes every run, so a change to them is a change to this script.

Usage:
    python scripts/make_samples.py            # writes docs/samples/
    python scripts/make_samples.py --out DIR
"""

import argparse
import csv
import io
from datetime import datetime
from pathlib import Path

import xlsxwriter  # type: ignore[import-untyped]

SAMPLES = Path(__file__).resolve().parent.parent / "docs" / "samples"
DOMAIN = "xingchen.example.com"
# A fixed creation time, so each run writes the same bytes.
CREATED = datetime(2026, 1, 5, 9, 0, 0)

# 编码, 名称, 上级编码, 负责人工号
DEPARTMENTS = [
    ("XC-HQ", "总经办", "", "XC001"),
    ("XC-RD", "研发中心", "XC-HQ", "XC002"),
    ("XC-RD-PLAT", "平台研发部", "XC-RD", "XC006"),
    ("XC-RD-APP", "应用研发部", "XC-RD", "XC011"),
    ("XC-RD-QA", "测试部", "XC-RD", "XC016"),
    ("XC-SALES", "销售中心", "XC-HQ", "XC003"),
    ("XC-SALES-E", "华东销售部", "XC-SALES", "XC020"),
    ("XC-SALES-S", "华南销售部", "XC-SALES", "XC026"),
    ("XC-MKT", "市场部", "XC-HQ", "XC031"),
    ("XC-HR", "人力资源部", "XC-HQ", "XC035"),
    ("XC-FIN", "财务部", "XC-HQ", "XC039"),
    ("XC-MFG", "生产中心", "XC-HQ", "XC004"),
    ("XC-MFG-QC", "质量管理部", "XC-MFG", "XC047"),
]

# 工号, 姓名, 邮箱的名字部分, 部门编码, 上级工号, 职位, 在职
EMPLOYEES = [
    ("XC001", "陈建国", "chen.jianguo", "XC-HQ", "", "总经理", "在职"),
    ("XC002", "林晓峰", "lin.xiaofeng", "XC-RD", "XC001", "研发副总裁", "在职"),
    ("XC003", "王丽华", "wang.lihua", "XC-SALES", "XC001", "销售副总裁", "在职"),
    ("XC004", "赵志强", "zhao.zhiqiang", "XC-MFG", "XC001", "生产总监", "在职"),
    ("XC005", "孙悦", "sun.yue", "XC-HQ", "XC001", "总经理助理", "在职"),
    ("XC006", "周文博", "zhou.wenbo", "XC-RD-PLAT", "XC002", "平台研发经理", "在职"),
    ("XC007", "吴浩然", "wu.haoran", "XC-RD-PLAT", "XC006", "高级后端工程师", "在职"),
    ("XC008", "郑雨桐", "zheng.yutong", "XC-RD-PLAT", "XC006", "后端工程师", "在职"),
    ("XC009", "冯子轩", "feng.zixuan", "XC-RD-PLAT", "XC006", "运维工程师", "在职"),
    ("XC010", "何静怡", "he.jingyi", "XC-RD-PLAT", "XC006", "数据工程师", "离职"),
    ("XC011", "许明杰", "xu.mingjie", "XC-RD-APP", "XC002", "应用研发经理", "在职"),
    ("XC012", "韩梦瑶", "han.mengyao", "XC-RD-APP", "XC011", "前端工程师", "在职"),
    ("XC013", "曹宇航", "cao.yuhang", "XC-RD-APP", "XC011", "移动端工程师", "在职"),
    ("XC014", "邓思远", "deng.siyuan", "XC-RD-APP", "XC011", "产品经理", "在职"),
    ("XC015", "彭可欣", "peng.kexin", "XC-RD-APP", "XC011", "交互设计师", "在职"),
    ("XC016", "蒋立伟", "jiang.liwei", "XC-RD-QA", "XC002", "测试经理", "在职"),
    ("XC017", "沈佳琪", "shen.jiaqi", "XC-RD-QA", "XC016", "测试工程师", "在职"),
    ("XC018", "杜俊杰", "du.junjie", "XC-RD-QA", "XC016", "自动化测试工程师", "在职"),
    ("XC019", "谢婉清", "xie.wanqing", "XC-RD-QA", "XC016", "测试工程师", "在职"),
    ("XC020", "刘海涛", "liu.haitao", "XC-SALES-E", "XC003", "华东区销售经理", "在职"),
    ("XC021", "杨雪梅", "yang.xuemei", "XC-SALES-E", "XC020", "大客户经理", "在职"),
    ("XC022", "黄家豪", "huang.jiahao", "XC-SALES-E", "XC020", "销售代表", "在职"),
    ("XC023", "朱晨曦", "zhu.chenxi", "XC-SALES-E", "XC020", "销售代表", "在职"),
    ("XC024", "马俊", "ma.jun", "XC-SALES-E", "XC020", "销售代表", "离职"),
    ("XC025", "胡晓燕", "hu.xiaoyan", "XC-SALES-E", "XC020", "销售助理", "在职"),
    ("XC026", "郭伟", "guo.wei", "XC-SALES-S", "XC003", "华南区销售经理", "在职"),
    ("XC027", "罗嘉欣", "luo.jiaxin", "XC-SALES-S", "XC026", "大客户经理", "在职"),
    ("XC028", "梁志明", "liang.zhiming", "XC-SALES-S", "XC026", "销售代表", "在职"),
    ("XC029", "宋雨萱", "song.yuxuan", "XC-SALES-S", "XC026", "销售代表", "在职"),
    ("XC030", "唐子豪", "tang.zihao", "XC-SALES-S", "XC026", "渠道经理", "在职"),
    ("XC031", "董欣怡", "dong.xinyi", "XC-MKT", "XC003", "市场总监", "在职"),
    ("XC032", "袁博文", "yuan.bowen", "XC-MKT", "XC031", "品牌经理", "在职"),
    ("XC033", "潘诗涵", "pan.shihan", "XC-MKT", "XC031", "新媒体运营", "在职"),
    ("XC034", "于浩宇", "yu.haoyu", "XC-MKT", "XC031", "市场专员", "在职"),
    ("XC035", "叶淑芬", "ye.shufen", "XC-HR", "XC001", "人力资源总监", "在职"),
    ("XC036", "苏俊熙", "su.junxi", "XC-HR", "XC035", "招聘经理", "在职"),
    ("XC037", "程雅琴", "cheng.yaqin", "XC-HR", "XC035", "绩效薪酬专员", "在职"),
    ("XC038", "魏天宇", "wei.tianyu", "XC-HR", "XC035", "培训专员", "在职"),
    ("XC039", "吕秀英", "lv.xiuying", "XC-FIN", "XC001", "财务总监", "在职"),
    ("XC040", "丁振华", "ding.zhenhua", "XC-FIN", "XC039", "会计主管", "在职"),
    ("XC041", "任思琪", "ren.siqi", "XC-FIN", "XC040", "会计", "在职"),
    ("XC042", "姚明轩", "yao.mingxuan", "XC-FIN", "XC040", "出纳", "在职"),
    ("XC043", "卢国庆", "lu.guoqing", "XC-MFG", "XC004", "车间主任", "在职"),
    ("XC044", "姜春生", "jiang.chunsheng", "XC-MFG", "XC043", "生产班组长", "在职"),
    ("XC045", "崔建军", "cui.jianjun", "XC-MFG", "XC044", "设备工程师", "在职"),
    ("XC046", "钟秀兰", "zhong.xiulan", "XC-MFG", "XC043", "计划调度员", "在职"),
    ("XC047", "谭永刚", "tan.yonggang", "XC-MFG-QC", "XC004", "质量经理", "在职"),
    ("XC048", "陆佳慧", "lu.jiahui", "XC-MFG-QC", "XC047", "质检工程师", "在职"),
    ("XC049", "范文静", "fan.wenjing", "XC-MFG-QC", "XC047", "质检员", "在职"),
    ("XC050", "石磊", "shi.lei", "XC-MFG-QC", "XC047", "体系工程师", "在职"),
]


def _xlsx(path: Path, sheet_name: str, rows: list[tuple[str, ...]]) -> None:
    workbook = xlsxwriter.Workbook(str(path))
    workbook.set_properties({"title": sheet_name, "author": "KPR service samples", "created": CREATED})
    sheet = workbook.add_worksheet(sheet_name)
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    # Ids and codes as text, so Excel keeps them exactly as written.
    text = workbook.add_format({"num_format": "@"})
    sheet.write_row(0, 0, rows[0], header)
    for index, row in enumerate(rows[1:], start=1):
        sheet.write_row(index, 0, row, text)
    for column in range(len(rows[0])):
        width = max(len(str(row[column])) for row in rows) * 2 + 2
        sheet.set_column(column, column, min(width, 40))
    sheet.freeze_panes(1, 0)
    workbook.close()


def _csv(path: Path, rows: list[tuple[str, ...]]) -> None:
    text = io.StringIO(newline="")
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    path.write_bytes(text.getvalue().encode("utf-8-sig"))


def check() -> None:
    """The samples are what they say: unique keys, known references, a manager chain and a tree without loops."""
    codes = [code for code, *_ in DEPARTMENTS]
    ids = [row[0] for row in EMPLOYEES]
    problems = []
    if len(set(codes)) != len(codes) or len(set(ids)) != len(ids) or len(ids) != 50:
        problems.append("a code or an id twice, or not 50 people")
    problems += [f"unknown parent {parent}" for _, _, parent, _ in DEPARTMENTS if parent and parent not in codes]
    problems += [f"unknown head {head}" for *_, head in DEPARTMENTS if head not in ids]
    for key, _, _, department, manager, _, _ in EMPLOYEES:
        if department not in codes or (manager and manager not in ids):
            problems.append(f"{key}: unknown department or manager")
    parents = {code: parent for code, _, parent, _ in DEPARTMENTS} | {row[0]: row[4] for row in EMPLOYEES}
    for start in parents:
        seen, node = set(), start
        while node and node not in seen:
            seen.add(node)
            node = parents[node]
        if node:
            problems.append(f"a loop through {node}")
    if problems:
        raise SystemExit("the sample data is wrong: " + "; ".join(problems))


def write(out: Path) -> list[Path]:
    check()
    out.mkdir(parents=True, exist_ok=True)
    departments = [("编码", "名称", "上级编码"), *[(code, name, parent) for code, name, parent, _ in DEPARTMENTS]]
    employees = [
        ("工号", "姓名", "邮箱", "部门编码", "上级工号", "职位", "在职"),
        *[
            (i, name, f"{mail}@{DOMAIN}", dept, manager, title, active)
            for i, name, mail, dept, manager, title, active in EMPLOYEES
        ],
    ]
    heads = [("编码", "负责人工号"), *[(code, head) for code, _, _, head in DEPARTMENTS]]
    paths = [out / "departments-zh.xlsx", out / "employees-zh.xlsx", out / "department-heads-zh.csv"]
    _xlsx(paths[0], "部门", departments)
    _xlsx(paths[1], "员工", employees)
    _csv(paths[2], heads)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=SAMPLES, help="the folder to write to (default: docs/samples)")
    for path in write(parser.parse_args().out):
        print(path)


if __name__ == "__main__":
    main()
