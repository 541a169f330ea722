"""What leaves the reseller in `doctor --record`: placeholders for who they and their customers are,
wherever it occurs; keys, types, nesting and LogicBoxes' own words kept."""

from __future__ import annotations

from bot.logicboxes.scrub import Scrubber


def test_names_domains_logins_and_ids_become_stable_placeholders_everywhere():
    answers = [
        {
            "domainname": "acme.com",
            "parentkey": "999999999_999999998_465229",
            "customerid": "20001",
            "recurring": "true",
        },
        {"customer.name": "Hank Scorpio", "customer.company": "Globex", "customer.username": "hank@globex.example"},
        {
            "actiontypedesc": "Renewal of Enterprise Email for acme.com",
            "actionstatus": "InvoicePaid",
            "resellerid": 465229,
        },
        {"message": "Invalid username hank@globex.example", "telno": "5550100", "state": "NA", "allowdeletion": True},
    ]
    scrubber = Scrubber(["lb-api-key"], ["465229"])
    for answer in answers:
        scrubber.learn(answer)
    out = [scrubber.scrub(answer) for answer in answers]
    assert out[0]["domainname"] == "example-1.com" and out[0]["parentkey"] == "999999999_999999998_100000"
    assert out[0]["customerid"] == "20001" and out[0]["recurring"] == "true"  # LogicBoxes' own values stay
    assert out[1] == {
        "customer.name": "customer-1",
        "customer.company": "company-1",
        "customer.username": "login-1@example-login.invalid",
    }
    assert out[2]["actiontypedesc"] == "Renewal of Enterprise Email for example-1.com"
    assert out[2]["actionstatus"] == "InvoicePaid" and out[2]["resellerid"] == 100000  # a number stays a number
    assert out[3]["message"] == "Invalid username login-1@example-login.invalid"
    assert out[3]["telno"] == "5550101" and out[3]["state"] == "address-1" and out[3]["allowdeletion"] is True
    assert scrubber.text("a key lb-api-key here") == "a key *** here"
    assert scrubber.text("2 rows") == "2 rows"  # numbers that are no id stay
