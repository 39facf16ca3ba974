"""Chinese resident identity numbers (居民身份证号码, GB 11643) and how to keep them out of sight.

An id number is never stored in clear: `IdNumberProtector.digest` gives a keyed HMAC for equality
joins (the same person across files and institutions' exports), `encrypt` a token that only the
key holder can turn back into the number when a case needs it.
"""

from __future__ import annotations

import binascii
import hmac
import re
import unicodedata
from base64 import urlsafe_b64decode, urlsafe_b64encode
from dataclasses import dataclass
from datetime import date
from operator import mul

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from qinglang.errors import ConfigError, InvalidValue

# ISO 7064 MOD 11-2: weight of position i is 2^(17-i) mod 11; the check character is indexed by
# the weighted sum mod 11.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ZERO_CODES = ord("0") * sum(_WEIGHTS)
_CHECK_CHARACTERS = "10X98765432"
_PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)
_ID_18 = re.compile(r"[0-9]{17}[0-9X]")
_ID_15 = re.compile(r"[0-9]{15}")
_EARLIEST_BIRTH = date(1900, 1, 1)


@dataclass(frozen=True, slots=True, repr=False)
class IdNumber:
    """A checked 18-character id number and what it encodes."""

    value: str
    birth_date: date
    region_code: str
    sex: str

    @property
    def masked(self) -> str:
        """'110105********1234': the region and the last four characters stay visible."""
        return f"{self.value[:6]}{'*' * 8}{self.value[-4:]}"

    def __repr__(self) -> str:
        return f"IdNumber({self.masked})"


def parse_id_number(raw: str, *, today: date | None = None) -> IdNumber:
    """Check an 18-character (or legacy 15-digit) id number, or raise `InvalidValue`."""
    value = _eighteen_characters(_clean(raw))
    if _check_character(value[:17]) != value[17]:
        raise InvalidValue("id number checksum does not match")
    if value[:2] not in _PROVINCE_CODES:
        raise InvalidValue("id number region code is not a Chinese province")
    birth_date = _birth_date(value[6:14], today or date.today())
    sex = "M" if int(value[16]) % 2 else "F"
    return IdNumber(value, birth_date, value[:6], sex)


def _check_character(first_17_digits: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    # On the ASCII codes, all in C: sum((code - 48) * weight) = sum(code * weight) - 48 * Σweight.
    total = sum(map(mul, first_17_digits.encode("ascii"), _WEIGHTS)) - _ZERO_CODES
    return _CHECK_CHARACTERS[total % 11]


def _clean(raw: str) -> str:
    text = raw if raw.isascii() else unicodedata.normalize("NFKC", raw)
    return "".join(text.split()).upper()


def _eighteen_characters(text: str) -> str:
    """The 18-character form; a 15-digit number (issued before 1999) gains '19' and a check."""
    if len(text) == 15:
        if not _ID_15.fullmatch(text):
            raise InvalidValue("id number contains invalid characters")
        body = f"{text[:6]}19{text[6:]}"
        return body + _check_character(body)
    if len(text) != 18:
        raise InvalidValue("id number must have eighteen characters (fifteen in the old format)")
    if not _ID_18.fullmatch(text):
        raise InvalidValue("id number contains invalid characters")
    return text


def _birth_date(yyyymmdd: str, today: date) -> date:
    try:
        birth = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        raise InvalidValue("id number birth date is not a real date") from None
    if birth > today:
        raise InvalidValue("id number birth date is in the future")
    if birth < _EARLIEST_BIRTH:
        raise InvalidValue("id number birth date is before the twentieth century")
    return birth


class IdNumberProtector:
    """Keyed digest and reversible encryption of id numbers under one master key.

    The digest key and the encryption key are derived from the master key with HKDF, each for
    its own purpose, so a leaked digest key does not decrypt tokens and vice versa.

    Encryption is deterministic (AES-SIV, RFC 5297): the same number always gives the same
    token. It reveals only that two tokens hold the same number — which the digest reveals
    anyway, on purpose — and in return the store and every export made from it are
    reproducible byte for byte.
    """

    _TOKEN_VERSION = "v2:"
    _ASSOCIATED_DATA = [b"qinglang id_number"]

    def __init__(self, key: bytes):
        if len(key) < 32:
            raise ConfigError("the id number protection key must have at least 32 bytes")
        self._digest_key = _derive_key(key, b"qinglang id_number digest v1", 32)
        self._aead = AESSIV(_derive_key(key, b"qinglang id_number encryption v2", 64))

    def digest(self, id_number: IdNumber | str) -> str:
        """HMAC-SHA256 (hex) of the canonical number: equal for equal numbers, keyed."""
        message = _canonical(id_number).encode("ascii")
        return hmac.digest(self._digest_key, message, "sha256").hex()

    def encrypt(self, id_number: IdNumber | str) -> str:
        """An AES-256-SIV token 'v2:<base64url>', the same for the same number and key."""
        sealed = self._aead.encrypt(_canonical(id_number).encode("ascii"), self._ASSOCIATED_DATA)
        return self._TOKEN_VERSION + urlsafe_b64encode(sealed).rstrip(b"=").decode()

    def decrypt(self, token: str) -> str:
        """The 18-character id number inside a token made by `encrypt` under the same key."""
        if not token.startswith(self._TOKEN_VERSION):
            raise InvalidValue("id number token has an unknown version")
        encoded = token[len(self._TOKEN_VERSION) :]
        try:
            sealed = urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError):
            raise InvalidValue("id number token is not valid base64") from None
        try:
            plain = self._aead.decrypt(sealed, self._ASSOCIATED_DATA)
        except (InvalidTag, ValueError):
            raise InvalidValue("id number token cannot be decrypted with this key") from None
        return plain.decode("ascii")


def _canonical(id_number: IdNumber | str) -> str:
    return id_number.value if isinstance(id_number, IdNumber) else parse_id_number(id_number).value


def _derive_key(master_key: bytes, purpose: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=purpose).derive(
        master_key)
