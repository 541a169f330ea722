"""The approval workflow as plain Python: an in-memory SQLite store, the real client over the
simulator in this process, and a clock the test moves. No Slack, no sockets: what each decision
does to the request, to LogicBoxes (exactly one call) and to what the rest of the bot is told."""

from __future__ import annotations

import shutil
import threading
from decimal import Decimal

import pytest

from bot.approvals.notices import Notifier
from bot.approvals.store import Store
from bot.approvals.workflow import Approvals
from bot.commands.table import parse
from bot.sandbox.simulator import demo
from bot.usecases.service import MailService
from bot.values.approvals import Approval, DuplicateRequest
from bot.values.results import UserError
from bot.values.states import Status
from tests.support import FakeClock, eventually, in_process_client

APPROVER, LEAD, REQUESTER = "U0ONCALL", "U0LEAD", "U0AGENT"


class Told(Notifier):
    """What the workflow told the rest of the bot, in order."""

    def __init__(self) -> None:
        self.said: list[tuple[str, object]] = []

    def running(self, approval: Approval) -> None:
        self.said.append(("running", approval.status))

    def closed(self, approval: Approval) -> None:
        self.said.append(("closed", approval.status))

    def remind(self, approval: Approval) -> None:
        self.said.append(("remind", approval.id))

    def stuck(self, approval: Approval, text: str) -> None:
        self.said.append(("stuck", text))

    def changed(self, order_id: int, domain: str | None) -> None:
        self.said.append(("changed", order_id))


@pytest.fixture
def sim():
    return demo()


@pytest.fixture
def told() -> Told:
    return Told()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def workflow(sim, told, clock, tmp_path, migrated_sqlite) -> Approvals:
    service = MailService(in_process_client(sim), ["us", "in"], probe_threads=2)
    shutil.copyfile(migrated_sqlite, tmp_path / "approvals.db")  # at the schema's head already
    return Approvals(
        service,
        Store(f"sqlite:///{tmp_path}/approvals.db"),  # a file: the race tests approve from two threads
        [APPROVER, LEAD],
        lambda members, user: user in members,
        ttl=1800,
        clock=clock,
        followup_after=60,
        action_stuck_after=3600,
        notifier=told,
    )


def ask(workflow: Approvals, text: str, who: str = REQUESTER) -> Approval:
    return workflow.prepare(parse(text), who, "C0SUPPORT")


def posts(sim, name: str) -> int:
    return sim.count(name, method="POST")


def test_a_request_is_pending_with_its_facts_and_estimate_and_nothing_is_sent(workflow, sim):
    approval = ask(workflow, "add-accounts example.com 5")
    assert approval.status is Status.PENDING and approval.requester == REQUESTER
    assert approval.facts.accounts == 12 and approval.facts.status == "Active"
    assert approval.estimate is not None and approval.estimate.amount > Decimal(0)
    assert posts(sim, "add-email-account") == 0
    assert [entry.action for entry in workflow.store.recent(5)] == ["request"]


def test_approval_by_another_person_makes_exactly_one_call_and_follows_the_queue_to_done(workflow, sim, told, clock):
    approval = ask(workflow, "add-accounts example.com 5")
    decision = workflow.decide(approval.id, APPROVER, "approve")
    assert decision.changed and decision.approval.status is Status.ACCEPTED  # InvoicePaid is not done
    assert posts(sim, "add-email-account") == 1
    assert told.said[:2] == [("running", Status.EXECUTING), ("changed", 84372632)]
    clock.advance(61)
    assert workflow.follow_accepted() == []  # LogicBoxes has not finished it yet
    sim.finish_all()
    clock.advance(200)
    (done,) = workflow.follow_accepted()
    assert done.status is Status.DONE and done.finished_at is not None
    assert sim.orders[84372632].accounts == 17
    assert workflow.decide(approval.id, LEAD, "approve").notice.startswith("This request was already approved")
    assert posts(sim, "add-email-account") == 1  # a second click never calls again


def test_a_failed_action_at_logicboxes_fails_the_request(workflow, sim, clock):
    approval = ask(workflow, "renew acme.com 12mo autorenew:on")
    workflow.decide(approval.id, APPROVER, "approve")
    sim.finish_all("Failed")
    clock.advance(61)
    (failed,) = workflow.follow_accepted()
    assert failed.status is Status.FAILED


