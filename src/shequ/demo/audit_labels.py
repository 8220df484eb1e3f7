"""What the audit pages call the demo's and the scale generator's actions
(registered in ``DemoConfig.ready()``)."""

AUDIT_ACTIONS = {
    "demo.load": "加载演示数据",
    "bench.generate": "生成规模测试数据",
}
