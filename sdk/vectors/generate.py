#!/usr/bin/env python3
"""Writes signed-urls.json, the shared test vectors of signed og:image URLs (canonical form v1).

A second implementation of the contract, in Python's standard library only, written from the
spec (README "Signed og:image URLs" -> "The canonical form") and not from the TypeScript SDK, so
that every SDK is checked against two implementations that agree rather than against itself. Its
pieces follow the spec's steps one by one; where the spec says "as JSON.stringify does", the
ECMAScript rules are written out (key order by UTF-16 code unit, Number::toString).

Run: python3 sdk/vectors/generate.py  (rewrites sdk/vectors/signed-urls.json; the output is
deterministic, so a diff after a run means the vectors changed).
"""

import base64
import decimal
import hashlib
import hmac
import json
import math
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

SPEC = 1
RESERVED = {"kid", "exp", "s", "vars"}
IGNORED = {
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "twclid", "ttclid", "yclid",
    "igshid", "li_fat_id", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "_ga", "_gl",
}
TEMPLATE = re.compile(r"^(?:[a-z0-9][a-z0-9-]*|tpl_[0-9A-HJKMNP-TV-Z]{26}(?:@[1-9][0-9]*)?)$")


def is_ignored(name: str) -> bool:
    lower = name.lower()
    return lower.startswith("utm_") or lower in IGNORED


def E(text: str) -> str:
    """Percent-encodes every UTF-8 byte but the RFC 3986 unreserved characters, uppercase hex."""
    # quote() with safe='' leaves exactly A-Z a-z 0-9 - . _ ~ and writes uppercase hex
    return quote(text, safe="", encoding="utf-8", errors="strict")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def hmac_b64url(secret: str, message: str) -> str:
    return b64url(hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).digest())


# --- the vars JSON: sorted keys, no whitespace, JSON.stringify's strings and numbers ---------------


def js_number(x) -> str:
    """ECMAScript Number::toString, which JSON.stringify writes (1 not 1.0, 1e+21, 1e-7, -0 as 0)."""
    if isinstance(x, int) and abs(x) < 10**21:
        return str(x)
    x = float(x)
    if not math.isfinite(x):
        raise ValueError("a var number must be finite")
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    # repr is the shortest string that round-trips, as ECMAScript's digits are
    _, digit_tuple, exponent = decimal.Decimal(repr(abs(x))).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    exponent += len(digit_tuple) - len(digits)
    k = len(digits)
    n = exponent + k  # the decimal point sits after n digits
    if k <= n <= 21:
        out = digits + "0" * (n - k)
    elif 0 < n <= 21:
        out = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        out = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
        out = f"{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + out


def js_string(s: str) -> str:
    # json.dumps escapes exactly ", \ and U+0000-U+001F (\b \f \n \r \t, else \u00xx), as JSON.stringify
    return json.dumps(s, ensure_ascii=False)


def utf16_key(s: str) -> bytes:
    # big-endian UTF-16 bytes compare as the code units do
    return s.encode("utf-16-be")


def stable_json(value) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return js_number(value)
    if isinstance(value, str):
        return js_string(value)
    if isinstance(value, list):
        return "[" + ",".join(stable_json(v) for v in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=utf16_key)
        return "{" + ",".join(js_string(k) + ":" + stable_json(value[k]) for k in keys) + "}"
    raise TypeError(f"not a JSON value: {value!r}")


# --- signing -------------------------------------------------------------------------------------


def split_vars(vars_: dict):
    flat, rest = [], {}
    for name, value in vars_.items():
        if isinstance(value, str) and name not in RESERVED and not is_ignored(name):
            flat.append((name, value))
        else:
            rest[name] = value
    return flat, (stable_json(rest) if rest else None)


def expiry_seconds(inputs: dict):
    if "expiresAtDate" in inputs:
        moment = datetime.fromisoformat(inputs["expiresAtDate"].replace("Z", "+00:00"))
        ms = round(moment.timestamp() * 1000)
        return ms // 1000
    return inputs.get("expiresAt")


def sign(inputs: dict) -> dict:
    template, fmt = inputs["template"], inputs.get("format", "png")
    assert TEMPLATE.match(template) and fmt in ("png", "webp")
    flat, vars_json = split_vars(inputs.get("vars", {}))
    params = [("kid", inputs["keyId"])] + flat
    if vars_json is not None:
        params.append(("vars", b64url(vars_json.encode("utf-8"))))
    exp = expiry_seconds(inputs)
    if exp is not None:
        params.append(("exp", str(exp)))
    pairs = sorted((E(n), E(v)) for n, v in params)
    canonical = "/og/" + E(f"{template}.{fmt}") + "?" + "&".join(f"{n}={v}" for n, v in pairs)
    signature = hmac_b64url(inputs["secret"], canonical)
    base = inputs["baseUrl"].rstrip("/")
    return {"varsJson": vars_json, "canonical": canonical, "signature": signature, "url": f"{base}{canonical}&s={signature}"}


