"""The access rules as plain code: which workspace is home, and what an empty list means."""

from __future__ import annotations

import pytest

from bot.access import COULD_NOT_CONFIRM, RULES, Access, Home, Role, UseCase, Who


def test_home_is_the_workspace_or_for_an_org_wide_install_the_enterprise():
    workspace = Home("T1", "E1")
    assert workspace.includes(Who("U1", "T1", "E1")) and not workspace.includes(Who("U1", "T2", "E1"))
    org = Home("T1", "E1", org_wide=True)
    assert org.includes(Who("U1", "T7", "E1")) and not org.includes(Who("U1", "T7", "E2"))
    assert not workspace.includes(Who("U1"))  # Slack named no workspace: not ours
    assert not workspace.includes(Who("U1", "T1", "E1", stranger=True))  # Slack Connect: never ours
    assert workspace.includes(Who("U1", "T9", "E1", teams=("T9", "T1")))  # a Grid member of this workspace too


def access(**roles) -> Access:
    members = {"S0GROUP": {"U0MEMBER"}}

    def contains(ids, user):
        return user in ids or any(user in members.get(i, set()) for i in ids)

    return Access({Role[k]: v for k, v in roles.items()}, contains, lambda: Home("T1"))


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
    assert rules.gate(Who("U0GUEST", "T1", guest=True)) == (
        "Guests cannot use mailops here (ask an admin about ALLOW_GUESTS)."
    )


def test_the_gate_fails_closed_when_slack_cannot_say():
    assert access().gate(Who("U1", unconfirmed="fatal_error")) == COULD_NOT_CONFIRM
    assert access().check(Who("U1", unconfirmed="fatal_error"), UseCase.HELP) == COULD_NOT_CONFIRM


@pytest.mark.parametrize(
    ("use_case", "refusal"),
    [
        (UseCase.LOOKUP, "You need the READERS role to look up orders: ask an admin to add you to READERS."),
        (UseCase.QUOTE, "You need the QUOTERS role to quote prices: ask an admin to add you to QUOTERS."),
        (UseCase.REQUEST, "You need the REQUESTERS role to ask for changes: ask an admin to add you to REQUESTERS."),
        (UseCase.DECIDE, "Only approvers (<@U0BOSS>) can approve or deny this request."),
        (UseCase.AUDIT, "Only approvers can read the audit log."),
        (UseCase.HELP, None),
        (UseCase.HOME, None),
    ],
)
def test_each_use_case_declares_its_role_and_the_one_check_enforces_it(use_case, refusal):
    rules = access(READER=["U0BOSS"], QUOTER=["U0BOSS"], REQUESTER=["U0BOSS"], APPROVER=["U0BOSS"])
    assert rules.check(Who("U1", "T1"), use_case, approvers="<@U0BOSS>") == refusal
    assert rules.check(Who("U0BOSS", "T1"), use_case, approvers="<@U0BOSS>") is None
    assert set(RULES) == set(UseCase)  # every use case declares one
