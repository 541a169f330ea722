"""Unit tests of the wire parsers on the recorded answer shapes (tests/payloads/logicboxes/):
no sockets, no app; each asserts what a user will be shown."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from bot.logicboxes import BadResponse, PriceListMissing, wire
from bot.logicboxes.errors import AccessDenied, ApiRefused, AuthenticationFailed, NotWhitelisted, UpstreamUnavailable
from bot.logicboxes.transport import Transport, _Retryable
from tests.support import PAYLOADS

RECORDED = PAYLOADS / "logicboxes"


def recorded(name: str):
    return json.loads((RECORDED / name).read_text())


def test_every_recorded_file_is_tested_here_and_named_in_the_readme():
    files = sorted(p.name for p in RECORDED.glob("*.json"))
    readme = (RECORDED / "README.md").read_text()
    source = Path(__file__).read_text()
    assert files and all(f"`{name}`" in readme or name.removesuffix(".json") in readme for name in files)
    assert [name for name in files if f'"{name}"' not in source] == []


# ---------------------------------------------------------------- reads


def test_bare_integer_order_id():
    assert wire.parse_order_id(recorded("orderid.json"), "us") == 84372632
    assert wire.parse_order_id("84372632", "us") == 84372632
    with pytest.raises(BadResponse, match="LogicBoxes us sent an unreadable answer"):
        wire.parse_order_id({"orderid": "x"}, "us")


def test_details_with_strings():
    order = wire.parse_order(recorded("details.json"), "us")
    assert (order.order_id, order.domain, order.status, order.region) == (84372632, "example.com", "Active", "us")
    assert order.accounts == 5 and order.customer_id == 17824872 and order.allow_deletion is True
    assert order.created == datetime(2017, 11, 8, 12, 0, 54, tzinfo=UTC)
    assert not order.suspended_upon_expiry and not order.suspended_by_parent


def test_details_with_json_numbers_and_booleans():
    order = wire.parse_order(recorded("details-json-values.json"), "us")
    assert order.accounts == 5 and order.allow_deletion is True and order.suspended_upon_expiry is True
    assert order.status == "Suspended" and order.order_id == 80030154


def test_auto_renew_from_recurring_as_string_boolean_or_not_given():
    assert wire.parse_order(recorded("details-recurring-string.json"), "us").auto_renew is True
    assert wire.parse_order(recorded("details-json-values.json"), "us").auto_renew is False
    assert wire.parse_order(recorded("details.json"), "us").auto_renew is None  # not given is not "off"
    for unreadable in ("", "maybe", 2, None, [], {}):
        assert wire.parse_order({"entityid": "1", "recurring": unreadable}, "us").auto_renew is None
    assert [wire.as_flag(v) for v in ("False", "1", 0, 1.0, "no")] == [False, True, False, True, False]


def test_region_comes_from_the_product_key_not_the_path_that_answered():
    assert wire.parse_order(recorded("details-json-values.json"), "us").region == "in"
    assert wire.parse_order(recorded("details.json"), "in").region == "us"
    assert wire.parse_order({"entityid": "1"}, "in").region == "in"  # no product key: nothing better


def test_search_rows_total_and_regions():
    page = wire.parse_search(recorded("search.json"), "us")
    assert page.total == 57 and [o.order_id for o in page.orders] == [84372632, 80030154]
    assert [o.region for o in page.orders] == ["us", "in"]
    assert page.orders[1].created == datetime(2017, 11, 8, 12, 0, 54, tzinfo=UTC)  # creationdt when no creationtime
    past = wire.parse_search(recorded("search-past-the-end.json"), "us")
    assert past.total == 57 and past.orders == []


def test_dns_records_as_array_or_keyed_object():
    array = wire.parse_dns(recorded("dns-record-array.json"), "us")
    assert [(r.type, r.host, r.priority) for r in array][:2] == [("MX", "@", 10), ("MX", "@", 20)]
    assert array[3].value == "us2.webmail.mailhostbox.com"
    keyed = wire.parse_dns(recorded("dns-record-object.json"), "us")
    assert [r.host for r in keyed] == ["@", "autodiscover"]


def test_dns_records_as_documented_carry_no_priority():
    records = wire.parse_dns(recorded("dns-record-without-priority.json"), "us")
    assert [(r.type, r.value, r.priority, r.ttl) for r in records][:2] == [
        ("MX", "mx1.mailhostbox.com", None, None),
        ("MX", "mx2.mailhostbox.com", None, None),
    ]


@pytest.mark.parametrize(
    "name",
    ["actions-search-current-search-style.json", "actions-search-current-by-eaqid.json"],
)
def test_the_action_queue_in_the_search_style_or_keyed_by_eaqid(name):
    page = wire.parse_actions(recorded(name))
    first = page.actions[0]
    assert (first.eaqid, first.order_id, first.kind) == ("469084237", 84372633, "Renew")
    assert first.added == datetime.fromtimestamp(1764650000, UTC) and first.completed is None
    assert not first.finished and not first.done and not first.failed  # InvoicePaid, ExecutionStarted: accepted


def test_the_action_queue_as_a_list_with_outcomes_and_payment():
    page = wire.parse_actions(recorded("actions-search-archived-list.json"))
    done, failed = page.actions  # the row that is not an object is left out
    assert done.done and done.finished and done.completed == datetime.fromtimestamp(1764650400, UTC)
    assert failed.failed and not failed.waiting_for_payment  # Failed is failed, whatever it says of funds
    assert failed.status_description == "Insufficient funds in the customer's account"
    current = wire.parse_actions(recorded("actions-search-current-search-style.json"))
    assert current.total == 2 and current.actions[1].waiting_for_payment  # "Awaiting payment of invoice ..."
    assert not current.actions[0].waiting_for_payment
    prefixed = wire.parse_actions({"1": {"action.eaqid": "5", "action.actionstatus": "Success"}, "recsindb": "9"})
    assert prefixed.actions[0].eaqid == "5" and prefixed.actions[0].done and prefixed.total == 9
    for nothing in ({}, [], {"recsonpage": "0", "recsindb": "0"}, [{"actionstatus": "Success"}]):
        assert wire.parse_actions(nothing).actions == []  # no eaqid: not an action the bot can follow
    with pytest.raises(BadResponse):
        wire.parse_actions("<<html>>")


def test_customer_details_by_id_keep_no_personal_data():
    customer = wire.parse_customer(recorded("customers-details-by-id.json"))
    assert customer.display == "Jane Doe, Example Inc" and customer.customer_id == 17824872
    assert customer.status == "Active" and customer.since == datetime(2017, 11, 8, 12, 0, 54, tzinfo=UTC)
    kept = json.dumps(customer.__dict__, default=str)
    for personal in ("jane@example.com", "2071234567", "High Street", "SW1A", "1234"):
        assert personal not in kept


def test_customer_details_by_login_keeps_status_and_since_and_no_personal_data():
    customer = wire.parse_customer(recorded("customers-details.json"))
    assert (customer.customer_id, customer.name, customer.company) == (30930235, "Customer Name", "Customer Company")
    assert customer.status == "Active" and customer.since == datetime(2025, 4, 23, 0, 57, 2, tzinfo=UTC)
    kept = json.dumps(customer.__dict__, default=str)
    for personal in ("email@email.com", "1234567890", "Customer Address", "12345", "8901"):
        assert personal not in kept


def test_customer_search_rows_become_customers_and_the_total_is_every_match():
    page = wire.parse_customer_search(recorded("customers-search.json"))
    assert page.total == 14
    assert [(c.customer_id, c.display, c.status) for c in page.customers] == [
        (24148486, "Maria Lopez, Northwind Traders", "Active"),
        (24148499, "Ops Team, Northwind Labs", "Suspended"),
    ]
    kept = json.dumps([c.__dict__ for c in page.customers], default=str)
    assert "northwind.example" not in kept and "41512345678" not in kept


def test_customer_search_past_the_end_and_malformed_rows():
    assert wire.parse_customer_search({"recsonpage": "0", "recsindb": "14"}).total == 14
    page = wire.parse_customer_search({"recsindb": "2", "1": {"customer.name": "no id"}, "2": "junk"})
    assert page.customers == [] and page.total == 2
    with pytest.raises(BadResponse):
        wire.parse_customer_search([])


def test_customer_balance_is_exact_with_its_symbol():
    balance = wire.parse_balance(recorded("customer-balance.json"))
    assert balance.available == Decimal("1250.500") and balance.symbol == "$"
    assert wire.parse_balance({"sellingcurrencybalance": 12.5}).available == Decimal("12.5")
    with pytest.raises(BadResponse):
        wire.parse_balance({"currencysymbol": "$"})


def test_the_balance_is_each_amount_as_logicboxes_names_it_never_computed():
    balance = wire.parse_balance(recorded("customer-balance-locked.json"))
    assert (balance.available, balance.locked, balance.total) == (
        Decimal("900.000"),
        Decimal("350.500"),
        Decimal("1250.500"),
    )
    only_total = wire.parse_balance({"totalsellingbalance": "10", "sellingcurrencylockedbalance": "4"})
    assert only_total.available is None and only_total.total == Decimal("10")  # not 10 - 4


# ---------------------------------------------------------------- prices


def test_customer_price_bands_read_from_the_answer():
    table = wire.parse_prices(recorded("customer-price.json"), "enterpriseemailus", "customer price list")
    assert [band.label for band in table.bands] == ["1-5", "6-10", "101-10000"]
    assert table.band_for(7).prices["add"][6] == Decimal("1.378")
    assert table.band_for(200).prices["renew"][12] == Decimal("1.1")  # a JSON number, kept exact
    assert table.tenures("add") == [1, 3, 6, 12] and table.band_for(50) is None


def test_cost_and_sub_reseller_lists_are_different_lists():
    cost = wire.parse_prices(recorded("reseller-cost-price.json"), "enterpriseemailus")
    sub = wire.parse_prices(recorded("reseller-price.json"), "enterpriseemailus")
    assert cost.band_for(3).prices["add"][12] == Decimal("0.81")
    assert sub.band_for(3).prices["add"][12] == Decimal("1.08")


def test_a_list_without_the_product_says_so():
    with pytest.raises(PriceListMissing) as missing:
        wire.parse_prices(
            recorded("reseller-cost-price-without-enterprise-email.json"),
            "enterpriseemailus",
            "reseller cost price list",
        )
    assert (
        str(missing.value)
        == "LogicBoxes' reseller cost price list has no Enterprise Email prices for enterpriseemailus."
    )
    assert wire.enterprise_email_tables(recorded("customer-price.json")).keys() == {
        "enterpriseemailus",
        "enterpriseemailin",
    }


# ---------------------------------------------------------------- changes


def test_no_invoice_flat_action_map():
    result = wire.parse_action(recorded("add-email-account-noinvoice.json"), "us")
    assert not result.failed and result.shape == "action"
    assert (result.status, result.description, result.eaqid) == (
        "Success",
        "Email accounts added successfully",
        "469769356",
    )
    assert result.invoice_id is None and result.selling_amount is None


def test_pay_invoice_nested_under_the_invoice_id():
    result = wire.parse_action(recorded("add-email-account-payinvoice.json"), "us")
    assert not result.failed and result.shape == "invoice"
    assert (result.status, result.invoice_id, result.eaqid) == ("InvoicePaid", "78877737", "469770847")
    assert result.selling_amount == Decimal("-90.540") and result.currency == "GBP"


def test_keep_invoice_nested_with_a_currency_symbol():
    result = wire.parse_action(recorded("add-email-account-keepinvoice.json"), "us")
    assert result.shape == "invoice" and result.status == "PendingExecution" and not result.done
    assert result.description is None  # "" is not given
    assert result.currency == "£" and result.selling_amount == Decimal("-90.540")


def test_only_add_short_map():
    result = wire.parse_action(recorded("add-email-account-onlyadd.json"), "us")
    assert result.shape == "only-add" and not result.failed and result.status is None
    assert (result.invoice_id, result.eaqid, result.customer_cost) == ("78877478", "469769356", Decimal("90.54"))


def test_failed_nested_is_a_failure_with_its_reason():
    result = wire.parse_action(recorded("add-email-account-failed-nested.json"), "us")
    assert result.failed and result.status == "Failed"
    assert result.description == "Insufficient funds in the customer's account"
    assert wire.parse_action({"a": {"b": [{"actionstatus": "failed", "actionstatusdesc": "no"}]}}, "us").failed


def test_other_change_answers():
    assert wire.parse_action(recorded("renew-payinvoice.json"), "us").selling_amount == Decimal("-181.440")
    assert wire.parse_action(recorded("delete.json"), "us").status == "Success"
    queued = wire.parse_action(recorded("delete-email-account.json"), "us")
    assert not queued.done and "processed shortly" in (queued.description or "")
    assert wire.parse_action(recorded("suspend.json"), "us").action == "Suspension of example.com for Abuse report"
    assert wire.parse_action(recorded("unsuspend.json"), "us").eaqid == "469771030"


def test_a_nested_status_error_inside_a_successful_answer_is_not_an_error():
    data = recorded("renew-with-nested-error.json")
    assert wire.error_message(data) is None
    result = wire.parse_action(data, "us")
    assert not result.failed and result.status == "Success" and result.selling_amount == Decimal("-7.910")


def test_malformed_fields_are_not_given():
    result = wire.parse_action({"1": {"actionstatus": ["x"], "sellingamount": "lots", "eaqid": {"a": 1}}}, "us")
    assert result.status is None and result.selling_amount is None and result.eaqid is None and not result.failed
    assert wire.parse_action({}, "us").shape == "unknown"
    with pytest.raises(BadResponse):
        wire.parse_action([1, 2], "us")


# ---------------------------------------------------------------- errors, whatever the label


@pytest.mark.parametrize(
    "name, message",
    [
        ("error-500.json", "Website doesn't exist for example.org"),
        ("error-no-entity.json", "No Entity found for Entityid 84372699"),
        ("error-mixed-case.json", "{no-of-records=must be between 10 and 500}"),
        ("error-lowercase-error-key.json", "Privacy Protection Service not available."),
        ("error-authentication-400.json", "Authentication failure"),
        ("error-delete-email-account-at-least-one.json", "You must have atleast ONE email account."),
        (
            "error-delete-email-account-in-use.json",
            "Email Account(s) currently in use cannot be deleted through this process.",
        ),
        ("error-access-denied.json", "Access Denied. You are not authorized to perform this action."),
        ("error-action-pending.json", "There is already an action pending on this Order."),
    ],
)
def test_error_spellings(name, message):
    assert wire.error_message(recorded(name)) == message


def decode(status: int, body: bytes | str):
    return Transport._decode(status, body.encode() if isinstance(body, str) else body, "us")


def test_an_error_body_is_an_answer_whatever_the_status():
    for status in (200, 400, 500, 502):
        with pytest.raises(ApiRefused, match="Website doesn't exist"):
            decode(status, (RECORDED / "error-500.json").read_text())
    with pytest.raises(AuthenticationFailed) as auth:
        decode(400, (RECORDED / "error-authentication-400.json").read_text())
    assert "RESELLER_AUTH_USERID and RESELLER_API_KEY" in str(auth.value)
    with pytest.raises(AuthenticationFailed):
        decode(400, "Authentication failure")  # not even JSON


def test_access_denied_in_any_form_names_both_causes_and_the_fix():
    body = (RECORDED / "error-access-denied.json").read_text()
    page = "<html><body><h1>403 Access Denied. You are not authorized to perform this action.</h1></body></html>"
    for status, answer in ((200, body), (500, body), (400, body), (403, page)):
        with pytest.raises(AccessDenied) as denied:
            decode(status, answer)
        said = str(denied.value)
        assert "IP may not be whitelisted in LogicBoxes, or the record is not in your account" in said
        assert "Settings > API in the reseller control panel" in said and "python -m bot doctor" in said
        assert denied.value.sent is False  # LogicBoxes did not act
    with pytest.raises(NotWhitelisted) as plain:
        decode(403, "<html><body>403 Forbidden</body></html>")
    assert not isinstance(plain.value, AccessDenied)


def test_what_is_retried_is_decided_by_the_body():
    with pytest.raises(_Retryable) as page:
        decode(502, "<html><body>Bad Gateway</body></html>")
    assert isinstance(page.value.error, UpstreamUnavailable) and page.value.error.why == "HTTP 502 error page"
    with pytest.raises(NotWhitelisted):
        decode(403, "<html>Forbidden</html>")
    with pytest.raises(BadResponse, match="JSON nested too deeply"):
        decode(200, "[" * 100_000 + "]" * 100_000)
    assert decode(200, "84372632") == 84372632


# ---------------------------------------------------------------- first contact: every answer LogicBoxes may give


@pytest.mark.parametrize(
    "name", ["actions-search-current-error-no-records.json", "actions-search-current-error-no-entity.json"]
)
def test_an_action_list_answering_nothing_found_as_an_error_means_nothing_matched(name):
    from bot.logicboxes.meanings import Meaning

    for call in ("actions/search-current", "actions/search-archived"):
        with pytest.raises(ApiRefused) as refused:
            Transport._decode(500, (RECORDED / name).read_bytes(), "actions", call)
        assert refused.value.meaning is Meaning.NOTHING_MATCHED
    with pytest.raises(ApiRefused) as details:  # the same words for one order's details: it does not exist
        Transport._decode(500, (RECORDED / name).read_bytes(), "us", "enterpriseemail/us/details")
    assert details.value.meaning is (Meaning.NOT_FOUND if "entity" in name else Meaning.OTHER)


def test_one_table_says_what_each_error_text_means_for_each_call():
    from bot.logicboxes.meanings import Meaning, meaning_of

    cases = [
        ("Authentication failure", "customers/details", Meaning.AUTHENTICATION),
        (
            "Access Denied. You are not authorized to perform this action.",
            "actions/search-current",
            Meaning.ACCESS_DENIED,
        ),
        ("No Entity found for Entityid 84372699", "enterpriseemail/us/details", Meaning.NOT_FOUND),
        ("No Entity found for Entityid 84372699", "actions/search-current", Meaning.NOTHING_MATCHED),
        ("NO RECORDS FOUND", "actions/search-archived", Meaning.NOTHING_MATCHED),
        ("No actions found", "actions/search-current", Meaning.NOTHING_MATCHED),
        ("No record found", "actions/search-current", Meaning.NOTHING_MATCHED),
        ("Website doesn't exist for example.com", "enterpriseemail/us/orderid", Meaning.NOT_FOUND),
        ("There is already an action pending on this Order.", "enterpriseemail/us/renew", Meaning.ACTION_PENDING),
        ("{months=Invalid tenure}", "enterpriseemail/us/renew", Meaning.INVALID_PARAMETER),
        ("Invalid username jane@acme.com", "customers/details", Meaning.NOT_FOUND),
        ("Internal error, please try later", "actions/search-current", Meaning.OTHER),
    ]
    for message, call, meaning in cases:
        assert meaning_of(message, call) is meaning, (message, call)


def test_finished_rows_in_the_current_list_are_not_pending():
    page = wire.parse_actions(recorded("actions-search-current-with-finished.json"))
    pending, failed, completed = page.actions
    assert not pending.finished and failed.finished and completed.finished  # actioncompleted set: finished
    assert not completed.done and not completed.failed


@pytest.mark.parametrize("name", ["action-top-level-failed.json", "action-top-level-failed-bare.json"])
def test_a_top_level_failed_status_is_a_failure_with_logicboxes_words(name):
    result = wire.parse_action(recorded(name), "us")
    assert result.failed and not result.done
    if name == "action-top-level-failed.json":
        assert result.description == "Insufficient funds in the customer's account" and result.eaqid == "469084400"
    else:
        assert result.description == "Addition of 5 email accounts for acme.com" and result.eaqid is None


def test_the_archive_holds_other_products_actions():
    page = wire.parse_actions(recorded("actions-search-archived-other-products.json"))
    transfer, email = page.actions
    assert transfer.entity_type == "3" and email.entity_type == "1086"
    assert transfer.failed and transfer.order_id == 61234567
