"""The bot token's scopes, each with what needs it: the manifests list exactly these (a test
checks), and doctor compares them with what auth.test reports the token has."""

SCOPES: dict[str, str] = {
    "commands": "the /email command and the message shortcut",
    "chat:write": "answers, approval requests and their outcomes",
    "usergroups:read": "approver and cost-viewer user groups",
    "users:read": "who is asking: their own workspace, guest and Slack Connect status (users.info)",
    "channels:read": "doctor's check that the bot is in a public APPROVAL_CHANNEL",
    "groups:read": "doctor's check that the bot is in a private APPROVAL_CHANNEL",
}
