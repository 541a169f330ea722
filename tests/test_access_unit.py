"""The access rules as plain code: which workspace is home, and what an empty list means."""

from __future__ import annotations

from bot.access import Access, Home, Role, Who


def test_home_is_the_workspace_or_for_an_org_wide_install_the_enterprise():
    workspace = Home("T1", "E1")
    assert workspace.includes(Who("U1", "T1", "E1")) and not workspace.includes(Who("U1", "T2", "E1"))
    org = Home("T1", "E1", org_wide=True)
    assert org.includes(Who("U1", "T7", "E1")) and not org.includes(Who("U1", "T7", "E2"))
    assert workspace.includes(Who("workflow"))  # a step names no team: the installation's own


def access(**roles) -> Access:
    members = {"S0GROUP": {"U0MEMBER"}}

    def contains(ids, user):
        return user in ids or any(user in members.get(i, set()) for i in ids)

    return Access({Role[k]: v for k, v in roles.items()}, contains, lambda u: u == "U0GUEST", lambda: Home("T1"))


def test_empty_lists_open_reading_quoting_and_asking_but_never_approving():
    open_ = access(READER=[], QUOTER=[], REQUESTER=[], APPROVER=[])
    who = Who("U1", "T1", channel_id="C1")
    assert open_.has(who, Role.READER) and open_.has(who, Role.QUOTER) and open_.has(who, Role.REQUESTER)
    assert not open_.has(who, Role.APPROVER)


def test_channels_count_for_reading_but_never_for_approving():
    rules = access(READER=["C0SUPPORT", "S0GROUP"], APPROVER=["C0SUPPORT"])
    assert rules.has(Who("U9", "T1", channel_id="C0SUPPORT"), Role.READER)
    assert rules.has(Who("U0MEMBER", "T1", channel_id="C0ELSE"), Role.READER)
    assert not rules.has(Who("U9", "T1", channel_id="C0ELSE"), Role.READER)
    assert not rules.has(Who("U9", "T1", channel_id="C0SUPPORT"), Role.APPROVER)
    assert rules.gate(Who("U0GUEST", "T1")) == "Guests cannot use mailops here (ask an admin about ALLOW_GUESTS)."
