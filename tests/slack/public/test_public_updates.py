"""Public updates from Slack through the HTTP edge: the form, drafts approved or rejected by the IC, edits, stale
buttons, the published notice with its public link, and the prompt to publish a resolved update."""

import json

from sqlalchemy import select

from firebell.store.models import StatusIncident, StatusUpdate
from tests.clock import Clock
from tests.harness import Firebell
from tests.slack.public.flows import block, buttons, declare, drafts, open_form, press, shown, told

PUBLIC_TITLE = "Card payments failing for some customers"
HOSTILE = "Fixing <script>alert(1)</script> now <!channel> @here &amp; <@U0BOGUS>"


def stored(firebell: Firebell) -> tuple[StatusIncident | None, list[StatusUpdate]]:
    with firebell.runtime.ctx.db.read() as session:
        status_incident = session.scalar(select(StatusIncident))
        updates = list(session.scalars(select(StatusUpdate).order_by(StatusUpdate.id)))
        session.expunge_all()
    return status_incident, updates


def kinds(firebell: Firebell) -> list[str]:
    return [kind for kind, _, _ in firebell.timeline(1)]


def test_the_ic_publishes_from_the_form_and_the_room_gets_the_public_link(firebell: Firebell, clock: Clock) -> None:
    room = declare(firebell)
    view = open_form(firebell, "alice", room)
    title = block(view, "title")
    assert "initial_value" not in title["element"]  # the incident's own title is never offered to the public
    components = block(view, "components")["element"]
    assert [o["value"] for o in components["options"]] == ["checkout-api", "website", "search"]
    assert [o["value"] for o in components["initial_options"]] == ["checkout-api"]  # the incident's service's
    assert block(view, "status")["element"]["initial_option"]["value"] == "investigating"
    assert block(view, "component_status.checkout-api")["element"]["initial_option"]["value"] == "partial_outage"
    body = block(view, "body")["element"]["initial_value"]
    assert (
        body == "We are investigating reports of problems with Checkout API. We will post an update within 30 minutes."
    )
    assert "Checkout DB failover" not in json.dumps(view.view)  # nothing internal in the form
    assert view.view["submit"]["text"] == "Publish now"
    assert block(view, "draft_only")  # the IC may still ask for a review
    result = firebell.driver.submit_view(
        "alice", view.id, {"title": PUBLIC_TITLE, "component_status.checkout-api": "major_outage"}
    )
    assert result.view_outcome == "closed"
    status_incident, [update] = stored(firebell)
    assert status_incident is not None and status_incident.title == PUBLIC_TITLE
    assert update.state == "published" and update.components == {"checkout-api": "major_outage"}
    assert update.decided_by == firebell.emu.user_id("alice")
    assert status_incident.next_update_due_at == clock.now + __import__("datetime").timedelta(minutes=30)
    firebell.settle()
    link = f"https://status.acme.example/status/incidents/{status_incident.public_id}"
    notice = firebell.wait_for(
        lambda: [m for m in firebell.bot_messages(room) if "Public update published by" in shown(m)], what="notice"
    )[0]
    assert link in shown(notice)
    assert "public_update_published" in kinds(firebell)
    assert drafts(firebell, room) == []  # published directly: no draft to approve


def test_a_draft_is_approved_by_the_ic_only_and_its_message_shows_who_published(firebell: Firebell) -> None:
    emu = firebell.emu
    room = declare(firebell)
    view = open_form(firebell, "bob", room)
    assert view.view["submit"]["text"] == "Submit draft"
    assert "draft_only" not in [b.get("block_id") for b in view.view["blocks"]]  # only the IC may publish
    firebell.driver.submit_view("bob", view.id, {"title": PUBLIC_TITLE, "body": HOSTILE})
    firebell.settle()
    [draft] = drafts(firebell, room)
    assert buttons(draft) == ["Approve & publish", "Edit", "Reject"]
    text = shown(draft)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "&lt;!channel&gt;" in text
    assert "<script>" not in text and "<!channel>" not in text and "<@U0BOGUS>" not in text
    assert all(b["text"].get("verbatim") for b in draft.blocks if b["type"] == "section")  # @here stays text
    assert "&amp;amp;" in text  # an entity typed in stays as typed
    press(firebell, "bob", room, draft, "Approve & publish")
    firebell.wait_for(lambda: told(firebell, "bob", "Only the Incident Commander may publish"), what="refusal")
    assert stored(firebell)[1][0].state == "draft"
    press(firebell, "alice", room, draft, "Approve & publish")
    published = firebell.wait_for(
        lambda: "Public update published" in shown(emu.message(room, draft.ts)) and emu.message(room, draft.ts),
        what="the draft updated in place",
    )
    assert buttons(published) == []
    assert f"<@{emu.user_id('alice')}>" in shown(published) and "<!date^" in shown(published)
    [update] = stored(firebell)[1]
    assert update.state == "published" and update.body == HOSTILE  # stored as written; escaped where shown
    firebell.settle()
    assert any("Public update published by" in shown(m) for m in firebell.bot_messages(room))
    assert kinds(firebell).count("public_update_drafted") == 1 and "public_update_published" in kinds(firebell)