def test_an_action_pending_too_long_is_said_once(workflow, sim, told, clock):
    approval = ask(workflow, "add-accounts example.com 1")
    workflow.decide(approval.id, APPROVER, "approve")
    for _ in range(3):
        clock.advance(3601)
        workflow.follow_accepted()
    stuck = [text for what, text in told.said if what == "stuck"]
    assert len(stuck) == 1
    assert stuck[0].startswith("Still pending at LogicBoxes: action ") and "is InvoicePaid (" in stuck[0]


def test_four_eyes_the_requester_cannot_approve_but_can_cancel(workflow, sim):
    approval = ask(workflow, "delete example.com", who=APPROVER)
    refused = workflow.decide(approval.id, APPROVER, "approve")
    assert not refused.changed and "another approver must approve" in refused.notice
    assert "Only <@U0ONCALL>, who asked" in workflow.decide(approval.id, LEAD, "cancel").notice
    cancelled = workflow.decide(approval.id, APPROVER, "cancel")
    assert cancelled.approval.status is Status.CANCELLED
    assert posts(sim, "delete") == 0


def test_four_eyes_the_requester_cannot_deny_either(workflow, sim):
    approval = ask(workflow, "delete example.com", who=APPROVER)
    assert "another approver must decide it (four eyes)" in workflow.refusal_to_decide(approval.id, APPROVER, "deny")
    refused = workflow.decide(approval.id, APPROVER, "deny", reason="changed my mind")
    assert not refused.changed and "use Cancel" in refused.notice
    assert workflow.store.get(approval.id)["status"] == "pending"
    assert workflow.decide(approval.id, LEAD, "deny").approval.status is Status.DENIED


def test_deny_records_the_reason_and_sends_nothing(workflow, sim):
    approval = ask(workflow, "suspend acme.com reason:unpaid")
    denied = workflow.decide(approval.id, LEAD, "deny", reason="talk to billing first")
    assert denied.approval.status is Status.DENIED and denied.approval.outcome["reason"] == "talk to billing first"
    assert posts(sim, "suspend") == 0


def test_an_expired_request_is_not_run(workflow, sim, clock):
    approval = ask(workflow, "delete example.com")
    clock.advance(1801)
    late = workflow.decide(approval.id, APPROVER, "approve")
    assert late.approval.status is Status.EXPIRED and "expired" in late.notice
    assert posts(sim, "delete") == 0


def test_a_second_request_of_the_same_kind_names_the_first(workflow):
    first = ask(workflow, "add-accounts example.com 5")
    with pytest.raises(DuplicateRequest) as raised:
        ask(workflow, "add-accounts example.com 6")
    assert raised.value.first.id == first.id and first.id in str(raised.value)


def test_a_changed_order_is_not_touched(workflow, sim):
    approval = ask(workflow, "add-accounts example.com 5")
    sim.orders[84372632].accounts = 20  # someone changed it in the control panel meanwhile
    decided = workflow.decide(approval.id, APPROVER, "approve")
    assert decided.approval.status is Status.FAILED and "12 -> 20 accounts" in str(decided.approval.outcome)
    assert posts(sim, "add-email-account") == 0


def test_refusals_before_anything_is_stored(workflow):
    with pytest.raises(UserError, match="does not allow deleting"):
        ask(workflow, "delete initech.com")
    with pytest.raises(UserError, match=r"is not suspended \(it is Active\)"):
        ask(workflow, "unsuspend example.com")
    assert workflow.store.recent(5) == []


def test_an_untouched_request_is_reminded_once_then_expires(workflow, told, clock):
    approval = ask(workflow, "delete example.com")
    clock.advance(0.8 * 1800 + 1)
    workflow.sweep()
    workflow.sweep()
    assert told.said.count(("remind", approval.id)) == 1
    clock.advance(1800)
    (expired,) = workflow.sweep()
    assert expired.status is Status.EXPIRED and told.said[-1] == ("closed", Status.EXPIRED)


# ---- two changes to one order, approved at the same moment: exactly one reaches LogicBoxes

PAIRS = [
    ("renew example.com 12 autorenew:on", "renew", "add-accounts example.com 5", "add-email-account"),
    ("delete example.com", "delete", "renew example.com 12 autorenew:on", "renew"),
    ("remove-accounts example.com 1", "delete-email-account", "add-accounts example.com 5", "add-email-account"),
]


def _approve_in_thread(workflow: Approvals, approval_id: str, who: str) -> tuple[threading.Thread, list]:
    decided: list = []
    thread = threading.Thread(target=lambda: decided.append(workflow.decide(approval_id, who, "approve")))
    thread.start()
    return thread, decided


