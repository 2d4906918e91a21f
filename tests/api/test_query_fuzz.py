"""Property-based fuzzing of filter, sort and cursor parsing through the real app.

Every GET route and query parameter comes from openapi.yaml, so a new filter is fuzzed as soon
as it is documented. Whatever a client sends (text, raw bytes, SQL), the answer is a 200 or a
problem (4xx), never a 5xx; SQL text in any parameter changes nothing; and a cursor only works
for the query that issued it, byte for byte.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_from_bytes, urlsplit

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
INJECTION = "'; DROP TABLE events; --"
# Path parameters filled with values that exist in the seed world.
PATH_VALUES = {
    "a": "KR",
    "b": "CN",
    "country": "KR",
    "event_id": "ev-2026-01-06-cn-dual-use-export-ban-japan-military",
    "deal_id": "deal-2026-01-06-kr-cn-export-contracts-beijing",
    "actor_id": "actor-alibaba",
    "source_id": "src-2026-01-07-thestar-scmp-china-south-korea-trade-deals",
    "period_id": "rel-cn-jp-2025-12-29",
    "type_id": "visit",
}
# Not query parsing: `wait` holds a request open (the long poll of /v1/changes).
SKIPPED_PARAMS = {"wait"}

# Deterministic and bounded: the same examples on every run, well under a minute in all.
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _get_routes() -> dict[str, list[str]]:
    """Each GET route of the spec (path parameters filled in) and its query parameters."""
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    routes: dict[str, list[str]] = {}
    for template, operations in spec["paths"].items():
        get = operations.get("get")
        if get is None or not template.startswith("/v1/"):
            continue
        params = get.get("parameters", [])
        path = template
        for param in params:
            if param["in"] == "path":
                path = path.replace("{" + param["name"] + "}", PATH_VALUES[param["name"]])
        routes[path] = [p["name"] for p in params if p["in"] == "query" and p["name"] not in SKIPPED_PARAMS]
    return routes


ROUTES = _get_routes()
LIST_ROUTES = sorted(path for path, params in ROUTES.items() if "limit" in params)

# Values that tend to break parsers: numbers at and past every edge, odd dates, SQL and LIKE
# metacharacters, tsquery syntax, NUL and other control characters, long and empty strings.
TRICKY = [
    "", " ", "0", "-1", "1", "200", "201", "1e309", "-0", "NaN", "Infinity", "-Infinity", "0x10",
    "9" * 40, "1.5", "1,000", "2026-02-30", "0001-01-01", "9999-12-31", "10000-01-01", "2026-1-7",
    "2026-01-07T25:00:00Z", "2026-01-07T00:00:00", "2026-01-07T00:00:00+99:00", "1700000000",
    INJECTION, "' OR '1'='1", "%", "_", "\\", "\\x00", "\x00", "a\x00b", "\r\n", "\t", "\u202e",
    '"unterminated', "!!!", "a & b | c", "<->", ":*", "-", "CN,JP", "CN-JP", "Seoul,Seoul", ",",
    "Seoul", "KR", "korea", "x" * 1000, "é" * 60, "🇰🇷", "null", "[]", "{}", "=",
]  # fmt: skip
VALUES = st.one_of(
    st.sampled_from(TRICKY),
    st.text(max_size=40),
    st.binary(max_size=24),  # sent as raw percent-escaped bytes, often not UTF-8
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)


def _query(params: list[tuple[str, str | bytes]]) -> str:
    def enc(value: str | bytes) -> str:
        return quote_from_bytes(value, safe="") if isinstance(value, bytes) else quote(value, safe="")

    return "&".join(f"{enc(k)}={enc(v)}" for k, v in params)


def _assert_answered(response: Any) -> None:
    """A 200, or a problem document for a client error; never a server error."""
    assert response.status_code < 500, (response.status_code, response.text)
    assert response.status_code in {200, 400, 404, 422}, (response.status_code, response.text)
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json"), response.headers
        problem = response.json()
        assert problem["status"] == response.status_code
        assert "Traceback" not in response.text


@st.composite
def _requests(draw: st.DrawFn) -> str:
    path = draw(st.sampled_from(sorted(ROUTES)))
    names = ROUTES[path]
    params = draw(
        st.lists(
            st.tuples(st.sampled_from(names) if names else st.just("q"), VALUES),
            max_size=5,
        )
    )
    return f"{path}?{_query(params)}"


@settings(FUZZ, max_examples=600)
@given(url=_requests())
async def test_no_query_string_gets_a_server_error(client: Any, url: str) -> None:
    _assert_answered(await client.get(url))


@FUZZ
@given(path=st.sampled_from(sorted(ROUTES)), name=st.text(max_size=20), value=VALUES)
async def test_unknown_parameters_are_harmless(client: Any, path: str, name: str, value: Any) -> None:
    _assert_answered(await client.get(f"{path}?{_query([(name, value)])}"))


@settings(FUZZ, max_examples=40)
@given(
    template=st.sampled_from(
        ["/v1/events/{}", "/v1/countries/{}", "/v1/pairs/{}/CN", "/v1/relationships/KR/{}"]
    ),
    value=st.one_of(
        st.sampled_from(TRICKY), st.text(min_size=1, max_size=40), st.binary(min_size=1, max_size=24)
    ),
)
async def test_no_path_segment_gets_a_server_error(client: Any, template: str, value: Any) -> None:
    segment = quote_from_bytes(value, safe="") if isinstance(value, bytes) else quote(value, safe="")
    _assert_answered(await client.get(template.format(segment)))


# SQL text


async def _snapshot(client: Any) -> dict[str, Any]:
    found = {}
    for path in ("/v1/events", "/v1/deals", "/v1/actors", "/v1/sources", "/v1/pairs", "/v1/relationships"):
        response = await client.get(
            path, params={"limit": "200", "as_of": "2026-01-07"} if "rel" in path else {"limit": "200"}
        )
        assert response.status_code == 200, response.text
        found[path] = response.json()["items"]
    return found


async def test_sql_in_any_parameter_is_only_ever_data(client: Any) -> None:
    before = await _snapshot(client)
    for path, names in sorted(ROUTES.items()):
        for name in names:
            response = await client.get(path, params={name: INJECTION})
            _assert_answered(response)
            assert response.status_code in {200, 400, 422}, (path, name, response.text)
        # Every parameter at once, too.
        _assert_answered(await client.get(path, params=dict.fromkeys(names, INJECTION)))
    # Full-text search takes it as words to look for: a plain 200.
    for path in ("/v1/events", "/v1/deals", "/v1/actors"):
        response = await client.get(path, params={"q": INJECTION})
        assert response.status_code == 200, response.text
    for template in ("/v1/events/{}", "/v1/deals/{}", "/v1/actors/{}", "/v1/sources/{}"):
        response = await client.get(template.format(quote(INJECTION, safe="")))
        assert response.status_code in {404, 422}, response.text
    assert await _snapshot(client) == before
    assert (await client.get("/v1/events", params={"limit": "1"})).status_code == 200


# Cursors


async def _cursor(client: Any, path: str, params: dict[str, str]) -> str:
    response = await client.get(path, params={**params, "limit": "1"})
    assert response.status_code == 200, response.text
    next_url = response.json()["next"]
    assert next_url is not None, (path, params)
    return str(dict(p.split("=", 1) for p in urlsplit(next_url).query.split("&"))["cursor"])


def _assert_bad_cursor(response: Any) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["name"] == "cursor"


# Queries that each have a second page, no two of which select the same rows.
QUERIES: list[tuple[str, dict[str, str]]] = [
    ("/v1/events", {}),
    ("/v1/events", {"country": "KR"}),
    ("/v1/events", {"pair": "CN,JP"}),
    ("/v1/events", {"from": "2025-01-01"}),
    ("/v1/deals", {}),
    ("/v1/deals", {"country": "CN"}),
    ("/v1/actors", {}),
    ("/v1/countries", {}),
    ("/v1/pairs", {}),
    ("/v1/pairs/KR/CN/events", {}),
    ("/v1/relationships", {"as_of": "2026-01-07"}),
]
_issued: dict[int, str] = {}


async def _issued_cursor(client: Any, index: int) -> str:
    if index not in _issued:
        _issued[index] = await _cursor(client, *QUERIES[index])
    return _issued[index]


@settings(FUZZ, max_examples=50)
@given(pair=st.permutations(range(len(QUERIES))).map(lambda order: (order[0], order[1])))
async def test_a_cursor_from_another_query_is_a_400(client: Any, pair: tuple[int, int]) -> None:
    issued_by, used_with = pair
    cursor = await _issued_cursor(client, issued_by)
    path, params = QUERIES[used_with]
    _assert_bad_cursor(await client.get(path, params={**params, "cursor": cursor}))
    # ... while the query that issued it takes it.
    path, params = QUERIES[issued_by]
    assert (await client.get(path, params={**params, "cursor": cursor})).status_code == 200


@FUZZ
@given(data=st.data())
async def test_a_cursor_with_any_byte_flipped_is_a_400(client: Any, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(QUERIES) - 1), label="query")
    cursor = await _issued_cursor(client, index)
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    position = data.draw(st.integers(0, len(raw) - 1), label="byte")
    raw[position] ^= data.draw(st.integers(1, 255), label="xor")
    tampered = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    path, params = QUERIES[index]
    _assert_bad_cursor(await client.get(path, params={**params, "cursor": tampered}))


@FUZZ
@given(data=st.data())
async def test_a_cursor_with_any_character_changed_is_a_400(client: Any, data: st.DataObject) -> None:
    """Also the changes base64 decoders forgive: a last character's spare bits, stray symbols."""
    index = data.draw(st.integers(0, len(QUERIES) - 1), label="query")
    cursor = await _issued_cursor(client, index)
    position = data.draw(st.integers(0, len(cursor)), label="position")
    change = data.draw(st.sampled_from(["replace", "insert", "delete"]), label="change")
    char = data.draw(
        st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/.!~ "),
        label="char",
    )
    if change == "insert":
        tampered = cursor[:position] + char + cursor[position:]
    elif position == len(cursor):
        tampered = cursor + char
    elif change == "delete":
        tampered = cursor[:position] + cursor[position + 1 :]
    else:
        tampered = cursor[:position] + char + cursor[position + 1 :]
    if tampered == cursor:
        return
    path, params = QUERIES[index]
    response = await client.get(path, params={**params, "cursor": tampered})
    if tampered == "":  # an empty cursor is the first page
        assert response.status_code == 200
        return
    _assert_bad_cursor(response)


