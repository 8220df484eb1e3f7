"""What the audit pages call the Open311 interface's actions (registered in
``Open311Config.ready()``); a client's recorded name (名称 and key prefix) is
its name."""

AUDIT_ACTIONS = {
    "open311.client_create": "新增 Open311 接入客户端",
    "open311.client_revoke": "收回 Open311 接入客户端",
    "open311.request": "经 Open311 接口提交请求",
}
