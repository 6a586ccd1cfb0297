"""The team on the public site: "Our team", a page per practitioner, "book with"."""

from __future__ import annotations

import re

from sqlalchemy import select

from meridian.extensions import db
from meridian.models import Location, Practitioner, Service


def ids(app, tenant, model, **by):
    with app.app_context():
        return db.session.scalars(select(model.id).filter_by(tenant_id=tenant.id, **by)).one()


def test_team_page_shows_each_practitioner_with_a_book_with_link(app, demo, client_for):
    acute = demo["acute-acupuncture"]
    response = client_for(acute).get("/team")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    html = response.text
    aroha = ids(app, acute, Practitioner, slug="aroha-ngata")
    daniel = ids(app, acute, Practitioner, slug="daniel-chen")
    location = acute.locations[0].id
    for name, person, slug in ((
        "Aroha Ngata", aroha, "aroha-ngata"), ("Daniel Chen", daniel, "daniel-chen")
    ):  # fmt: skip
        assert f'href="/team/{slug}">{name}</a>' in html
        # One location: the link carries it too, so the visitor picks neither twice.
        assert (
            f'href="/book?practitioner={person}&amp;location={location}">Book with {name}' in html
        )
        # The photograph from the bundle went through the media library: responsive
        # copies, the displayed size for `sizes`, intrinsic size, lazy, described.
        card = html[html.index(f'href="/team/{slug}"') - 1200 : html.index(f'href="/team/{slug}"')]
        img = re.search(
            r'<img src="/media/[^"]+-400w-[0-9a-f]+\.webp" srcset="([^"]+)" [^>]*>', card
        )
        assert img is not None, card
        assert img[1].count("w, ") >= 1 and 'sizes="128px"' in img[0]
        assert 'width="800" height="800"' in img[0] and 'loading="lazy"' in img[0]
        assert f'alt="Illustrated portrait of {name}' in img[0] and 'class="portrait"' in img[0]
    assert html.index("Aroha Ngata") < html.index("Daniel Chen")  # team order
    assert "te reo Māori" in html and "Mandarin" in html


def test_a_practitioner_without_a_photograph_gets_the_bundle_file_or_nothing(app, demo, client_for):
    acute = demo["acute-acupuncture"]
    with app.app_context():
        people = db.session.scalars(select(Practitioner).filter_by(tenant_id=acute.id)).all()
        for person in people:
            person.photo_media_id = None
            person.photo = "logo.svg" if person.slug == "aroha-ngata" else None
        acute_row = db.session.get(type(acute), acute.id)
        acute_row.content_version += 1
        db.session.commit()
    html = client_for(acute).get("/team").text
    assert '<img class="portrait" src="/brand/logo.svg" alt="" width="128" height="128"' in html
    assert html.count('class="portrait"') == 1  # Daniel: no picture, no empty frame


def test_practitioner_page_says_what_where_and_when(app, demo, client_for):
    zak = demo["zak-clinic"]
    html = client_for(zak).get("/team/samira-haddad").text
    samira = ids(app, zak, Practitioner, slug="samira-haddad")
    assert "<h1>Samira Haddad</h1>" in html
    # She works at both locations: the "book with" link leaves the location to choose.
    assert f'href="/book?practitioner={samira}">Book with Samira Haddad' in html
    assert "Pimlico (Warwick Pharmacy)" in html and "Islington (demo)" in html
    assert "Samira Haddad at Islington (demo) (London time)" in html
    # Islington hours: Tuesday afternoon and evening, in the UK's 24-hour clock.
    islington = html[html.index("Samira Haddad at Islington") :]
    assert re.search(r"Tuesday</th>\s*<td>14:00–20:00</td>", islington)
    free = ids(app, zak, Service, slug="free-consultation")
    assert f'href="/book?practitioner={samira}&amp;service={free}">Book' in html


def test_unknown_and_retired_practitioners_are_not_shown(app, demo, client_for):
    acute = demo["acute-acupuncture"]
    client = client_for(acute)
    assert client.get("/team/nobody").status_code == 404
    assert client.get("/team/samira-haddad").status_code == 404  # Zak Clinic's
    with app.app_context():
        daniel = db.session.scalars(select(Practitioner).filter_by(slug="daniel-chen")).one()
        daniel.active = False
        db.session.commit()
    assert client.get("/team/daniel-chen").status_code == 404
    assert "Daniel Chen" not in client.get("/team").text


def test_home_page_shows_the_team_and_preselects_the_free_consultation(app, demo, client_for):
    acute = demo["acute-acupuncture"]
    html = client_for(acute).get("/").text
    assert '<h2 id="team-heading">Our team</h2>' in html
    assert "Book with Aroha Ngata" in html and "Book with Daniel Chen" in html
    free = ids(app, acute, Service, slug="free-consultation")
    # The primary button (its calendar icon aside) books the free consultation.
    assert re.search(
        rf'href="/book\?service={free}">(<svg[^>]*>.*?</svg>)?(<span>)?Book a free 15-minute consultation',
        html,
    )
    # Each service has its own Book button carrying that service.
    follow_up = ids(app, acute, Service, slug="follow-up-treatment")
    assert f'href="/book?service={follow_up}">Book<span class="visually-hidden">' in html


def test_location_page_books_the_consultation_there(app, demo, client_for):
    zak = demo["zak-clinic"]
    islington = ids(app, zak, Location, slug="islington-demo")
    free = ids(app, zak, Service, slug="free-consultation")
    html = client_for(zak).get("/contact/islington-demo").text
    assert f'href="/book?service={free}&amp;location={islington}"' in html


def test_team_page_costs_the_same_queries_however_big_the_team(
    app, make_tenant, make_service, add_practitioner, client_for, count_queries
):
    tenant = make_tenant()
    make_service(tenant)
    client = client_for(tenant)
    with count_queries() as small:
        assert client.get("/team").status_code == 200
    for n in range(6):
        add_practitioner(tenant, f"person-{n}", position=n + 2)
    from meridian.extensions import cache

    with app.app_context():
        cache.clear()
    with count_queries() as big:
        html = client.get("/team").text
    assert "Person-5 Example" in html
    assert len(big) == len(small) <= 4, big
