"""Labels and property names are the only parts of Cypher not passed as parameters
(no server accepts them as parameters); they come from our code and are checked."""
import re

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def check_identifier(name: str) -> str:
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise ValueError(f"not a Cypher identifier: {name!r}")
    return name
