"""Identifiers: slugs for every kind of id, ISO 3166-1 alpha-2 codes for places."""

from __future__ import annotations

import re

SLUG_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,79}$"
GROUP_PREFIX = "group:"  # a destination entry naming a group (docs/events.md, "Destination groups")
_SLUG = re.compile(SLUG_PATTERN)

# ISO 3166-1 alpha-2, the officially assigned codes (249), plus EU as docs/clocks.md allows.
# Kept as one string so a reviewer can diff it against the published list.
_ISO_3166_ALPHA2 = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ
DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP
GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML
MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE
PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM
US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""
JURISDICTIONS: frozenset[str] = frozenset(_ISO_3166_ALPHA2.split()) | {"EU"}


def is_slug(value: str) -> bool:
    # fullmatch: with re.match, `$` also matches before a trailing newline ("h20\n").
    return bool(_SLUG.fullmatch(value))


def check_slug(value: object) -> str:
    """Return the slug or raise ValueError with a message a client can act on."""
    if not isinstance(value, str):
        raise ValueError("must be a string id")
    if not is_slug(value):
        raise ValueError(
            f"{value[:100]!r} is not a valid id: use 1-80 characters of a-z, 0-9, '.', '_' "
            "or '-', starting with a letter or digit"
        )
    return value


def check_jurisdiction(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string country code")
    if value not in JURISDICTIONS:
        hint = " (use GB for the United Kingdom)" if value.upper() == "UK" else ""
        if value.upper() in JURISDICTIONS and value != value.upper():
            hint = f" (codes are upper case: {value.upper()!r})"
        raise ValueError(f"{value[:20]!r} is not an ISO 3166-1 alpha-2 code or 'EU'{hint}")
    return value
