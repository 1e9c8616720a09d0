"""Links in emails that carry what they are about, signed so nobody can forge or alter them:
confirming (which expire) and withdrawing (which never do). Used for following a workshop and
for askers who want to be told the answer to their question."""

import datetime

from django.core import signing


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def link_token(data: dict, *, salt: str, expires: bool) -> str:
    """A token holding `data`; one that expires is stamped with the time it was made."""
    signer = signing.TimestampSigner(salt=salt) if expires else signing.Signer(salt=salt)
    return signer.sign_object(data)


def link_data(token: str, *, salt: str, max_age: datetime.timedelta | None = None) -> dict:
    """What a token holds, if it is genuine (and, with `max_age`, still fresh)."""
    try:
        if max_age is None:
            data = signing.Signer(salt=salt).unsign_object(token)
        else:
            data = signing.TimestampSigner(salt=salt).unsign_object(token, max_age=max_age)
    except signing.SignatureExpired as error:
        raise LinkExpired from error
    except signing.BadSignature as error:
        raise LinkInvalid from error
    if not isinstance(data, dict):
        raise LinkInvalid
    return data
