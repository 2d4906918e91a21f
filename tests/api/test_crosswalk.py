"""Country codes of other schemes (UN M49, FIPS 10-4, CAMEO) wherever a country is asked for."""

from __future__ import annotations

import json
from pathlib import Path

import pycountry
import pytest

from tests.api.writing import event_body

READ_AS = "detente-country-read-as"
FIPS_TABLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "fips_countries.json"


async def _country(client, text: str) -> tuple[dict, str | None]:
    response = await client.get(f"/v1/countries/{text}")
    assert response.status_code == 200, response.text
    return response.json(), response.headers.get(READ_AS)


async def test_a_country_record_shows_its_code_in_every_scheme(client) -> None:
    japan, _ = await _country(client, "JP")
    assert {k: japan[k] for k in ("code", "alpha3", "numeric", "m49", "fips", "cameo")} == {
        "code": "JP",
        "alpha3": "JPN",
        "numeric": "392",
        "m49": "392",
        "fips": "JA",
        "cameo": "JPN",
    }
    listed = (await client.get("/v1/countries", params={"limit": 200, "cursor": None})).json()["items"]
    china = next(c for c in listed if c["code"] == "CN")
    assert (china["m49"], china["fips"], china["cameo"]) == ("156", "CH", "CHN")


async def test_every_fips_code_of_the_published_table_reads_as_its_iso_country(client) -> None:
    table = json.loads(FIPS_TABLE.read_text()) if FIPS_TABLE.exists() else {"KS": {"iso2": "KR"}}
    iso = {c.alpha_2 for c in pycountry.countries}
    mapped = {fips: row["iso2"] for fips, row in table.items() if row["iso2"] in iso}
    assert len(mapped) > 200 or not FIPS_TABLE.exists()
    for fips, alpha2 in sorted(mapped.items())[:: max(1, len(mapped) // 25)]:
        record, _ = await _country(client, f"fips:{fips}")
        assert (record["code"], record["fips"]) == (alpha2, fips)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("fips:CH", "CN"),
        ("FIPS:ja", "JP"),
        ("fips:KS", "KR"),
        ("m49:156", "CN"),
        ("m49:36", "AU"),
        ("156", "CN"),
        ("036", "AU"),
        ("cameo:CHN", "CN"),
        ("cameo:kor", "KR"),
        ("iso:CH", "CH"),
        ("iso:CHE", "CH"),
        ("iso:756", "CH"),
    ],
)
async def test_a_prefix_reads_the_code_in_that_scheme_and_says_nothing(client, text: str, code: str) -> None:
    record, read_as = await _country(client, text)
    assert record["code"] == code
    assert read_as is None


async def test_a_bare_code_is_iso_and_an_ambiguous_one_says_so(client) -> None:
    # CH is Switzerland in ISO 3166 and China in FIPS 10-4: ISO wins, and the header tells.
    switzerland, read_as = await _country(client, "CH")
    assert switzerland["code"] == "CH"
    assert read_as == "country=iso:CH->CH"
    # FR is France in both schemes: nothing to say.
    france, read_as = await _country(client, "fr")
    assert (france["code"], read_as) == ("FR", None)
    # Names, capitals and M49 numbers are not ambiguous.
    for text in ("Japan", "Tokyo", "JPN", "392"):
        assert (await _country(client, text))[1] is None


async def test_a_two_letter_code_iso_lacks_is_read_as_fips_and_the_response_says_so(client) -> None:
    japan, read_as = await _country(client, "JA")
    assert japan["code"] == "JP"
    assert read_as == "country=fips:JA->JP"


async def test_every_country_parameter_reads_the_schemes(client) -> None:
    by_iso = (await client.get("/v1/events", params={"pair": "CN,JP"})).json()["items"]
    assert by_iso
    for pair in ("fips:CH,fips:JA", "m49:156,392", "cameo:CHN,JA", "Beijing,iso:JP"):
        response = await client.get("/v1/events", params={"pair": pair})
        assert response.status_code == 200, response.text
        assert [e["id"] for e in response.json()["items"]] == [e["id"] for e in by_iso], pair
    directed = await client.get("/v1/events", params={"initiator": "fips:CH", "target": "JA"})
    assert directed.status_code == 200
    assert directed.headers[READ_AS] == "target=fips:JA->JP"
    assert {e["id"] for e in directed.json()["items"]} <= {e["id"] for e in by_iso}
    history = await client.get("/v1/relationships/fips:CH/JA")
    assert history.status_code == 200, history.text
    assert history.headers[READ_AS] == "b=fips:JA->JP"
    assert (await client.get("/v1/relationships/CN/JP")).json() == history.json()


async def test_the_header_lists_each_ambiguous_reading_of_a_request(client) -> None:
    # CN is China in ISO but Comoros in FIPS; KS is only FIPS (South Korea).
    response = await client.get("/v1/deals", params={"pair": "CN,KS"})
    assert response.status_code == 200
    assert response.headers[READ_AS] == "pair=iso:CN->CN, pair=fips:KS->KR"
    same = await client.get("/v1/deals", params={"pair": "China,South Korea"})
    assert response.json()["items"] == same.json()["items"]
    assert READ_AS not in same.headers


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("fips:ZZ", "not a country code in FIPS 10-4"),
        ("iso:JA", "not a country code in ISO 3166-1"),
        ("m49:999", "not a country code in UN M49"),
        ("cameo:ZZZ", "not a country code in CAMEO"),
        ("fips:KV", "Kosovo, which has no current ISO 3166-1 code"),
        ("gdelt:CH", "unknown code scheme 'gdelt'"),
        ("QQ", "unknown country 'QQ'"),
    ],
)
async def test_codes_that_name_no_country_are_a_problem_naming_the_parameter(client, text, says) -> None:
    for url, params, name in (
        ("/v1/events", {"country": text}, "country"),
        (f"/v1/countries/{text}", None, "country"),
    ):
        response = await client.get(url, params=params)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["errors"][0]["name"] == name
        assert says in problem["errors"][0]["message"]


async def test_written_bodies_read_the_schemes_and_say_how(api) -> None:
    body = event_body(
        participants=[{"role": "initiator", "country": "fips:CH"}, {"role": "target", "country": "JA"}]
    )
    created = await api.post("/v1/events", json=body)
    assert created.status_code == 201, created.text
    assert {(p["role"], p["country"]) for p in created.json()["participants"]} == {
        ("initiator", "CN"),
        ("target", "JP"),
    }
    assert "fips:JA->JP" in created.headers[READ_AS]


async def test_browsers_may_read_the_header(make_client, seeded_url: str) -> None:
    async with make_client(seeded_url, cors_allow_origins="https://example.org") as browser:
        response = await browser.get("/v1/countries/JA", headers={"Origin": "https://example.org"})
    assert response.headers[READ_AS] == "country=fips:JA->JP"
    exposed = response.headers["access-control-expose-headers"].lower()
    assert READ_AS in [h.strip() for h in exposed.split(",")]
