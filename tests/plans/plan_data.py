"""A small plan file for the tests (see the comment on :data:`PLAN`)."""

#: A small plan: a baseline and a line, an at_most target, a target without baseline,
#: a bound satisfaction index with its own goal (90) and a binding not computed yet.
PLAN = """\
id: test-plan
name: {zh: 测试方案, en: Test plan}
document: 测试文件
issued: 2023-01-15
indicators:
  - id: beds
    name: {zh: 养老床位, en: Elderly-care beds}
    unit: 张
    direction: at_least
    baseline: {value: 60, date: 2022-12-31}
    target: {value: 80, deadline: 2024-12-31}
    bureau: 市民政局
    source: {clause: 二（一）}
  - id: waiting-days
    name: {zh: 平均等待天数, en: Average waiting days}
    unit: 天
    direction: at_most
    baseline: {value: 30, date: 2022-12-31}
    target: {value: 10, deadline: 2024-12-31}
    bureau: 市民政局
    source: {clause: 二（二）, document: 另一文件}
  - id: kindergartens
    name: {zh: 普惠幼儿园覆盖率, en: Inclusive kindergarten coverage}
    unit: "%"
    direction: at_least
    target: {value: 85, deadline: 2025-12-31}
    bureau: 市教育局
    source: {clause: 二（三）}
  - id: satisfaction-catering
    name: {zh: 餐饮满意度, en: Catering satisfaction}
    unit: 分
    direction: at_least
    target: {value: 90, deadline: 2030-12-31}
    bureau: 市商务局
    source: {clause: 一}
    bound_to: {kind: satisfaction_index, sector: catering}
  - id: circle-breakfast
    name: {zh: 早餐店覆盖率, en: Breakfast shop coverage}
    unit: "%"
    direction: at_least
    target: {value: 100, deadline: 2020-12-31}
    bureau: 市商务局
    source: {clause: 二（四）}
    bound_to: {kind: circle_coverage, service_type: 早餐店}
"""