# --- canonicalizing a URL as received ------------------------------------------------------------


def query_pairs(query: str):
    """application/x-www-form-urlencoded, as URLSearchParams parses it (spec step 2)."""
    out = []
    for piece in query.split("&"):
        if piece == "":
            continue
        name, _, value = piece.partition("=")
        decode = lambda t: unquote(t.replace("+", " "), encoding="utf-8", errors="replace")  # noqa: E731
        out.append((decode(name), decode(value)))
    return out


def canonicalize(url: str) -> str:
    parts = urlsplit(url)
    segment = unquote(parts.path.rsplit("/", 1)[-1], encoding="utf-8", errors="strict")
    kept = [(n, v) for n, v in query_pairs(parts.query) if n != "s" and not is_ignored(n)]
    pairs = sorted((E(n), E(v)) for n, v in kept)
    return "/og/" + E(segment) + "?" + "&".join(f"{n}={v}" for n, v in pairs)


def presented_signature(url: str):
    found = [v for n, v in query_pairs(urlsplit(url).query) if n == "s"]
    return found[0] if len(found) == 1 else None


# --- the cases -----------------------------------------------------------------------------------

BASE = "https://img.example.com"
KID = "usk_01JDQ5Z8K3V7W9X2Y4A6B8C0DE"
OTHER_KID = "usk_01JDQ6A7B8C9D0E1F2G3H4J5K6"
TPL = "tpl_01JDQ60000ABCDEFGHJKMNPQRS"
EXP = 1798761600  # 2027-01-01T00:00:00Z

SECRETS = [
    {"name": "ascii", "value": "k4Qm9vX2rT7wZ1pL8nB3cF6hJ0sD5gYaE-uR_2tW", "note": "what the API hands out: ASCII"},
    {"name": "unicode", "value": "clé secrète 🔑", "note": "the key is the secret's UTF-8 bytes, not Latin-1 or UTF-16"},
    {
        "name": "long",
        "value": "a secret longer than the 64-byte HMAC-SHA256 block, which HMAC first hashes: 0123456789abcdef",
        "note": "longer than one HMAC block (64 bytes): HMAC hashes it first",
    },
]
S = {s["name"]: s["value"] for s in SECRETS}


def inputs(**kw):
    base = {"baseUrl": BASE, "keyId": KID, "secret": S["ascii"]}
    base.update(kw)
    return base


