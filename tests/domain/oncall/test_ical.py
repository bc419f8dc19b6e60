"""The calendar feed's text: RFC 5545 escaping and folding, each person's shifts joined, parsed back by icalendar."""

from datetime import UTC, datetime, timedelta

import icalendar

from firebell.domain.oncall.ical import PersonShift, escape_text, event_uid, fold, person_shifts, render_calendar

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
H = timedelta(hours=1)


def test_text_values_are_escaped() -> None:
    assert escape_text("a;b,c\\d\ne") == "a\\;b\\,c\\\\d\\ne"


def test_long_lines_fold_at_75_octets_without_splitting_a_character() -> None:
    line = "DESCRIPTION:" + "é" * 100
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == line
    assert fold("SHORT:x") == "SHORT:x"


def test_touching_spans_of_one_person_join_and_others_stay_apart() -> None:
    spans = [(T0, T0 + H, ("U1",)), (T0 + H, T0 + 2 * H, ("U1", "U2")), (T0 + 3 * H, T0 + 4 * H, ("U1",))]
    shifts = person_shifts("ops", spans)
    assert [(s.user, s.start, s.end) for s in shifts] == [
        ("U1", T0, T0 + 2 * H),
        ("U2", T0 + H, T0 + 2 * H),
        ("U1", T0 + 3 * H, T0 + 4 * H),
    ]
    assert [s.user for s in person_shifts("ops", spans, user="U2")] == ["U2"]
    assert person_shifts("ops", [(T0, T0 + H, ())]) == []


def test_uids_depend_on_schedule_person_and_start_only() -> None:
    one = PersonShift("ops", "U1", T0, T0 + H)
    assert event_uid(one) == event_uid(PersonShift("ops", "U1", T0, T0 + 2 * H))
    assert event_uid(one) != event_uid(PersonShift("ops", "U2", T0, T0 + H))
    assert event_uid(one) != event_uid(PersonShift("web", "U1", T0, T0 + H))


def test_the_calendar_parses_back_with_every_required_property() -> None:
    shifts = [PersonShift("ops", "U1", T0, T0 + H), PersonShift("ops", "U2", T0 + H, T0 + 2 * H)]
    text = render_calendar("ops", shifts, stamp=T0, names={"U1": "Ann; the, first"})
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    calendar = icalendar.Calendar.from_ical(text)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = list(calendar.walk("VEVENT"))
    assert [(e.decoded("DTSTART"), e.decoded("DTEND")) for e in events] == [(T0, T0 + H), (T0 + H, T0 + 2 * H)]
    assert all(e.decoded("DTSTAMP") == T0 and str(e["SUMMARY"]) == "On call: ops" for e in events)
    assert str(events[0]["DESCRIPTION"]) == "Ann; the, first is on call for ops."
    assert str(events[1]["DESCRIPTION"]) == "U2 is on call for ops."


def test_an_empty_schedule_is_still_a_calendar() -> None:
    calendar = icalendar.Calendar.from_ical(render_calendar("ops", [], stamp=T0))
    assert list(calendar.walk("VEVENT")) == []
