"""The rules behind clinic settings and locations: contrast, social links, phones, zones,
holiday regions, hours and closures (pure functions, no database)."""

from __future__ import annotations

from datetime import date, time

import pytest

from meridian.content.brand import check_brand, contrast, suggest
from meridian.content.places import (
    clean_email,
    clean_phone,
    clean_subdivision,
    clean_zone,
    closure_days,
    format_day_hours,
    parse_day_hours,
    zones_for,
)
from meridian.content.social import BY_KEY, check_social, clean_link


def test_contrast_matches_wcag_reference_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("colour", ["#5fa8d3", "#ffcc00", "#777777", "#ffffff", "#00ff00"])
def test_a_failing_colour_gets_a_near_suggestion_that_passes(colour):
    errors = check_brand({"brand_primary": colour})
    assert "WCAG AA needs 4.5:1" in errors["brand_primary"]
    suggestion = suggest(colour)
    assert suggestion in errors["brand_primary"]
    assert contrast(suggestion, "#ffffff") >= 4.5
    assert check_brand({"brand_primary": suggestion}) == {}


def test_the_demo_colours_pass_and_bad_syntax_is_named():
    assert check_brand({"brand_primary": "#1f2f56", "brand_accent": "#17695a"}) == {}
    assert "#rrggbb" in check_brand({"brand_accent": "teal"})["brand_accent"]


@pytest.mark.parametrize(
    ("network", "raw", "stored"),
    [
        ("facebook", "facebook.com/zakclinic", "https://facebook.com/zakclinic"),
        ("instagram", "@acute.acu", "https://www.instagram.com/acute.acu/"),
        ("twitter", "http://twitter.com/AcuteAcuNZ", "https://twitter.com/AcuteAcuNZ"),
        ("twitter", "https://x.com/zak", "https://x.com/zak"),
        (
            "linkedin",
            "https://nz.linkedin.com/company/acute",
            "https://nz.linkedin.com/company/acute",
        ),
        ("youtube", "@clinic", "https://www.youtube.com/@clinic"),
        ("facebook", "  ", ""),
    ],
)
def test_social_links_are_normalised(network, raw, stored):
    assert clean_link(BY_KEY[network], raw) == stored


@pytest.mark.parametrize(
    ("network", "raw", "message"),
    [
        ("facebook", "https://facebok.com/zak", "not on Facebook"),
        ("facebook", "javascript:alert(1)", "Facebook"),
        ("twitter", "https://twitter.com/zak/status/123", "does not look like a profile"),
        ("linkedin", "https://www.linkedin.com/feed/", "does not look like a profile"),
        ("instagram", "https://user:pw@instagram.com/zak", "instagram.com/yourclinic"),
        ("instagram", "https://instagram.com.evil.test/zak", "not on Instagram"),
    ],
)
def test_social_links_elsewhere_are_refused(network, raw, message):
    with pytest.raises(ValueError, match=message):
        clean_link(BY_KEY[network], raw)


def test_check_social_names_the_field_and_refuses_unknown_networks():
    links, errors = check_social({"facebook": "https://example.com/x", "myspace": "x"})
    assert links == {}
    assert set(errors) == {"social_facebook", "social_myspace"}


def test_phone_numbers_are_checked_for_the_country():
    assert clean_phone("07967 525168", "GB") == "+44 7967 525168"
    assert clean_phone("04 499 1234", "NZ") == "+64 4 499 1234"
    assert clean_phone("", "NZ") == ""
    with pytest.raises(ValueError, match="not a valid phone number in New Zealand"):
        clean_phone("07967 525168", "NZ")
    with pytest.raises(ValueError, match="not a phone number"):
        clean_phone("call us", "GB")


def test_email_zone_and_holiday_region():
    assert clean_email(" Hello@Clinic.example ") == "Hello@clinic.example"
    with pytest.raises(ValueError):
        clean_email("not an address")
    assert zones_for("NZ") == ("Pacific/Auckland", "Pacific/Chatham")
    assert clean_zone("Europe/London", "GB") == "Europe/London"
    with pytest.raises(ValueError, match="time zone of New Zealand"):
        clean_zone("Europe/London", "NZ")
    assert clean_subdivision("WGN", "NZ") == "WGN"
    assert clean_subdivision("", "NZ") == ""
    with pytest.raises(ValueError, match="region of United Kingdom"):
        clean_subdivision("WGN", "GB")


def test_weekly_hours_read_several_ranges_a_day():
    assert parse_day_hours("9-12:30, 13:30–18:00") == [
        (time(9), time(12, 30)),
        (time(13, 30), time(18)),
    ]
    assert parse_day_hours("") == [] and parse_day_hours("Closed") == []
    assert format_day_hours(parse_day_hours("13:30-18, 09:00-12:30")) == "09:00-12:30, 13:30-18:00"
    for bad, message in [
        ("9-12, 11-14", "overlap at 11:00"),
        ("17:00-09:00", "closes before it opens"),
        ("25:00-26:00", "does not exist"),
        ("morning", "does not read"),
    ]:
        with pytest.raises(ValueError, match=message):
            parse_day_hours(bad)


def test_closure_ranges():
    assert closure_days(date(2026, 12, 24), date(2026, 12, 27)) == [
        date(2026, 12, 24),
        date(2026, 12, 25),
        date(2026, 12, 26),
        date(2026, 12, 27),
    ]
    assert closure_days(date(2026, 1, 2), None) == [date(2026, 1, 2)]
    with pytest.raises(ValueError, match="before the first"):
        closure_days(date(2026, 1, 2), date(2026, 1, 1))
    with pytest.raises(ValueError, match="at most 366"):
        closure_days(date(2026, 1, 1), date(2027, 6, 1))
