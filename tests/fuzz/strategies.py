"""Hypothesis strategies for hostile input: JSON values, form data, headers."""

from __future__ import annotations

from hypothesis import strategies as st

# Lone surrogates cannot be encoded by a client at all; everything else goes.
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
NASTY_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "../../etc/passwd",
        "%00",
        "%s%s%s%n",
        "{{ 7*7 }}",
        "\u202e\u0644",
        "🙂" * 50,
        "x" * 2001,
        "9" * 400,
        "-1",
        "1e309",
        "NaN",
        "Infinity",
        "0x10",
        "１２",
        "other",
        "na",
    ]
)
ANY_TEXT = st.one_of(TEXT, NASTY_TEXT)
NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, 5, 10, 11, 120, 121, -1, 2**63, 10**400]),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, ANY_TEXT)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(ANY_TEXT, children, max_size=5),
    ),
    max_leaves=20,
)

CODES = [
    "q_visited",
    "q_channels",
    "q_channels.other",
    "q_wait",
    "q_staff",
    "q_overall",
    "q_nps",
    "q_name",
    "q_comment",
    "d_gender",
]
PLAUSIBLE = {
    "q_visited": st.sampled_from(["yes", "no"]),
    "q_channels": st.lists(st.sampled_from(["web", "phone", "other"]), max_size=3),
    "q_channels.other": ANY_TEXT,
    "q_wait": st.integers(min_value=-5, max_value=130),
    "q_staff": st.one_of(st.none(), st.integers(min_value=0, max_value=6)),
    "q_overall": st.integers(min_value=-1, max_value=11),
    "q_nps": st.integers(min_value=-1, max_value=11),
    "q_name": ANY_TEXT,
    "q_comment": ANY_TEXT,
    "d_gender": st.sampled_from(["female", "male", "x"]),
}


@st.composite
def answers(draw) -> dict:
    """Mostly well-typed answers with some codes missing, wrong or foreign."""
    chosen = draw(st.lists(st.sampled_from(CODES), unique=True))
    result = {
        code: draw(
            st.one_of(PLAUSIBLE[code], JSON_VALUES)
            if draw(st.booleans())
            else PLAUSIBLE[code]
        )
        for code in chosen
    }
    extra = draw(st.dictionaries(ANY_TEXT, JSON_VALUES, max_size=2))
    return {**extra, **result}


@st.composite
def submission_bodies(draw) -> object:
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        return draw(JSON_VALUES)
    body = {"answers": draw(st.one_of(answers(), JSON_VALUES))}
    optional = {
        "channel": st.one_of(st.sampled_from(["web", "qr", "paper", "phone"]), SCALARS),
        "language": st.one_of(st.sampled_from(["zh-hans", "en"]), SCALARS),
        "duration_seconds": st.one_of(st.integers(0, 90000), NUMBERS, SCALARS),
        "service_point": st.one_of(st.sampled_from(["", "point-0"]), JSON_VALUES),
    }
    for name, strategy in optional.items():
        if draw(st.booleans()):
            body[name] = draw(strategy)
    return body


IDEMPOTENCY_KEYS = st.one_of(
    st.text(
        alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_",
        min_size=16,
        max_size=64,
    ),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=80),
)

# Form posts: a value or a list of values per field name.
FORM_VALUES = st.one_of(ANY_TEXT, st.lists(ANY_TEXT, max_size=3))
