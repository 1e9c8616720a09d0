"""What every email the service sends has in common."""


def normalise_email(email: str | None) -> str:
    """One spelling of an address, so that case and stray spaces never make two people of one
    (accounts, sign-in counters, followers)."""
    return (email or "").strip().lower()


def subject_line(text: str) -> str:
    """A subject on one line: mail refuses a header with a line break, and a title typed with
    one (or with any other Unicode line separator) must not stop the email going."""
    return " ".join(text.split())
