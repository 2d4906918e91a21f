"""Countries over HTTP: every ISO 3166-1 country, and every spelling the API accepts for one."""

from __future__ import annotations

import pycountry
import pytest

ISO_3166_1_COUNT = 249


async def walk(client, limit: int) -> tuple[list[dict], int]:
    """Every country, following `next`; returns the items and the number of pages."""
    items, pages, url, params = [], 0, "/v1/countries", {"limit": limit}
    while url:
        response = await client.get(url, params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= limit
        if body["next"]:
            assert response.headers["link"] == f'<{body["next"]}>; rel="next"'
        else:
            assert "link" not in response.headers
        items += body["items"]
        pages += 1
        url, params = body["next"], None
    return items, pages


@pytest.mark.parametrize(("limit", "pages"), [(200, 2), (50, 5), (83, 3)])
async def test_pages_through_every_iso_country_once(client, limit, pages) -> None:
    items, walked = await walk(client, limit)
    codes = [c["code"] for c in items]
    assert len(codes) == ISO_3166_1_COUNT
    assert codes == sorted(set(codes))
    assert set(codes) == {c.alpha_2 for c in pycountry.countries}
    assert walked == pages


async def test_default_page_is_fifty_in_code_order(client) -> None:
    response = await client.get("/v1/countries")
    body = response.json()
    assert len(body["items"]) == 50
    assert body["items"][0]["code"] == "AD"
    assert body["next"]


async def test_list_items_carry_codes_names_and_capitals(client) -> None:
    items, _ = await walk(client, 200)
    by_code = {c["code"]: c for c in items}
    assert by_code["JP"] == {
        "code": "JP",
        "alpha3": "JPN",
        "numeric": "392",
        "name": "Japan",
        "official_name": None,
        "common_name": None,
        "capital": "Tokyo",
        "m49": "392",
        "fips": "JA",
        "cameo": "JPN",
    }
    assert (by_code["CN"]["capital"], by_code["CN"]["official_name"]) == (
        "Beijing",
        "People's Republic of China",
    )
    assert by_code["AD"]["numeric"] == "020"  # numeric codes keep their leading zeros


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("Seoul", "KR"),
        ("KOR", "KR"),
        ("kr", "KR"),
        ("Korea, Republic of", "KR"),
        ("South Korea", "KR"),
        ("south korea", "KR"),
        ("PRC", "CN"),
        ("Beijing", "CN"),
        ("china", "CN"),
        ("Russia", "RU"),
        ("Washington", "US"),
        ("UK", "GB"),
        ("London", "GB"),
        ("Tokyo", "JP"),
        ("Côte d'Ivoire", "CI"),
        ("Cote d'Ivoire", "CI"),
        ("Ivory Coast", "CI"),
    ],
)
async def test_country_resolves_every_accepted_spelling(client, spelling, code) -> None:
    response = await client.get(f"/v1/countries/{spelling}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["code"] == code
    iso = pycountry.countries.get(alpha_2=code)
    assert (body["alpha3"], body["numeric"], body["name"]) == (iso.alpha_3, iso.numeric, iso.name)
    assert body["capital"]
    assert body["aliases"] == sorted(body["aliases"])
    assert code.lower() in body["aliases"]


async def test_korea_detail(client) -> None:
    body = (await client.get("/v1/countries/Seoul")).json()
    assert (body["code"], body["alpha3"], body["numeric"]) == ("KR", "KOR", "410")
    assert (body["name"], body["common_name"], body["capital"]) == (
        "Korea, Republic of",
        "South Korea",
        "Seoul",
    )
    assert {"kr", "kor", "korea, republic of", "south korea", "seoul", "rok"} <= set(body["aliases"])
    # North Korea's spellings stay with North Korea.
    assert "north korea" not in body["aliases"]


async def test_united_kingdom_keeps_its_capital(client) -> None:
    # countryinfo also lists Wales under GB, without a capital; it must not replace the UK.
    body = (await client.get("/v1/countries/UK")).json()
    assert (body["code"], body["capital"]) == ("GB", "London")
    assert "wales" not in body["aliases"]


async def test_every_spelling_gives_the_same_body(client) -> None:
    expected = (await client.get("/v1/countries/CI")).json()
    assert expected["name"] == "Côte d'Ivoire"
    assert expected["capital"] == "Yamoussoukro"
    for spelling in ("Côte d'Ivoire", "COTE D'IVOIRE", "civ", "Yamoussoukro"):
        assert (await client.get(f"/v1/countries/{spelling}")).json() == expected


@pytest.mark.parametrize(("spelling", "suggestion"), [("Japn", "Japan (JP)"), ("Germny", "Germany (DE)"),
                                                       ("Narnia", None)])  # fmt: skip
async def test_unknown_country_is_422_naming_country_with_suggestions(client, spelling, suggestion) -> None:
    response = await client.get(f"/v1/countries/{spelling}")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 422
    assert body["instance"] == f"/v1/countries/{spelling}"
    [error] = body["errors"]
    assert (error["name"], error["location"]) == ("country", "path")
    assert spelling in error["message"]
    assert isinstance(error["suggestions"], list)
    if suggestion:
        assert suggestion in error["suggestions"]


@pytest.mark.parametrize("limit", ["0", "201", "-1", "many"])
async def test_bad_limit_is_422_naming_limit(client, limit) -> None:
    response = await client.get("/v1/countries", params={"limit": limit})
    assert response.status_code == 422
    assert [e["name"] for e in response.json()["errors"]] == ["limit"]


async def test_cursor_from_another_list_is_rejected(client) -> None:
    other = (await client.get("/v1/actors", params={"limit": 1})).json()["next"]
    cursor = other.split("cursor=")[1]
    response = await client.get("/v1/countries", params={"cursor": cursor})
    assert response.status_code == 400
    assert [e["name"] for e in response.json()["errors"]] == ["cursor"]
