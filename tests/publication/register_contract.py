"""The one contract suite every public register adapter passes (subclass it and provide `make_register`)."""

from __future__ import annotations

import abc
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from services.publication.read_model.port import (
    DateRange,
    FeedEntry,
    FeedItem,
    FeedQuery,
    PublicCouncil,
    PublicRegister,
    PublicSearch,
    feed_select,
    select,
)
from services.publication.record import (
    OriginalSubmission,
    PublicApplication,
    PublicDecisionNotice,
    PublicDocument,
    PublicSite,
    StreamHead,
)

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


COUNCIL_DEMO = PublicSearch(councils=frozenset({"DEMO"}))  # its total is the council's count


def application(number: int, **changes: object) -> PublicApplication:
    reference = f"26-{number:05d}-HAPP"
    base = PublicApplication(
        council="DEMO",
        reference=reference,
        version=3,
        application_type="pp.full.householder",
        application_type_name="Householder planning permission",
        status="in_assessment",
        received_at=START + timedelta(days=number),
        validated_at=(START + timedelta(days=number + 2)).date(),
        published_at=START + timedelta(days=number + 2, hours=1),
        description="Single storey rear extension",
        site=PublicSite(address=f"{number} Mill Lane", town="Exampleton", postcode="EX1 2AB", uprn=str(number)),
        expiry_date=date(2026, 5, 1),
        target_date=date(2026, 4, 10),
        case_officer_name="Ann Officer",
        original=OriginalSubmission(payload_key=f"DEMO/{reference}/submission.json", format="application"),
        documents=(
            PublicDocument(
                id="doc-1",
                name="plan.pdf",
                key=f"DEMO/{reference}/plan-redacted.pdf",
                redacted_key=f"DEMO/{reference}/plan-redacted.pdf",
                content_type="application/pdf",
                size=10,
                tags=("floorPlan.proposed",),
                created_at=START,
                published_at=START + timedelta(days=3),
            ),
        ),
        audit_heads=(StreamHead(f"application:DEMO:{reference}", 2, "a" * 64),),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def determined(number: int = 1, **changes: object) -> PublicApplication:
    """An application granted on 1 April 2026 with its published decision notice."""
    return application(
        number,
        status="determined",
        decision="granted",
        decision_date=date(2026, 4, 1),
        determined_at=datetime(2026, 4, 1, 15, tzinfo=UTC),
        decision_notice=PublicDecisionNotice("notice-1", f"DEMO/26-{number:05d}-HAPP/notice.html"),
        **changes,
    )


def entry(app: PublicApplication, kind: str = "published", at: datetime | None = None, version: int = 2) -> FeedEntry:
    moment = at or app.published_at
    stream = f"application:{app.council}:{app.reference}"
    return FeedEntry(
        key=FeedEntry.make_key(moment, stream, version),
        council=app.council,
        reference=app.reference,
        kind=kind,  # type: ignore[arg-type]
        occurred_at=moment,
        event_id=f"event-{app.reference}-{version}",
        event_stream=stream,
        event_version=version,
        event_hash="b" * 64,
        status=app.status,
    )


def sample() -> list[PublicApplication]:
    return [
        application(1),
        application(
            2,
            description="Loft conversion with rear dormer",
            site=PublicSite(address="2 Church Road", postcode="AB1 2CD"),
        ),
        application(
            3,
            status="determined",
            decision="granted",
            decision_date=date(2026, 4, 20),
            decision_notice=PublicDecisionNotice(document_id="notice", key="DEMO/n.html"),
        ),
        application(4, application_type="ldc.proposed", status="withdrawn", description="Garden room"),
        application(5, council="OTHR", description="Rear extension and loft"),
        application(
            6,
            status="determined",
            decision="refused",
            decision_date=date(2026, 4, 25),
            description="Demolition of garage, new dwelling",
        ),
    ]


class PublicRegisterContract(abc.ABC):
    @abc.abstractmethod
    def make_register(self) -> PublicRegister:
        """A fresh, empty register of the adapter under test."""

    @pytest.fixture
    def register(self) -> PublicRegister:
        return self.make_register()

    @pytest.fixture
    def filled(self, register: PublicRegister) -> PublicRegister:
        for app in sample():
            assert register.put(app, [entry(app)])
        return register

    def test_a_record_reads_back_equal(self, register):
        app = application(1)
        assert register.put(app, [entry(app)])
        assert register.get("DEMO", app.reference) == app
        assert register.version("DEMO", app.reference) == 3
        assert register.get("OTHR", app.reference) is None
        assert register.get("DEMO", "26-99999-HAPP") is None

    def test_only_a_later_version_replaces_a_record(self, register):
        app = application(1)
        assert register.put(app, [entry(app)])
        assert not register.put(replace(app, description="older"), [])
        assert not register.put(replace(app, version=2, description="older"), [])
        assert register.put(replace(app, version=4, status="determined", decision="granted"), [entry(app)])
        stored = register.get("DEMO", app.reference)
        assert stored is not None and stored.status == "determined" and stored.version == 4
        assert register.search(PublicSearch(statuses=frozenset({"in_assessment"}))).total == 0

    def test_removed_applications_disappear_with_their_entries(self, filled):
        assert not filled.remove("DEMO", application(1).reference, 3)  # not newer than the record
        assert filled.remove("DEMO", application(1).reference, 9)
        assert filled.get("DEMO", application(1).reference) is None
        assert filled.version("DEMO", application(1).reference) == 0
        assert filled.search(PublicSearch(text="1 Mill Lane")).total == 0
        assert all(i.entry.reference != application(1).reference for i in filled.feed(FeedQuery()).items)
        assert not filled.remove("DEMO", "26-99999-HAPP", 9)

    def test_a_put_read_before_a_removal_and_delivered_after_it_brings_nothing_back(self, register):
        app = application(1, description="Rear extension")
        assert register.put(app, [entry(app)])
        assert register.remove("DEMO", app.reference, 6)  # the application at version 5 is no longer public
        for stale in (replace(app, version=4), replace(app, version=5)):  # deliveries that read it while public
            assert not register.put(stale, [entry(stale)])
        assert register.get("DEMO", app.reference) is None and register.version("DEMO", app.reference) == 0
        assert register.search(PublicSearch(text="rear")).total == 0 and register.search(COUNCIL_DEMO).total == 0
        assert not register.feed(FeedQuery()).items
        again = replace(app, version=6)  # public again
        assert register.put(again, [entry(again)])
        assert register.get("DEMO", app.reference) == again and register.search(COUNCIL_DEMO).total == 1
        assert not register.remove("DEMO", app.reference, 5)  # an older removal's retry
        assert register.get("DEMO", app.reference) == again

    def test_a_removal_of_an_application_never_stored_keeps_older_puts_out(self, register):
        app = application(1)
        assert not register.remove("DEMO", app.reference, 4)  # nothing to take out
        assert not register.put(app, [entry(app)])  # version 3: read before it went out of public view
        assert register.put(replace(app, version=4), [])

    def test_the_same_version_is_replaced_only_when_asked(self, register):
        app = application(1)
        assert register.put(app, [entry(app)])
        named = replace(app, applicant_name="Ann Applicant", description="Rear extension")
        assert not register.put(named, [entry(named)])
        assert register.put(named, [entry(named)], replace_same_version=True)
        assert register.get("DEMO", app.reference) == named and register.search(COUNCIL_DEMO).total == 1
        assert register.search(PublicSearch(text="rear")).total == 1
        assert register.search(PublicSearch(text="single")).total == 0
        assert not register.put(replace(app, version=2), [], replace_same_version=True)

    def test_a_councils_facts_read_back_and_only_a_later_council_version_replaces_them(self, register):
        assert register.council("DEMO") is None
        facts = PublicCouncil("DEMO", "demo", "https://planning.demo.gov.uk", 4, "a1")
        register.put_council(facts)
        register.put_council(PublicCouncil("OTHR", "other", "https://other.example", 2, "a1"))
        assert register.council("DEMO") == facts
        register.put_council(replace(facts, public_base_url="https://older.example", version=3))  # a late delivery
        assert register.council("DEMO") == facts
        redeployed = replace(facts, public_base_url="https://planning.demo.example", deployment="b2")
        register.put_council(redeployed)  # the same stream version made with another deployment config
        assert register.council("DEMO") == redeployed
        register.put_council(replace(facts, slug="demo-council", version=5))
        assert register.council("DEMO") == replace(facts, slug="demo-council", version=5)
        assert register.council("OTHR") == PublicCouncil("OTHR", "other", "https://other.example", 2, "a1")

    def test_find_by_reference_across_councils(self, filled):
        other = application(1, council="OTHR")
        filled.put(other, [])
        found = filled.find(application(1).reference.lower())
        assert [a.council for a in found] == ["DEMO", "OTHR"]
        assert [a.council for a in filled.find(application(1).reference, frozenset({"OTHR"}))] == ["OTHR"]

    @pytest.mark.parametrize(
        "query",
        [
            PublicSearch(),
            PublicSearch(limit=2),
            PublicSearch(limit=2, offset=2),
            PublicSearch(limit=0),
            PublicSearch(councils=frozenset({"DEMO"})),
            PublicSearch(text="26-00002-happ"),
            PublicSearch(text="DEMO-26-00002-HAPP"),
            PublicSearch(text="demo-26-00002-happ"),
            PublicSearch(text="26-00002"),
            PublicSearch(text="26-00002-"),
            PublicSearch(text="26-00002-ha"),
            PublicSearch(text="OTHR-26-00005"),
            PublicSearch(text="DEMO-26-00005"),
            PublicSearch(text="26-0000"),
            PublicSearch(text="26-00002-HAPPX"),
            PublicSearch(text="26-00003", councils=frozenset({"OTHR"})),
            PublicSearch(text="26-00003", statuses=frozenset({"determined"})),
            PublicSearch(text="ex12ab"),
            PublicSearch(text="ab1 2cd"),
            PublicSearch(text="church"),
            PublicSearch(text="mill la"),
            PublicSearch(text="rear"),
            PublicSearch(text="rear ext"),
            PublicSearch(text="loft"),
            PublicSearch(text="nothing matches this"),
            PublicSearch(text="!!!"),
            PublicSearch(reference="26-00003-HAPP"),
            PublicSearch(statuses=frozenset({"determined"})),
            PublicSearch(decisions=frozenset({"refused"})),
            PublicSearch(application_types=frozenset({"ldc.proposed"})),
            PublicSearch(date_ranges=(DateRange("received_at", date(2026, 3, 4), date(2026, 3, 6)),)),
            PublicSearch(date_ranges=(DateRange("decision_date", start=date(2026, 4, 21)),)),
            PublicSearch(date_ranges=(DateRange("validated_at", end=date(2026, 3, 6)),)),
            PublicSearch(sort_by="received_at", order="asc"),
            PublicSearch(text="rear", statuses=frozenset({"determined"})),
            PublicSearch(text="extension", councils=frozenset({"OTHR"})),
        ],
    )
    def test_search_answers_what_select_means(self, filled, query):
        expected = select(sample(), query)
        found = filled.search(query)
        assert (found.total, found.stage) == (expected.total, expected.stage)
        assert [a.reference + a.council for a in found.applications] == [
            a.reference + a.council for a in expected.applications
        ]

    @pytest.mark.parametrize(
        "query",
        [
            PublicSearch(text="rear", limit=2),
            PublicSearch(text="rear", limit=2, offset=2),
            PublicSearch(text="exampleton", limit=1, offset=3),
            PublicSearch(councils=frozenset({"DEMO"}), limit=2),
            PublicSearch(statuses=frozenset({"in_assessment"}), limit=2),
        ],
    )
    def test_totals_are_counted_up_to_the_cap_and_the_pages_stay_right(self, filled, query):
        filled.count_cap = 2
        expected = select(sample(), query)
        found = filled.search(query)
        assert expected.total > 2
        assert [a.reference + a.council for a in found.applications] == [
            a.reference + a.council for a in expected.applications
        ]
        assert (found.total, found.exact) in ((expected.total, True), (2, False))
        assert found.stage == expected.stage

    def test_ties_in_the_sort_order_are_broken_by_council_then_reference(self, register):
        # The same publication moment for many applications (a frozen clock, a bulk import), put in any order.
        apps = [
            application(number, council=council, published_at=START, received_at=START)
            for number in (5, 1, 4, 2, 3)
            for council in ("OTHR", "DEMO")
        ]
        for app in apps:
            assert register.put(app, [])
        for query in (
            PublicSearch(limit=100),
            PublicSearch(limit=100, order="asc"),
            PublicSearch(limit=100, sort_by="received_at", text="mill"),
            PublicSearch(limit=3, offset=4, statuses=frozenset({"in_assessment"})),
        ):
            expected = select(apps, query)
            assert [(a.council, a.reference) for a in register.search(query).applications] == [
                (a.council, a.reference) for a in expected.applications
            ]

    def test_a_reference_is_found_whole_or_by_its_leading_part_with_or_without_the_council(self, register):
        """As the public types a reference: BOPS shows it with the council's code in front, a register may show it in
        lower case, and a person may type only its year and number (or part of its suffix)."""
        apps = [
            application(7),
            application(7, council="OTHR"),
            application(8, reference="26-00007-LDCP", application_type="ldc.proposed"),
            application(70, reference="26-00070-HAPP"),
            application(9, reference="REF/9"),
        ]
        for app in apps:
            assert register.put(app, [])

        def found(text: str, **filters: object) -> list[tuple[str, str]]:
            query = PublicSearch(text=text, **filters)  # type: ignore[arg-type]
            page = register.search(query)
            assert page.stage == select(apps, query).stage == "reference", text
            found = sorted((a.council, a.reference) for a in page.applications)
            assert found == sorted((a.council, a.reference) for a in select(apps, query).applications)
            return found

        every_7 = [("DEMO", "26-00007-HAPP"), ("DEMO", "26-00007-LDCP"), ("OTHR", "26-00007-HAPP")]
        assert found("26-00007") == found("26-00007-") == found(" 26-00007 ") == every_7
        assert found("26-00007-h") == found("26-00007-HAPP") == [("DEMO", "26-00007-HAPP"), ("OTHR", "26-00007-HAPP")]
        assert found("demo-26-00007-happ") == found("DEMO-26-00007-HA") == [("DEMO", "26-00007-HAPP")]
        assert found("OTHR-26-00007") == [("OTHR", "26-00007-HAPP")]
        assert found("26-00007", councils=frozenset({"OTHR"})) == [("OTHR", "26-00007-HAPP")]
        assert found("26-00007", application_types=frozenset({"ldc.proposed"})) == [("DEMO", "26-00007-LDCP")]
        assert found("ref/9") == [("DEMO", "REF/9")]
        for nothing in ("26-0007", "26-00007-HAPPY", "OTHR-26-00007-L", "XYZ-26-00007", "26-00007-LDCP-X"):
            assert register.search(PublicSearch(text=nothing)).total == 0, nothing
        assert register.search(PublicSearch(text="OTHR-26-00007", councils=frozenset({"DEMO"}))).total == 0

    def test_free_text_tries_reference_then_postcode_then_address_then_description(self, filled):
        assert filled.search(PublicSearch(text="26-00002-HAPP")).stage == "reference"
        assert filled.search(PublicSearch(text="EX1 2AB")).stage == "postcode"
        assert filled.search(PublicSearch(text="mill")).stage == "address"
        assert filled.search(PublicSearch(text="dormer")).stage == "description"

    def test_the_feed_pages_forwards_and_backwards_in_key_order(self, filled):
        apps = sample()
        extra = entry(apps[0], "status_changed", at=START + timedelta(days=40), version=5)
        filled.put(replace(apps[0], version=5), [entry(apps[0]), extra])
        everything = filled.feed(FeedQuery(limit=100))
        keys = [i.entry.key for i in everything.items]
        assert keys == sorted(keys) and len(keys) == 7 and everything.total == 7
        assert not everything.has_more and not everything.has_earlier
        first = filled.feed(FeedQuery(limit=3))
        assert [i.entry.key for i in first.items] == keys[:3] and first.has_more and not first.has_earlier
        second = filled.feed(FeedQuery(after=keys[2], limit=3))
        assert [i.entry.key for i in second.items] == keys[3:6] and second.has_more and second.has_earlier
        back = filled.feed(FeedQuery(before=keys[3], limit=2))
        assert [i.entry.key for i in back.items] == keys[1:3] and back.has_earlier
        assert filled.feed(FeedQuery(after=keys[-1])).items == []
        demo = filled.feed(FeedQuery(councils=frozenset({"OTHR"})))
        assert [i.entry.council for i in demo.items] == ["OTHR"] and demo.total == 1
        held = filled.feed(FeedQuery(until=keys[1]))
        assert [i.entry.key for i in held.items] == keys[:2] and held.total == 2

    def test_feed_items_carry_the_applications_current_heads(self, filled):
        app = application(1)
        heads = (StreamHead(f"application:DEMO:{app.reference}", 7, "c" * 64),)
        filled.put(replace(app, version=9, audit_heads=heads), [entry(app)])
        items = [i for i in filled.feed(FeedQuery()).items if i.entry.reference == app.reference]
        assert [i.audit_heads for i in items] == [heads]
        expected = feed_select([FeedItem(entry(app), heads)], FeedQuery())
        assert items == expected.items

    def test_feed_entries_are_replaced_with_the_record(self, filled):
        app = application(2)
        filled.put(
            replace(app, version=8), [entry(app, "published"), entry(app, "decided", START + timedelta(days=60), 6)]
        )
        kinds = [i.entry.kind for i in filled.feed(FeedQuery()).items if i.entry.reference == app.reference]
        assert kinds == ["published", "decided"]