SIGN_CASES = [
    (
        "the README's worked example: flat string vars, a number (into vars), an expiry",
        inputs(template="blog-post", vars={"title": "Signed URLs", "author": "Ada Lovelace", "stars": 120}, expiresAt=EXP),
    ),
    ("flat string var, png by default, no expiry", inputs(template="og-card", vars={"title": "Hello World"})),
    (
        "two flat vars and an expiry",
        inputs(template="blog-post", vars={"title": "Signed URLs", "author": "Ada Lovelace"}, expiresAt=EXP),
    ),
    ("webp", inputs(template="og-card", format="webp", vars={"title": "Hello World"})),
    ("baseUrl with a trailing slash (removed)", inputs(baseUrl=BASE + "/", template="og-card", vars={"title": "Hello World"})),
    ("png named explicitly is the default", inputs(template="og-card", format="png", vars={"title": "Hello World"})),
    (
        "unicode: CJK, Arabic, emoji with ZWJ and skin tone, combining marks (never normalized)",
        inputs(
            template="og-card",
            vars={
                "title": "中文标题 — 日本語のタイトル",
                "subtitle": "مرحبا بالعالم",
                "emoji": "🚀✨👩🏽‍💻",
                "combining": "Ame\u0301lie, nai\u0308ve (NFD)",
            },
        ),
    ),
    (
        "space + & = % / ? # and other punctuation in values",
        inputs(
            template="og-card",
            vars={"title": "a b+c&d=e%f/g?h#i", "subtitle": "it's (50%)! *ok* [x] @y :z ;w ,v", "tail": "~-._ unreserved"},
        ),
    ),
    (
        "reserved and tracking names go into vars, never flat",
        inputs(
            template="og-card",
            vars={
                "title": "Flat",
                "s": "x",
                "kid": "usk_fake",
                "exp": "9999999999",
                "vars": "e30",
                "utm_source": "newsletter",
                "UTM_Medium": "email",
                "fbclid": "abc",
                "KID": "uppercase is not reserved: flat",
            },
        ),
    ),
    (
        "numbers, booleans, null, nested objects and arrays go into vars with sorted keys",
        inputs(
            template="blog-post",
            vars={
                "title": "Typed",
                "stars": 120,
                "rating": 4.5,
                "ratio": -0.25,
                "featured": True,
                "draft": False,
                "subtitle": None,
                "author": {"name": "Ada", "handle": "@ada", "links": {"web": "https://ada.example/", "gh": "ada"}},
                "tags": ["b", "a", 1, {"z": 1, "a": [True, None]}],
                "empty": {},
                "none": [],
            },
            expiresAt=EXP,
        ),
    ),
    (
        "vars JSON: keys by UTF-16 code unit (an emoji's surrogate before U+FF01), escapes as JSON.stringify",
        inputs(
            template="og-card",
            vars={
                "meta": {
                    "\uff01": "fullwidth !",
                    "😀": "emoji",
                    "é": "e acute",
                    "Z": "upper",
                    "a": "lower",
                    "aa": "longer",
                    "": "empty key",
                },
                "text": 'quote " backslash \\ slash / newline \n tab \t cr \r bs \b ff \f nul \u0000 us \u001f del \u007f ls \u2028',
            },
        ),
    ),
    (
        "numbers as JSON.stringify writes them (1.0 is 1, 1e21 is 1e+21, 1e-7, -0 is 0)",
        inputs(template="og-card", vars={"whole": 1.0, "big": 1e21, "small": 1e-7, "negzero": -0.0, "sum": 0.1 + 0.2, "int": 123456789012}),
    ),
    ("an empty string value is a flat var", inputs(template="og-card", vars={"title": "", "subtitle": "only this"})),
    ("a numeric string stays a flat string", inputs(template="og-card", vars={"stars": "120", "title": "Stars"})),
    ("var names that need encoding", inputs(template="og-card", vars={"my title": "spaced name", "naïve": "accented name"})),
    ("no vars at all", inputs(template="og-card")),
    ("empty vars object", inputs(template="og-card", vars={})),
    ("only non-flat vars", inputs(template="og-card", vars={"count": 3})),
    ("account template, current version", inputs(template=TPL, vars={"title": "Mine"})),
    ("pinned account template tpl_…@3 (the @ is %40 in the signed URL)", inputs(template=TPL + "@3", vars={"title": "Pinned"}, expiresAt=EXP)),
    ("pinned, webp, long version number", inputs(template=TPL + "@1234", format="webp", vars={"title": "Pinned"})),
    ("secret with non-ASCII characters (UTF-8 key)", inputs(template="og-card", secret=S["unicode"], vars={"title": "Hello World"})),
    ("secret longer than the HMAC block", inputs(template="og-card", secret=S["long"], vars={"title": "Hello World"}, expiresAt=EXP)),
    (
        "expiry from a date: floor(ms / 1000); pass expiresAtDate as the language's date-time type",
        inputs(template="og-card", vars={"title": "Hello World"}, expiresAtDate="2027-01-01T00:00:00.999Z"),
    ),
    ("expiry 0 is an expiry (not absent)", inputs(template="og-card", vars={"title": "Hello World"}, expiresAt=0)),
    ("another key id", inputs(template="og-card", keyId=OTHER_KID, vars={"title": "Hello World"})),
    ("a deployment with a path prefix", inputs(baseUrl="https://example.com/picstream", template="og-card", vars={"title": "Hello World"})),
]

# The URL the canonicalize cases rewrite: values with spaces, '+', '&', '%', non-ASCII, a JSON var
# and an expiry, on a pinned template whose '@' the signer wrote as %40.
ORIGINAL_INPUTS = inputs(
    template=TPL + "@3",
    vars={"title": "C++ & Rust: 50% off", "author": "Ada Lovelace", "city": "Zürich", "stars": 5},
    expiresAt=EXP,
)
ORIGINAL = sign(ORIGINAL_INPUTS)["url"]
ORIGINAL_SIG = presented_signature(ORIGINAL)
Q = ORIGINAL.split("?", 1)[1]
PATH = ORIGINAL.split("?", 1)[0]


def query_with(*pairs_raw: str) -> str:
    """The original's raw query pieces (as written) put back together in a new order."""
    return PATH + "?" + "&".join(pairs_raw)


PIECES = Q.split("&")
piece = {p.split("=", 1)[0]: p for p in PIECES}
OTHER_VARS = b64url(stable_json({"stars": 6}).encode())

