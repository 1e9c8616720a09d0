"""Email backends for working on the service locally."""

from django.core.mail.backends.console import EmailBackend


class ReadableConsoleBackend(EmailBackend):
    """Print each email as a person would read it: its headers, then every text part decoded.
    The stock console backend prints the encoded message, where quoted-printable breaks long
    links with "=" at each line end, so a sign-in link cannot be copied from the terminal."""

    def write_message(self, message):
        msg = message.message()
        lines = [
            f"{name}: {value}"
            for name, value in msg.items()
            if name.lower() != "content-transfer-encoding"
        ]
        for part in msg.walk():
            if part.is_multipart():
                continue
            filename = part.get_filename()
            if part.get_content_maintype() == "text" and not filename:
                lines += ["", f"[{part.get_content_type()}]", part.get_content().rstrip("\n")]
            else:
                lines += ["", f"[attachment: {filename or 'unnamed'}, {part.get_content_type()}]"]
        self.stream.write("\n".join(lines) + "\n")
        self.stream.write("-" * 79 + "\n")