def test_rejecting_asks_why_and_the_message_says_so(firebell: Firebell) -> None:
    emu = firebell.emu
    room = declare(firebell)
    firebell.driver.submit_view("bob", open_form(firebell, "bob", room).id, {"title": PUBLIC_TITLE})
    firebell.settle()
    [draft] = drafts(firebell, room)
    press(firebell, "carol", room, draft, "Reject")
    firebell.wait_for(lambda: told(firebell, "carol", "may reject a public update"), what="refusal")
    before = set(emu.views)
    press(firebell, "alice", room, draft, "Reject")
    form = firebell.wait_for(lambda: next((v for k, v in emu.views.items() if k not in before), None), what="form")
    assert form.view["callback_id"] == "public_update.reject_form"
    firebell.driver.submit_view("alice", form.id, {"reason": "Say <b>payments</b>, not the database"})
    rejected = firebell.wait_for(
        lambda: "not published" in shown(emu.message(room, draft.ts)) and emu.message(room, draft.ts), what="redraw"
    )
    assert "Say &lt;b&gt;payments&lt;/b&gt;, not the database" in shown(rejected) and buttons(rejected) == []
    status_incident, [update] = stored(firebell)
    assert update.state == "rejected" and status_incident is not None and status_incident.published_at is None
    assert "public_update_rejected" in kinds(firebell)


def test_editing_replaces_the_draft_and_stale_buttons_answer_clearly(firebell: Firebell) -> None:
    emu = firebell.emu
    room = declare(firebell)
    firebell.driver.submit_view("bob", open_form(firebell, "bob", room).id, {"title": PUBLIC_TITLE})
    firebell.settle()
    [first] = drafts(firebell, room)
    before = set(emu.views)
    press(firebell, "carol", room, first, "Edit")
    edit = firebell.wait_for(lambda: next((v for k, v in emu.views.items() if k not in before), None), what="form")
    assert block(edit, "body")["element"]["initial_value"].startswith("We are investigating reports")
    assert block(edit, "title")["element"]["initial_value"] == PUBLIC_TITLE  # not yet public: it may change
    firebell.driver.submit_view("carol", edit.id, {"body": "Card payments fail for some customers. Next update soon."})
    firebell.wait_for(lambda: "superseded" in shown(emu.message(room, first.ts)), what="the edited draft redrawn")
    firebell.settle()
    second = drafts(firebell, room)[-1]
    assert "Card payments fail for some customers" in shown(second) and buttons(second) == [
        "Approve & publish",
        "Edit",
        "Reject",
    ]
    # A third draft from the command leaves the second's buttons in place: pressing them is answered plainly.
    firebell.driver.submit_view("bob", open_form(firebell, "bob", room).id, {"body": "Third try"})
    firebell.settle()
    press(firebell, "alice", room, second, "Approve & publish")
    firebell.wait_for(lambda: told(firebell, "alice", "replaced by a newer one"), what="stale answer")
    states = [u.state for u in stored(firebell)[1]]
    assert states == ["superseded", "superseded", "draft"]
    firebell.wait_for(lambda: "superseded" in shown(emu.message(room, second.ts)), what="the stale draft redrawn")


def test_changing_the_status_without_touching_the_text_uses_that_status_wording(firebell: Firebell) -> None:
    room = declare(firebell)
    view = open_form(firebell, "alice", room)
    firebell.driver.submit_view("alice", view.id, {"title": PUBLIC_TITLE, "status": "identified"})
    [update] = stored(firebell)[1]
    assert update.status == "identified"
    assert update.body.startswith("We have identified the cause of the problems with Checkout API")


def test_bad_input_is_refused_under_its_field(firebell: Firebell) -> None:
    room = declare(firebell)
    view = open_form(firebell, "alice", room)
    result = firebell.driver.submit_view("alice", view.id, {"title": "   "})
    assert result.json()["response_action"] == "errors" and "public title" in json.dumps(result.json()["errors"])
    assert stored(firebell) == (None, [])


def test_the_command_is_in_help_and_refused_outside_a_war_room(firebell: Firebell) -> None:
    help_text = firebell.driver.answer(
        firebell.driver.slash_command("/incident", "help", user="alice", channel="general")
    )
    assert "statuspage" in json.dumps(help_text)
    firebell.driver.slash_command("/incident", "statuspage", user="alice", channel="general")
    firebell.wait_for(lambda: told(firebell, "alice", "isn't an incident channel"), what="refusal")
    answer = firebell.driver.answer(
        firebell.driver.slash_command("/incident", "statuspage now", user="alice", channel="general")
    )
    assert "takes nothing after it" in answer["text"]
    assert firebell.emu.views == {}


def test_resolving_asks_for_a_resolved_update_and_its_button_publishes_one(firebell: Firebell) -> None:
    emu = firebell.emu
    room = declare(firebell)
    firebell.driver.submit_view("alice", open_form(firebell, "alice", room).id, {"title": PUBLIC_TITLE})
    firebell.driver.slash_command("/incident", "resolve", user="alice", channel=room)
    firebell.settle()
    prompt = firebell.wait_for(
        lambda: [m for m in firebell.bot_messages(room) if "Publish resolved update" in shown(m)], what="the prompt"
    )[0]
    assert "still says *Investigating*" in shown(prompt)
    before = set(emu.views)
    press(firebell, "alice", room, prompt, "Publish resolved update")
    view = firebell.wait_for(lambda: next((v for k, v in emu.views.items() if k not in before), None), what="form")
    assert block(view, "status")["element"]["initial_option"]["value"] == "resolved"
    assert block(view, "component_status.checkout-api")["element"]["initial_option"]["value"] == "operational"
    assert "have been resolved" in block(view, "body")["element"]["initial_value"]
    assert "title" not in [b.get("block_id") for b in view.view["blocks"]]  # public already: the title stays
    firebell.driver.submit_view("alice", view.id, {})
    status_incident, updates = stored(firebell)
    assert status_incident is not None and status_incident.resolved_at is not None
    assert status_incident.next_update_due_at is None
    assert [u.status for u in updates] == ["investigating", "resolved"]
    assert updates[-1].components == {"checkout-api": "operational"}