@pytest.mark.parametrize(("first_text", "first_call", "second_text", "second_call"), PAIRS)
def test_two_changes_to_one_order_approved_together_make_one_call(
    workflow, sim, first_text, first_call, second_text, second_call
):
    """The second waits for the first's claim on the order, then is checked again: what it
    recorded has changed, or LogicBoxes has an action pending, so nothing is sent for it."""
    workflow.order_wait = 30.0
    first, second = ask(workflow, first_text), ask(workflow, second_text)
    sim.fail("us", first_call, "slow")  # the first call is held at LogicBoxes until released
    one, _ = _approve_in_thread(workflow, first.id, APPROVER)
    eventually(lambda: posts(sim, first_call) == 1, "the first change to reach LogicBoxes")
    two, decided = _approve_in_thread(workflow, second.id, LEAD)
    eventually(lambda: workflow.store.get(second.id)["status"] == "executing", "the second approval")
    sim.release.set()
    one.join(30)
    two.join(30)
    assert posts(sim, first_call) == 1 and posts(sim, second_call) == 0
    (second_decision,) = decided
    assert second_decision.approval.status is Status.FAILED
    error = second_decision.approval.outcome["error"]
    assert "since this was asked; ask again" in error or "has an action pending at LogicBoxes" in error, error
    assert "Nothing was sent" in error
    assert workflow.store.order_holder(first.order_id) is None  # given back with the outcome


def test_an_approval_that_cannot_wait_is_told_and_checked_again_after_the_first_answer(workflow, sim, told):
    workflow.order_wait = 0.0
    first, second = ask(workflow, "delete example.com"), ask(workflow, "add-accounts example.com 5")
    sim.fail("us", "delete", "slow")
    one, _ = _approve_in_thread(workflow, first.id, APPROVER)
    eventually(lambda: posts(sim, "delete") == 1, "the delete to reach LogicBoxes")
    waiting = workflow.decide(second.id, LEAD, "approve")
    assert waiting.changed and waiting.approval.status is Status.WAITING
    assert waiting.notice == (
        "Another change to example.com is running; this one is checked again when that one has LogicBoxes' answer."
    )
    assert workflow.decide(second.id, APPROVER, "approve").notice.startswith("This request was already approved")
    sim.release.set()
    one.join(30)
    final = Approval.from_row(workflow.store.get(second.id))
    assert final.status is Status.FAILED
    assert final.outcome["error"].startswith("status Active -> Deleted since this was asked; ask again.")
    assert posts(sim, "add-email-account") == 0 and posts(sim, "delete") == 1
    assert ("closed", Status.FAILED) in told.said  # its card is updated when it is checked again
    assert [e.action for e in workflow.store.recent(20)].count("wait") == 1


def test_the_sweep_gives_back_an_order_whose_holder_crashed_and_runs_the_one_waiting(workflow, sim, clock):
    first, second = ask(workflow, "renew example.com 12 autorenew:on"), ask(workflow, "add-accounts example.com 5")
    assert workflow.store.claim(first.id, Status.EXECUTING, APPROVER, clock())
    assert workflow.store.claim_order(first.order_id, first.id, clock())  # then its process died
    workflow.order_wait = 0.0
    assert workflow.decide(second.id, LEAD, "approve").approval.status is Status.WAITING
    clock.advance(workflow.stuck_after + 1)
    workflow.sweep()
    assert workflow.store.get(first.id)["status"] == "unknown"
    assert workflow.store.get(second.id)["status"] == "accepted"  # checked again, then sent: one call
    assert posts(sim, "add-email-account") == 1 and posts(sim, "renew") == 0


def test_every_accepted_change_is_followed_however_many_are_due(workflow, sim, told, clock):
    """More than one page (50) of actions due at once: every page of both lists is read, and no
    request is told that LogicBoxes no longer lists its action."""
    approval = ask(workflow, "add-accounts example.com 5")
    assert workflow.decide(approval.id, APPROVER, "approve").approval.status is Status.ACCEPTED
    row = workflow.store.get(approval.id)
    for n in range(60):
        eaqid = sim.queue_action(84372632, "AddEmailAccount", "Addition of 1 email account", "InvoicePaid")
        workflow.store.add({**row, "id": f"copy{n:04d}", "outcome": {**row["outcome"], "eaqid": eaqid}})
    sim.finish_all()  # every one of them is now in the archive, none current
    clock.advance(3601)  # past ACTION_STUCK_AFTER: a request whose action went unseen would be said stuck
    finished = workflow.follow_accepted()
    assert len(finished) == 61 and {a.status for a in finished} == {Status.DONE}
    assert [text for what, text in told.said if what == "stuck"] == []
    assert "stuck" not in [e.action for e in workflow.store.recent(500)]