_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# Spellings base64 decoders forgive, each decoding to the issued bytes for some cursor length.
RESPELLINGS = {
    "padding appended": lambda c: c + "=",
    "two paddings appended": lambda c: c + "==",
    "symbol inserted": lambda c: c[:5] + "!" + c[5:],
    "dot inserted": lambda c: c[:5] + "." + c[5:],
    "space inserted": lambda c: c[:3] + " " + c[3:],
    "last character's spare bit flipped": lambda c: c[:-1] + _B64[_B64.index(c[-1]) ^ 1],
}


@pytest.mark.parametrize("respell", RESPELLINGS.values(), ids=RESPELLINGS.keys())
@pytest.mark.parametrize("index", range(len(QUERIES)))
async def test_another_spelling_of_a_cursor_is_a_400(client: Any, index: int, respell: Any) -> None:
    """Found by the fuzzer: these used to be taken as the cursor they respell."""
    path, params = QUERIES[index]
    cursor = await _issued_cursor(client, index)
    _assert_bad_cursor(await client.get(path, params={**params, "cursor": respell(cursor)}))


@pytest.mark.parametrize(("path", "params"), QUERIES)
async def test_every_fuzzed_query_has_a_second_page(client: Any, path: str, params: dict[str, str]) -> None:
    """Keeps the cursor properties above meaningful as the seed world changes."""
    cursor = await _cursor(client, path, params)
    response = await client.get(path, params={**params, "limit": "1", "cursor": cursor})
    assert response.status_code == 200
    assert response.json()["items"]