CANON_CASES = [
    # (description, url, secret, verifies)
    ("as signed", ORIGINAL, S["ascii"], True),
    ("'+' for a space instead of %20", ORIGINAL.replace("%20", "+"), S["ascii"], True),
    ("lowercase percent hex", re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), ORIGINAL), S["ascii"], True),
    ("parameters reordered (s first)", query_with(*reversed(PIECES)), S["ascii"], True),
    (
        "tracking parameters added (utm_*, fbclid, gclid, msclkid, _ga; any case)",
        ORIGINAL + "&utm_source=twitter&utm_medium=social&UTM_Campaign=launch&fbclid=IwAR0xyz&gclid=Cj0K&msclkid=m1&_ga=2.1&utm_content",
        S["ascii"],
        True,
    ),
    ("'@' in the path instead of %40", ORIGINAL.replace("%403.png", "@3.png"), S["ascii"], True),
    (
        "unreserved characters percent-encoded for no reason (%41 for A, the name kid as %6B%69%64, %2E in the path)",
        ORIGINAL.replace("Ada", "%41da").replace("kid=", "%6B%69%64=").replace(".png", "%2Epng"),
        S["ascii"],
        True,
    ),
    ("empty pieces: '?&', '&&', trailing '&'", PATH + "?&" + "&&".join(PIECES) + "&", S["ascii"], True),
    ("raw non-ASCII in the query, as a browser shows it", ORIGINAL.replace("Z%C3%BCrich", "Zürich"), S["ascii"], True),
    ("another host (custom domain vs workers.dev): the host is not signed", ORIGINAL.replace(BASE, "https://picstream.acme.workers.dev"), S["ascii"], True),
    ("a fragment added", ORIGINAL + "#preview", S["ascii"], True),
    ("changed value", ORIGINAL.replace("Ada", "Eve"), S["ascii"], False),
    ("'%2B' decoded to '+' by a rewriter: now spaces", ORIGINAL.replace("%2B", "+"), S["ascii"], False),
    ("added non-tracking parameter", ORIGINAL + "&theme=dark", S["ascii"], False),
    ("added parameter without '='", ORIGINAL + "&theme", S["ascii"], False),
    ("removed parameter", query_with(*[p for p in PIECES if not p.startswith("author=")]), S["ascii"], False),
    ("duplicated parameter", ORIGINAL + "&" + piece["author"], S["ascii"], False),
    ("changed kid", ORIGINAL.replace(KID, OTHER_KID), S["ascii"], False),
    ("kid written KID (reserved names are case-sensitive)", ORIGINAL.replace("kid=", "KID="), S["ascii"], False),
    ("changed exp", ORIGINAL.replace(f"exp={EXP}", f"exp={EXP + 86400}"), S["ascii"], False),
    ("removed exp", query_with(*[p for p in PIECES if not p.startswith("exp=")]), S["ascii"], False),
    ("changed vars JSON", ORIGINAL.replace(piece["vars"], "vars=" + OTHER_VARS), S["ascii"], False),
    ("changed template version", ORIGINAL.replace("%403.png", "%404.png"), S["ascii"], False),
    ("current version instead of the pinned one", ORIGINAL.replace("%403.png", ".png"), S["ascii"], False),
    ("changed format", ORIGINAL.replace(".png", ".webp"), S["ascii"], False),
    ("right URL, wrong secret", ORIGINAL, S["unicode"], False),
]


def main() -> None:
    sign_out = []
    for description, inp in SIGN_CASES:
        sign_out.append({"description": description, "input": inp, "expected": sign(inp)})

    canon_out = []
    for description, url, secret, expected_verifies in CANON_CASES:
        canonical = canonicalize(url)
        signature = presented_signature(url)
        verifies = signature is not None and hmac.compare_digest(hmac_b64url(secret, canonical), signature)
        assert verifies == expected_verifies, (description, url, canonical)
        canon_out.append({"description": description, "url": url, "secret": secret, "canonical": canonical, "signature": signature, "verifies": verifies})

    # the generator's two halves agree: every signed URL canonicalizes back to what was signed
    for case in sign_out:
        assert canonicalize(case["expected"]["url"]) == case["expected"]["canonical"], case["description"]

    doc = {
        "spec": SPEC,
        "description": (
            "Signed og:image URLs, canonical form v1 (README: Signed og:image URLs). sign: signUrl(input) must return "
            "expected.url, whose canonical string and signature are expected.canonical and expected.signature (varsJson: the "
            "vars JSON before base64url, null when there is no vars parameter; expiresAtDate: pass it as a date, expiresAt "
            "as unix seconds). canonicalize: the canonical string of url (a signed URL as a crawler or share button may "
            "rewrite it), the s it carries, and whether HMAC-SHA256(secret, canonical) equals it. Generated by generate.py."
        ),
        "secrets": SECRETS,
        "sign": sign_out,
        "canonicalize": canon_out,
    }
    out = Path(__file__).with_name("signed-urls.json")
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{out}: {len(sign_out)} sign cases, {len(canon_out)} canonicalize cases")


if __name__ == "__main__":
    main()
